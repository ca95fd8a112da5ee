import { describe, expect, expectTypeOf, it } from 'vitest'
import { IxpError, type Engine, type RenderResult } from '../src/index.js'
import { makeEngine, orderStatus } from './fixtures.js'

describe('engine.renderNow', () => {
  it('is typed as the result or a promise of it', () => {
    expectTypeOf<Engine['renderNow']>().returns.toEqualTypeOf<RenderResult | Promise<RenderResult>>()
  })

  it('hands back the result itself when every step finished synchronously', async () => {
    const engine = makeEngine()
    engine.registerIntent({
      ...orderStatus,
      name: 'now',
      handler: ({ orderId }) => ({ status: `now:${orderId}` }),
    })
    await engine.ready()
    const step = engine.renderNow({ intent: { name: 'now', parameters: { orderId: '7' } } })
    expect(step).not.toBeInstanceOf(Promise)
    expect((step as RenderResult).tree).toMatchObject({ props: { title: 'Order 7' }, children: ['now:7'] })
  })

  it('hands back a promise when a step waits, and before ready()', async () => {
    const engine = makeEngine()
    const early = engine.renderNow({ intent: { name: 'order_status', parameters: { orderId: '1' } } })
    expect(early).toBeInstanceOf(Promise)
    expect((await early).props).toMatchObject({ status: 'shipped:1' })
    const waiting = engine.renderNow({ intent: { name: 'order_status', parameters: { orderId: '2' } } })
    expect(waiting).toBeInstanceOf(Promise)
    expect((await waiting).props).toMatchObject({ status: 'shipped:2' })
  })

  it('never throws: a failure is a rejected promise', async () => {
    const engine = makeEngine()
    await engine.ready()
    let step: unknown
    expect(() => {
      step = engine.renderNow({ intent: { name: 'missing', parameters: {} } })
    }).not.toThrow()
    expect(step).toBeInstanceOf(Promise)
    const failure = await (step as Promise<RenderResult>).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(IxpError)
    expect((failure as IxpError).code).toBe('INTENT_NOT_SUPPORTED')
  })
})
