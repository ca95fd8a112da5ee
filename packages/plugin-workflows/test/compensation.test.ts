import { IxpError, type IxpContext } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { runWorkflow, workflows, type WorkflowDefinition, type WorkflowResult } from '../src/index.js'
import { deferred, engineWith, intent, manualClock, recorder } from './helpers.js'

const declined = () => new IxpError('CARD_DECLINED', 'Card declined', { status: 402 })

/** validate → reserve ∥ quote → charge (fails) → ship, with compensations on reserve and quote. */
function checkout(overrides: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  return {
    id: 'checkout',
    name: 'Checkout',
    description: 'Saga',
    steps: [
      {
        id: 'validate',
        intentName: 'validate',
        compensate: { run: () => ({ never: 'validate never needs undoing' }) },
      },
      {
        id: 'reserve',
        intentName: 'reserve',
        compensate: {
          intentName: 'release',
          params: { holdId: '$results.reserve.holdId', cart: '$input.cart' },
        },
      },
      {
        id: 'quote',
        intentName: 'quote',
        parallel: true,
        condition: (context) => context.shipping !== false,
        compensate: { intentName: 'release', params: { quoteId: '$results.quote.quoteId' } },
      },
      { id: 'charge', intentName: 'charge', params: { amount: 10 } },
      { id: 'ship', intentName: 'ship', compensate: { intentName: 'release' } },
    ],
    ...overrides,
  }
}

function fixture(charge: () => unknown = () => Promise.reject(declined())) {
  const release = recorder(() => ({ released: true }))
  const order: string[] = []
  const engine = engineWith([
    intent('validate', async () => ({ valid: true })),
    intent('reserve', async () => ({ holdId: 'H-1' })),
    intent('quote', async () => ({ quoteId: 'Q-7' })),
    intent('charge', async () => (await charge()) as Record<string, unknown>),
    intent('ship', async () => ({ shipped: true })),
    intent('release', async (params) => {
      order.push(JSON.stringify(params))
      return release.handler(params, {} as IxpContext)
    }),
  ])
  return { engine, release, order }
}

