import { describe, it, expect, afterEach } from 'vitest'
import { SpanStatusCode } from '@opentelemetry/api'
import { createEngine, IxpError, silentLogger, type IntentHandler } from '@ixp/core'
import { runWorkflow, workflows, type WorkflowDefinition } from '@ixp/plugin-workflows'
import { tracing } from '../src/index.js'
import { createSdk, only, parentId, tree, type Sdk } from './helpers.js'

let sdk: Sdk | undefined
afterEach(async () => {
  await sdk?.shutdown()
  sdk = undefined
})

async function engineWith(
  definition: WorkflowDefinition<any>,
  handlers: Record<string, IntentHandler>,
  global = false,
) {
  sdk = createSdk({ global })
  const plugin = workflows({ workflows: [definition], retryDelayMs: 1 })
  const engine = createEngine({
    logger: silentLogger,
    plugins: [
      plugin,
      tracing(global ? { workflows: plugin } : { tracerProvider: sdk.provider, workflows: plugin }),
    ],
  })
  engine.registerComponent({ name: 'Plain', render: () => 'ok' })
  for (const [name, handler] of Object.entries(handlers)) {
    engine.registerIntent({
      name,
      description: name,
      component: 'Plain',
      parameters: { type: 'object', properties: {}, additionalProperties: true },
      handler,
    })
  }
  await engine.ready()
  return Object.assign(engine, { workflowsPlugin: plugin })
}

describe('workflow spans', () => {
  it('nests the run under the workflow render, each step attempt under the run, and step renders under their step', async () => {
    let charges = 0
    const engine = await engineWith(
      {
        id: 'checkout',
        name: 'Checkout',
        description: 'Validate, charge, maybe gift-wrap, total',
        input: { type: 'object', properties: { cartId: { type: 'string' } }, required: ['cartId'] },
        steps: [
          { id: 'validate', intentName: 'validate_cart', params: { cartId: '$input.cartId' } },
          { id: 'charge', intentName: 'charge_card', retries: 1, retryDelayMs: 1 },
          { id: 'wrap', intentName: 'gift_wrap', condition: () => false },
          { id: 'total', run: async () => ({ total: 42 }) },
        ],
      },
      {
        validate_cart: async () => ({ valid: true }),
        charge_card: async () => {
          charges++
          if (charges === 1)
            throw new IxpError('GATEWAY_BUSY', 'The payment gateway is busy', { status: 503 })
          return { paymentId: 'pay-1' }
        },
        gift_wrap: async () => ({}),
      },
    )
    const result = await runWorkflow(engine, 'checkout', { cartId: 'C-1' }, { requestId: 'req-7' })
    expect(result.status).toBe('completed')
    const spans = sdk!.spans()
    const root = only(spans, 'ixp.render workflow_checkout')
    expect(tree(spans, root)).toEqual([
      'ixp.render workflow_checkout',
      '  ixp.handler',
      '    ixp.workflow checkout',
      '      ixp.workflow.step validate',
      '        ixp.render validate_cart',
      '          ixp.handler',
      '          ixp.component.render',
      '      ixp.workflow.step charge',
      '        ixp.render charge_card',
      '          ixp.handler',
      '      ixp.workflow.step charge',
      '        ixp.render charge_card',
      '          ixp.handler',
      '          ixp.component.render',
      '      ixp.workflow.step wrap',
      '      ixp.workflow.step total',
      '  ixp.component.render',
    ])
    const run = only(spans, 'ixp.workflow checkout')
    expect(run.attributes).toMatchObject({
      'ixp.workflow.id': 'checkout',
      'ixp.workflow.status': 'completed',
    })
    const attempts = spans.filter((span) => span.name === 'ixp.workflow.step charge')
    expect(attempts.map((span) => [span.attributes['ixp.workflow.attempt'], span.status.code])).toEqual([
      [1, SpanStatusCode.ERROR],
      [2, SpanStatusCode.UNSET],
    ])
    expect(attempts[0]!.attributes['error.type']).toBe('GATEWAY_BUSY')
    expect(only(spans, 'ixp.workflow.step wrap').attributes['ixp.workflow.skipped']).toBe(true)
    const stepRender = spans.find(
      (span) => span.name === 'ixp.render validate_cart' && parentId(span) !== undefined,
    )!
    expect(stepRender.attributes).toMatchObject({
      'ixp.workflow.id': 'checkout',
      'ixp.workflow.step_id': 'validate',
      'ixp.workflow.run_id': run.attributes['ixp.workflow.run_id'],
      'ixp.request.id': 'req-7',
    })
  })

  it('records a failed run, its failed step and the compensation of a completed one', async () => {
    const engine = await engineWith(
      {
        id: 'order',
        name: 'Order',
        description: 'Reserve then charge',
        input: { type: 'object', properties: {} },
        steps: [
          { id: 'reserve', intentName: 'reserve_stock', compensate: { intentName: 'release_stock' } },
          { id: 'charge', intentName: 'charge_card' },
        ],
      },
      {
        reserve_stock: async () => ({ holdId: 'h-1' }),
        release_stock: async () => ({ released: true }),
        charge_card: async () => {
          throw new IxpError('CARD_DECLINED', 'The card was declined', { status: 402 })
        },
      },
      true,
    )
    const result = await runWorkflow(engine, 'order', {})
    expect(result.status).toBe('failed')
    const spans = sdk!.spans()
    const run = only(spans, 'ixp.workflow order')
    expect(run.status.code).toBe(SpanStatusCode.ERROR)
    expect(run.attributes).toMatchObject({ 'ixp.workflow.status': 'failed', 'error.type': 'CARD_DECLINED' })
    const charge = only(spans, 'ixp.workflow.step charge')
    expect(charge.status.code).toBe(SpanStatusCode.ERROR)
    const compensation = only(spans, 'ixp.workflow.compensation reserve')
    expect(parentId(compensation)).toBe(run.spanContext().spanId)
    expect(compensation.attributes['ixp.workflow.compensating']).toBe(true)
    const release = only(spans, 'ixp.render release_stock')
    expect(parentId(release)).toBe(compensation.spanContext().spanId)
    expect(release.attributes['ixp.workflow.compensating']).toBe(true)
  })

  it('stops listening when the engine closes', async () => {
    const engine = await engineWith(
      {
        id: 'noop',
        name: 'Noop',
        description: 'One function step',
        input: { type: 'object', properties: {} },
        steps: [{ id: 'only', run: async () => ({}) }],
      },
      {},
    )
    const events = engine.workflowsPlugin.events
    expect(events.listenerCount('workflow:start')).toBe(1)
    expect(events.listenerCount('step:start')).toBe(1)
    await engine.close()
    expect(events.listenerCount('workflow:start')).toBe(0)
    expect(events.listenerCount('step:start')).toBe(0)
  })
})
