/**
 * Type inference of intent parameters and render props. The assertions are `expectTypeOf` checks: `pnpm
 * typecheck` (tsc over this file) fails when inference regresses; the run-time part only checks that the typed
 * definitions still register and render.
 */
import { Type } from 'typebox'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  createEngine,
  defineIntent,
  type IntentDefinition,
  type IntentProps,
  type IxpContext,
  type ParametersOf,
} from '@ixp/core'
import { h } from '@ixp/core/tree'

describe('parameter inference', () => {
  it('types handler params from a TypeBox schema', async () => {
    const engine = createEngine()
    engine.registerIntent({
      name: 'order_status',
      description: 'Shows an order',
      component: 'OrderCard',
      parameters: Type.Object({ orderId: Type.String(), limit: Type.Optional(Type.Number()) }),
      handler: (params, ctx) => {
        expectTypeOf(params).toEqualTypeOf<{ orderId: string; limit?: number }>()
        expectTypeOf(ctx).toEqualTypeOf<IxpContext>()
        return { code: params.orderId.toUpperCase() }
      },
    })
    engine.registerComponent({ name: 'OrderCard', render: (props) => String(props.code) })
    const result = await engine.render({ intent: { name: 'order_status', parameters: { orderId: 'ab' } } })
    expect(result.tree).toBe('AB')
    await engine.close()
  })

  it('types handler params from an inline or `as const` JSON Schema', () => {
    const engine = createEngine()
    engine.registerIntent({
      name: 'inline',
      description: 'Inline JSON Schema',
      component: 'C',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer' } },
        required: ['city'],
      },
      handler: (params) => {
        expectTypeOf(params.city).toEqualTypeOf<string>()
        expectTypeOf(params.days).toEqualTypeOf<number | undefined>()
      },
    })
    const schema = {
      type: 'object',
      properties: { sku: { type: 'string' } },
      required: ['sku'],
    } as const
    expectTypeOf<ParametersOf<typeof schema>>().toEqualTypeOf<{ sku: string }>()
    expect(engine.intents.has('inline')).toBe(true)
  })

  it('falls back to Record<string, unknown> for a schema known only at run time', () => {
    const loaded: Record<string, unknown> = JSON.parse('{"type":"object"}')
    expectTypeOf<ParametersOf<typeof loaded>>().toEqualTypeOf<Record<string, unknown>>()
    const engine = createEngine()
    engine.registerIntent({
      name: 'loaded',
      description: 'From a file',
      component: 'C',
      parameters: loaded,
      handler: (params) => {
        expectTypeOf(params).toEqualTypeOf<Record<string, unknown>>()
      },
    })
    expect(engine.intents.has('loaded')).toBe(true)
  })

  it('keeps explicitly typed definitions assignable', () => {
    const typed: IntentDefinition<{ code: string }> = {
      name: 'typed',
      description: 'Annotated by hand',
      component: 'C',
      parameters: Type.Object({ code: Type.String() }),
      handler: (params) => ({ code: params.code }),
    }
    const list: IntentDefinition[] = [
      { name: 'plain', description: 'No handler', component: 'C', parameters: { type: 'object' } },
    ]
    const engine = createEngine()
    engine.registerIntent(typed)
    for (const definition of list) engine.registerIntent(definition)
    expect(engine.intents.size).toBe(2)
  })

  it('refuses a handler that misuses its params (compile-time)', () => {
    const engine = createEngine()
    engine.registerIntent({
      name: 'wrong',
      description: 'x',
      component: 'C',
      parameters: Type.Object({ orderId: Type.String() }),
      // @ts-expect-error orderId is a string, not a number
      handler: (params) => ({ n: params.orderId.toFixed(2) }),
    })
    expect(engine.intents.has('wrong')).toBe(true)
  })
})

describe('render props of a defineIntent() intent', () => {
  const orderStatus = defineIntent({
    name: 'order_status',
    description: 'Shows an order',
    component: 'OrderStatus',
    parameters: Type.Object({ orderId: Type.String() }),
    handler: async (params) => ({ shipped: params.orderId.startsWith('S') }),
  })

  it('merges handler data with the parameters', async () => {
    expectTypeOf<IntentProps<typeof orderStatus>>().toEqualTypeOf<
      Omit<{ orderId: string }, 'shipped'> & { shipped: boolean }
    >()
    const engine = createEngine()
    engine.registerIntent(orderStatus)
    engine.registerComponent<IntentProps<typeof orderStatus>>({
      name: 'OrderStatus',
      render: (props) => {
        expectTypeOf(props.orderId).toEqualTypeOf<string>()
        expectTypeOf(props.shipped).toEqualTypeOf<boolean>()
        return h('p', null, `${props.orderId}: ${props.shipped ? 'shipped' : 'pending'}`)
      },
    })
    const result = await engine.render({
      intent: { name: 'order_status', parameters: { orderId: 'S-1' } },
    })
    expect(result.tree).toEqual({ type: 'p', props: {}, children: ['S-1: shipped'] })
    await engine.close()
  })

  it('gives the parameters alone when there is no handler', () => {
    const search = defineIntent({
      name: 'search',
      description: 'Searches',
      component: 'Results',
      parameters: Type.Object({ q: Type.String() }),
    })
    expectTypeOf<IntentProps<typeof search>['q']>().toEqualTypeOf<string>()
  })
})