describe('compensation', () => {
  it('undoes the completed steps in reverse order when the run fails, with their own results', async () => {
    const { engine, order } = fixture()
    const plugin = workflows({ workflows: [checkout()] })
    const events: string[] = []
    plugin.events.on('compensation:start', (event) => events.push(`start:${event.stepId}`))
    plugin.events.on('compensation:success', (event) => events.push(`success:${event.stepId}`))
    engine.use(plugin)

    const result = await runWorkflow(engine, 'checkout', { cart: 'C-9' })
    expect(result.status).toBe('failed')
    expect(result.error?.step).toBe('charge')
    // quote then reserve (reverse step order), validate's function compensation last.
    expect(order).toEqual([
      JSON.stringify({ quoteId: 'Q-7' }),
      JSON.stringify({ holdId: 'H-1', cart: 'C-9' }),
    ])
    expect(events).toEqual([
      'start:quote',
      'success:quote',
      'start:reserve',
      'success:reserve',
      'start:validate',
      'success:validate',
    ])
    const byId = Object.fromEntries(result.steps.map((step) => [step.id, step]))
    expect(byId.reserve!.compensation).toMatchObject({ status: 'completed', attempts: 1 })
    expect(byId.validate!.compensation?.result).toEqual({ never: 'validate never needs undoing' })
    // The failed step and the steps that never ran have nothing to undo.
    expect(byId.charge!.compensation).toBeUndefined()
    expect(byId.ship!.compensation).toBeUndefined()
  })

  it('does not compensate skipped steps, nor anything when the run succeeds or is partial', async () => {
    const skipped = fixture()
    skipped.engine.use(workflows({ workflows: [checkout()] }))
    await runWorkflow(skipped.engine, 'checkout', { cart: 'C' }, {}, { context: { shipping: false } })
    expect(skipped.order).toEqual([JSON.stringify({ holdId: 'H-1', cart: 'C' })])

    const success = fixture(async () => ({ paid: true }))
    success.engine.use(workflows({ workflows: [checkout()] }))
    expect((await runWorkflow(success.engine, 'checkout', { cart: 'C' })).status).toBe('completed')
    expect(success.order).toEqual([])

    const partial = fixture()
    partial.engine.use(workflows({ workflows: [checkout({ errorHandling: 'continue' })] }))
    expect((await runWorkflow(partial.engine, 'checkout', { cart: 'C' })).status).toBe('partial')
    expect(partial.order).toEqual([])
  })

  it('records a failed compensation and still compensates the other steps; compensations may retry', async () => {
    const clock = manualClock()
    let releaseCalls = 0
    const engine = engineWith([
      intent('reserve', async () => ({ holdId: 'H' })),
      intent('quote', async () => ({ quoteId: 'Q' })),
      intent('charge', async () => {
        throw declined()
      }),
      intent('release_hold', async () => {
        releaseCalls++
        if (releaseCalls < 2) throw new IxpError('STORE_BUSY', 'busy', { status: 503, expose: true })
        return { released: 'hold' }
      }),
      intent('cancel_quote', async () => {
        throw new IxpError('QUOTE_GONE', 'Quote expired', { status: 410 })
      }),
    ])
    const plugin = workflows({
      clock,
      workflows: [
        {
          id: 'w',
          name: 'W',
          description: 'Compensation failures',
          steps: [
            {
              id: 'reserve',
              intentName: 'reserve',
              compensate: { intentName: 'release_hold', retries: 2, retryDelayMs: 20 },
            },
            { id: 'quote', intentName: 'quote', compensate: { intentName: 'cancel_quote' } },
            { id: 'charge', intentName: 'charge' },
          ],
        },
      ],
    })
    const failures: string[] = []
    plugin.events.on('compensation:failure', (event) => failures.push(`${event.stepId}:${event.error.code}`))
    plugin.events.on('compensation:retry', (event) => failures.push(`retry:${event.stepId}:${event.delayMs}`))
    engine.use(plugin)
    const run = runWorkflow(engine, 'w', {})
    const settled = deferred<WorkflowResult>()
    run.then(settled.resolve, settled.reject)
    // The retry of release_hold waits 20 ms on the manual clock.
    for (let i = 0; i < 50 && clock.pending() === 0; i++)
      await new Promise((resolve) => setImmediate(resolve))
    expect(clock.requested).toContain(20)
    await clock.advance(20)
    const result = await settled.promise
    expect(failures).toEqual(['quote:QUOTE_GONE', 'retry:reserve:20'])
    expect(result.steps[1]!.compensation).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'QUOTE_GONE', message: 'Quote expired' },
    })
    expect(result.steps[0]!.compensation).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { released: 'hold' },
    })
  })

  it('compensates after a workflow timeout and after the caller left: undoing does not depend on the caller', async () => {
    const clock = manualClock()
    const released: string[] = []
    const stuck = deferred()
    const engine = engineWith([
      intent('reserve', async () => ({ holdId: 'H' })),
      intent('stuck', async (_params, ctx) => {
        stuck.resolve()
        await new Promise((_resolve, reject) =>
          ctx.signal!.addEventListener('abort', () => reject(ctx.signal!.reason)),
        )
        return {}
      }),
      intent('release', async (params, ctx) => {
        released.push(`${String(params.holdId)}:${ctx.signal!.aborted}`)
        return {}
      }),
    ])
    const definition: WorkflowDefinition = {
      id: 'w',
      name: 'W',
      description: 'Timeout then undo',
      timeoutMs: 100,
      steps: [
        {
          id: 'reserve',
          intentName: 'reserve',
          compensate: { intentName: 'release', params: { holdId: '$results.reserve.holdId' } },
        },
        { id: 'stuck', intentName: 'stuck' },
      ],
    }
    engine.use(workflows({ clock, workflows: [definition] }))
    const run = runWorkflow(engine, 'w', {})
    await stuck.promise
    await clock.advance(100)
    const result = await run
    expect(result.error?.code).toBe('WORKFLOW_TIMEOUT')
    expect(released).toEqual(['H:false'])
    expect(result.steps[0]!.compensation?.status).toBe('completed')
  })

  it('a compensation that hangs ends at compensationTimeoutMs', async () => {
    const clock = manualClock()
    const engine = engineWith([
      intent('reserve', async () => ({})),
      intent('charge', async () => {
        throw declined()
      }),
    ])
    engine.use(
      workflows({
        clock,
        compensationTimeoutMs: 250,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Hanging undo',
            steps: [
              {
                id: 'reserve',
                intentName: 'reserve',
                compensate: { run: () => new Promise(() => undefined) },
              },
              { id: 'charge', intentName: 'charge' },
            ],
          },
        ],
      }),
    )
    const run = runWorkflow(engine, 'w', {})
    for (let i = 0; i < 50 && clock.pending() === 0; i++)
      await new Promise((resolve) => setImmediate(resolve))
    expect(clock.requested).toEqual([250])
    await clock.advance(250)
    const result = await run
    expect(result.steps[0]!.compensation).toMatchObject({
      status: 'failed',
      duration: 250,
      error: { code: 'WORKFLOW_STEP_TIMEOUT' },
    })
  })
})
