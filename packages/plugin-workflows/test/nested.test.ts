import { isIxpError, type IxpContext, type IxpError } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { runWorkflow, workflows, type WorkflowResult } from '../src/index.js'
import { engineWith, intent, recorder } from './helpers.js'

async function rejection(promise: Promise<unknown>): Promise<IxpError> {
  try {
    await promise
  } catch (error) {
    if (isIxpError(error)) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('nested workflows', () => {
  it('a step rendering workflow_<other> runs it through the render path with { input, context }', async () => {
    const traces: unknown[] = []
    const engine = engineWith([
      intent('price', async (params, ctx) => {
        traces.push(ctx.workflow)
        return { price: Number(params.qty) * 3 }
      }),
    ])
    const plugin = workflows({
      workflows: [
        {
          id: 'quote',
          name: 'Quote',
          description: 'Inner',
          steps: [
            {
              id: 'price',
              intentName: 'price',
              params: { qty: '$input.qty', currency: '$context.currency' },
            },
          ],
        },
        {
          id: 'order',
          name: 'Order',
          description: 'Outer',
          steps: [
            { id: 'quote', intentName: 'workflow_quote' },
            {
              id: 'summary',
              run: (params) => params,
              params: { price: '$results.quote.results.price.price' },
            },
          ],
        },
      ],
    })
    const starts: { workflowId: string; depth: number }[] = []
    plugin.events.on('workflow:start', (event) =>
      starts.push({ workflowId: event.workflowId, depth: event.depth }),
    )
    engine.use(plugin)

    const result = await runWorkflow(engine, 'order', { qty: 2 }, {}, { context: { currency: 'EUR' } })
    expect(result.status).toBe('completed')
    const inner = result.steps[0]!.result as WorkflowResult & { input: unknown; context: unknown }
    expect(inner).toMatchObject({
      workflowId: 'quote',
      status: 'completed',
      input: { qty: 2 },
      context: { currency: 'EUR' },
    })
    expect(result.results.summary).toEqual({ price: 6 })
    expect(starts).toEqual([
      { workflowId: 'order', depth: 0 },
      { workflowId: 'quote', depth: 1 },
    ])
    expect(traces[0]).toMatchObject({ workflowId: 'quote', stepId: 'price', stack: ['order', 'quote'] })
  })

  it('a failed nested workflow fails the outer step (it answered 200) and is not retried', async () => {
    const attempts = recorder(() => {
      throw Object.assign(new Error('inner broke'), {})
    })
    const engine = engineWith([intent('broken', attempts.handler)])
    engine.use(
      workflows({
        workflows: [
          { id: 'inner', name: 'Inner', description: 'Fails', steps: [{ id: 'b', intentName: 'broken' }] },
          {
            id: 'outer',
            name: 'Outer',
            description: 'Wraps',
            steps: [{ id: 'nested', intentName: 'workflow_inner', retries: 3 }],
          },
        ],
      }),
    )
    const result = await runWorkflow(engine, 'outer', {})
    expect(result.status).toBe('failed')
    expect(attempts.calls).toHaveLength(1)
    expect(result.steps[0]!.error).toMatchObject({
      code: 'WORKFLOW_NESTED_FAILED',
      message: "Nested workflow 'inner' failed: Step 'b' failed: The step failed with an internal error",
      details: { workflow: 'inner', error: { code: 'INTERNAL_ERROR', step: 'b' } },
    })
  })

  it('refuses workflows that call each other in a circle when the engine gets ready, naming the step', async () => {
    const engine = engineWith([intent('noop', async () => ({}))])
    engine.use(
      workflows({
        workflows: [
          { id: 'a', name: 'A', description: 'a', steps: [{ id: 'toB', intentName: 'workflow_b' }] },
          {
            id: 'b',
            name: 'B',
            description: 'b',
            steps: [
              { id: 'work', intentName: 'noop' },
              { id: 'back', intentName: 'noop', compensate: { intentName: 'workflow_a' } },
            ],
          },
        ],
      }),
    )
    const error = await rejection(engine.ready())
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toBe(
      "Invalid workflows: workflow 'b', step 'back': compensate.intentName runs workflow 'a', which leads back here (a → b → a); nested workflows cannot call each other in a circle",
    )
    expect(error.details).toMatchObject({ workflow: 'b', step: 'back' })
  })

  it('refuses steps calling intents that are not registered, naming the step', async () => {
    const engine = engineWith([intent('validate', async () => ({}))])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'checkout',
            name: 'C',
            description: 'c',
            steps: [
              { id: 'validate', intentName: 'validate' },
              { id: 'charge', intentName: 'charge_card' },
            ],
          },
        ],
      }),
    )
    const error = await rejection(engine.ready())
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toContain(
      "workflow 'checkout', step 'charge': intentName calls intent 'charge_card', which is not registered",
    )
    expect(error.details).toMatchObject({ workflow: 'checkout', step: 'charge' })
  })

  it('counts intents registered after the plugin, and checks at once when installed on a ready engine', async () => {
    const engine = engineWith([])
    engine.use(
      workflows({
        workflows: [{ id: 'w', name: 'W', description: 'd', steps: [{ id: 'a', intentName: 'late' }] }],
      }),
    )
    engine.registerIntent(intent('late', async () => ({ late: true })))
    await engine.ready()
    expect((await runWorkflow(engine, 'w', {})).results).toEqual({ a: { late: true } })

    const ready = engineWith([])
    await ready.ready()
    ready.use(
      workflows({
        workflows: [{ id: 'w', name: 'W', description: 'd', steps: [{ id: 'a', intentName: 'missing' }] }],
      }),
    )
    const error = await rejection(ready.ready())
    expect(error.code).toBe('PLUGIN_APPLY_FAILED')
    expect(isIxpError(error.cause) && error.cause.code).toBe('INVALID_DEFINITION')
  })

  it('stops a workflow re-entering itself through an intent handler, and chains deeper than maxDepth', async () => {
    const engine = engineWith([
      // A handler that renders a workflow with the context it got: the chain stays visible.
      intent('again', async (_params, ctx: IxpContext) => {
        const rendered = await ctx.engine!.render(
          { intent: { name: 'workflow_loop', parameters: { input: {} } } },
          ctx,
        )
        return { inner: rendered.props.status }
      }),
      intent('leaf', async () => ({ leaf: true })),
    ])
    engine.use(
      workflows({
        maxDepth: 2,
        workflows: [
          {
            id: 'loop',
            name: 'Loop',
            description: 'Re-enters',
            steps: [{ id: 'again', intentName: 'again' }],
          },
          { id: 'one', name: 'One', description: '1', steps: [{ id: 'down', intentName: 'workflow_two' }] },
          { id: 'two', name: 'Two', description: '2', steps: [{ id: 'down', intentName: 'workflow_three' }] },
          { id: 'three', name: 'Three', description: '3', steps: [{ id: 'leaf', intentName: 'leaf' }] },
        ],
      }),
    )
    const loop = await runWorkflow(engine, 'loop', {})
    expect(loop.steps[0]!.error).toEqual({
      code: 'WORKFLOW_DEPTH_EXCEEDED',
      message:
        "Workflow 'loop' is already running in this chain (loop → loop); a workflow cannot run itself through its steps",
      details: { workflow: 'loop', stack: ['loop'] },
    })

    const deep = await runWorkflow(engine, 'one', {})
    expect(deep.status).toBe('failed')
    const two = deep.steps[0]!.error!.details as { error: { code: string; message: string } }
    expect(two.error.message).toContain(
      "Workflow 'three' would be nested 3 deep (one → two → three); the limit is maxDepth = 2",
    )
    expect((await runWorkflow(engine, 'two', {})).status).toBe('completed')
  })
})
