import { IxpError } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { isRetryable, runWorkflow, workflows, type WorkflowResult } from '../src/index.js'
import { engineWith, intent, manualClock, recorder, settle } from './helpers.js'

/** Runs a workflow, firing the clock's timers whenever the run waits on one, until it ends. */
async function drive(
  clock: ReturnType<typeof manualClock>,
  run: Promise<WorkflowResult>,
): Promise<WorkflowResult> {
  let done = false
  const finished = run.finally(() => {
    done = true
  })
  for (let turns = 0; !done && turns < 1_000; turns++) {
    await settle()
    if (!done && clock.pending() > 0) await clock.next()
  }
  return finished
}

/** A handler failing with `error` for the first `failures` calls, then answering `{ ok: call }`. */
function flaky(failures: number, error: () => Error) {
  return recorder((_params, call) => {
    if (call <= failures) throw error()
    return { ok: call }
  })
}

const unavailable = () =>
  new IxpError('UPSTREAM_DOWN', 'Payment provider unavailable', { status: 503, expose: true })

describe('retries', () => {
  it('attempts a command step once whatever its retries say, unless the command is retrySafe', async () => {
    const run = async (extra: Record<string, unknown>) => {
      const clock = manualClock()
      const restock = flaky(1, unavailable)
      const engine = engineWith([intent('restock', restock.handler, { kind: 'command', ...extra })])
      engine.use(
        workflows({
          clock,
          workflows: [
            {
              id: 'replenish',
              name: 'Replenish',
              description: 'A command step with retries',
              steps: [{ id: 'restock', intentName: 'restock', retries: 3 }],
            },
          ],
        }),
      )
      const result = await drive(clock, runWorkflow(engine, 'replenish', {}))
      return { result, calls: restock.calls.length }
    }
    const once = await run({})
    expect(once.calls).toBe(1)
    expect(once.result.status).toBe('failed')
    expect(once.result.steps[0]).toMatchObject({ status: 'failed', attempts: 1 })
    const safe = await run({ retrySafe: true })
    expect(safe.calls).toBe(2)
    expect(safe.result.status).toBe('completed')
  })

  it('retries a failing step with exponential back-off on the injected clock, then succeeds', async () => {
    const clock = manualClock()
    const charge = flaky(3, unavailable)
    const engine = engineWith([intent('charge', charge.handler)])
    const plugin = workflows({
      clock,
      retryDelayMs: 100,
      workflows: [
        {
          id: 'pay',
          name: 'Pay',
          description: 'Retry',
          steps: [{ id: 'charge', intentName: 'charge', retries: 3 }],
        },
      ],
    })
    const retries: { attempt: number; delayMs: number; code: string }[] = []
    plugin.events.on('step:retry', (event) =>
      retries.push({ attempt: event.attempt, delayMs: event.delayMs, code: event.error.code }),
    )
    engine.use(plugin)

    const result = await drive(clock, runWorkflow(engine, 'pay', {}))
    expect(result.status).toBe('completed')
    expect(result.steps[0]).toMatchObject({ status: 'completed', attempts: 4, result: { ok: 4 } })
    expect(retries).toEqual([
      { attempt: 1, delayMs: 100, code: 'UPSTREAM_DOWN' },
      { attempt: 2, delayMs: 200, code: 'UPSTREAM_DOWN' },
      { attempt: 3, delayMs: 400, code: 'UPSTREAM_DOWN' },
    ])
    expect(clock.requested).toEqual([100, 200, 400])
    // The step's duration is measured on the same clock: the three waits.
    expect(result.steps[0]!.duration).toBe(700)
    expect(result.executionTime).toBe(700)
  })

  it('caps the delay at maxRetryDelayMs and uses the step and workflow retryDelayMs before the plugin default', async () => {
    const clock = manualClock()
    const a = flaky(4, unavailable)
    const b = flaky(1, unavailable)
    const engine = engineWith([intent('a', a.handler), intent('b', b.handler)])
    engine.use(
      workflows({
        clock,
        retryFactor: 3,
        maxRetryDelayMs: 500,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Delays',
            retryDelayMs: 50,
            steps: [
              { id: 'a', intentName: 'a', retries: 4 },
              { id: 'b', intentName: 'b', retries: 1, retryDelayMs: 7 },
            ],
          },
        ],
      }),
    )
    const result = await drive(clock, runWorkflow(engine, 'w', {}))
    expect(result.status).toBe('completed')
    expect(clock.requested).toEqual([50, 150, 450, 500, 7])
  })

  it("errorHandling 'retry' retries every step maxRetries times, then fails the run", async () => {
    const clock = manualClock()
    const charge = flaky(10, unavailable)
    const engine = engineWith([intent('charge', charge.handler)])
    engine.use(
      workflows({
        clock,
        workflows: [
          {
            id: 'pay',
            name: 'Pay',
            description: 'Retry mode',
            errorHandling: 'retry',
            maxRetries: 2,
            steps: [{ id: 'charge', intentName: 'charge' }],
          },
        ],
      }),
    )
    const result = await drive(clock, runWorkflow(engine, 'pay', {}))
    expect(charge.calls).toHaveLength(3)
    expect(result.status).toBe('failed')
    expect(result.steps[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'UPSTREAM_DOWN', message: 'Payment provider unavailable' },
    })
    expect(result.error).toEqual({
      code: 'UPSTREAM_DOWN',
      message: "Step 'charge' failed: Payment provider unavailable",
      step: 'charge',
    })
  })

  it('does not retry client errors (bad parameters, refusals): they will not get better', async () => {
    const clock = manualClock()
    const strict = recorder()
    const engine = engineWith([
      intent('strict', strict.handler, {
        parameters: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
      }),
      intent('refuse', async () => {
        throw new IxpError('FORBIDDEN', 'Not yours')
      }),
    ])
    engine.use(
      workflows({
        clock,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'No retry',
            errorHandling: 'continue',
            steps: [
              { id: 'bad', intentName: 'strict', params: { n: 'x' }, retries: 5 },
              { id: 'refused', intentName: 'refuse', retries: 5 },
            ],
          },
        ],
      }),
    )
    const result = await drive(clock, runWorkflow(engine, 'w', {}))
    expect(result.steps.map((step) => [step.status, step.attempts, step.error?.code])).toEqual([
      ['failed', 1, 'INVALID_REQUEST'],
      ['failed', 1, 'FORBIDDEN'],
    ])
    expect(clock.requested).toEqual([])
    expect(strict.calls).toHaveLength(0)
  })

  it('waits at least the Retry-After of a rate-limited step (within maxRetryDelayMs)', async () => {
    const clock = manualClock()
    const limited = flaky(
      2,
      () => new IxpError('RATE_LIMITED', 'Slow down', { headers: { 'Retry-After': '3' } }),
    )
    const engine = engineWith([intent('limited', limited.handler)])
    engine.use(
      workflows({
        clock,
        maxRetryDelayMs: 5_000,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Rate limited',
            steps: [{ id: 's', intentName: 'limited', retries: 2, retryDelayMs: 10 }],
          },
        ],
      }),
    )
    const result = await drive(clock, runWorkflow(engine, 'w', {}))
    expect(result.status).toBe('completed')
    expect(clock.requested).toEqual([3_000, 3_000])
  })

  it('takes a custom retryable policy, and a throwing policy means no retry', async () => {
    const clock = manualClock()
    const teapot = flaky(1, () => new IxpError('TEAPOT', 'Short and stout', { status: 418 }))
    const engine = engineWith([intent('teapot', teapot.handler)])
    engine.use(
      workflows({
        clock,
        retryable: (error) => error.code === 'TEAPOT' || isRetryable(error),
        workflows: [
          { id: 'w', name: 'W', description: 'd', steps: [{ id: 's', intentName: 'teapot', retries: 1 }] },
        ],
      }),
    )
    expect((await drive(clock, runWorkflow(engine, 'w', {}))).status).toBe('completed')

    const again = flaky(1, unavailable)
    const other = engineWith([intent('again', again.handler)])
    other.use(
      workflows({
        clock,
        retryable: () => {
          throw new Error('policy bug')
        },
        workflows: [
          { id: 'w', name: 'W', description: 'd', steps: [{ id: 's', intentName: 'again', retries: 3 }] },
        ],
      }),
    )
    const result = await drive(clock, runWorkflow(other, 'w', {}))
    expect(result.status).toBe('failed')
    expect(again.calls).toHaveLength(1)
  })

  it('isRetryable: 5xx, 408 and 429 yes; 4xx, cancellations and nested failures no', () => {
    const of = (code: string, status: number) => isRetryable(new IxpError(code, 'x', { status }))
    expect(of('INTERNAL_ERROR', 500)).toBe(true)
    expect(of('RENDER_TIMEOUT', 504)).toBe(true)
    expect(of('WORKFLOW_STEP_TIMEOUT', 504)).toBe(true)
    expect(of('RATE_LIMITED', 429)).toBe(true)
    expect(of('REQUEST_TIMEOUT', 408)).toBe(true)
    expect(of('INVALID_REQUEST', 400)).toBe(false)
    expect(of('UNAUTHORIZED', 401)).toBe(false)
    expect(of('ABORTED', 499)).toBe(false)
    expect(of('WORKFLOW_NESTED_FAILED', 502)).toBe(false)
    expect(of('WORKFLOW_DEPTH_EXCEEDED', 508)).toBe(false)
    expect(of('WORKFLOW_TIMEOUT', 504)).toBe(false)
  })
})
