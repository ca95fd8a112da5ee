import { IxpError, isIxpError, type ElementNode, type IxpContext } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { runWorkflow, workflows, type WorkflowResult } from '../src/index.js'
import {
  deferred,
  engineWith,
  eventually,
  intent,
  manualClock,
  recorder,
  recordingLogger,
} from './helpers.js'

const boom = (message = 'Card declined') => new IxpError('CARD_DECLINED', message, { status: 402 })

/** A handler that waits until its step's signal aborts, and remembers the abort reason. */
function hanging() {
  const reasons: unknown[] = []
  const started = deferred()
  const handler = (_params: Record<string, unknown>, ctx: IxpContext) =>
    new Promise<Record<string, unknown>>((_resolve, reject) => {
      started.resolve()
      ctx.signal!.addEventListener('abort', () => {
        reasons.push(ctx.signal!.reason)
        reject(ctx.signal!.reason)
      })
    })
  return { handler, reasons, started: started.promise }
}

describe('failure modes', () => {
  it("'stop' (the default) ends the run at the failing step: later steps do not run", async () => {
    const later = recorder()
    const engine = engineWith([
      intent('ok', async () => ({ fine: true })),
      intent('fail', async () => {
        throw boom()
      }),
      intent('later', later.handler),
    ])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Stop',
            steps: [
              { id: 'first', intentName: 'ok' },
              { id: 'charge', intentName: 'fail' },
              { id: 'ship', intentName: 'later' },
            ],
          },
        ],
      }),
    )
    const result = await runWorkflow(engine, 'w', {})
    expect(result.status).toBe('failed')
    expect(result.steps.map((step) => step.status)).toEqual(['completed', 'failed', 'not_run'])
    expect(result.steps[1]!.error).toEqual({ code: 'CARD_DECLINED', message: 'Card declined' })
    expect(result.error).toEqual({
      code: 'CARD_DECLINED',
      message: "Step 'charge' failed: Card declined",
      step: 'charge',
    })
    expect(result.results).toEqual({ first: { fine: true } })
    expect(later.calls).toHaveLength(0)
  })

  it('a failing step cancels the rest of its parallel group through their signals', async () => {
    const slow = hanging()
    const engine = engineWith([
      intent('slow', slow.handler),
      intent('fail', async () => {
        await slow.started
        throw boom()
      }),
    ])
    const plugin = workflows({
      workflows: [
        {
          id: 'w',
          name: 'W',
          description: 'Group',
          steps: [
            { id: 'reserve', intentName: 'slow' },
            { id: 'charge', intentName: 'fail', parallel: true },
          ],
        },
      ],
    })
    const failures: { step: string; cancelled: boolean }[] = []
    plugin.events.on('step:failure', (event) =>
      failures.push({ step: event.stepId, cancelled: event.cancelled }),
    )
    engine.use(plugin)
    const result = await runWorkflow(engine, 'w', {})
    expect(result.status).toBe('failed')
    expect(result.steps[0]).toMatchObject({
      status: 'cancelled',
      error: {
        code: 'WORKFLOW_STEP_CANCELLED',
        message: "Cancelled: step 'charge' of the same parallel group failed",
      },
    })
    expect(result.error?.step).toBe('charge')
    // The step's render was aborted (inside the render, the engine reports any abort of its caller as ABORTED).
    expect(slow.reasons).toHaveLength(1)
    expect(isIxpError(slow.reasons[0])).toBe(true)
    expect(failures).toEqual([
      { step: 'charge', cancelled: false },
      { step: 'reserve', cancelled: true },
    ])
  })

  it("'continue' records the failure and goes on; the run is 'partial' and reads nothing from the failed step", async () => {
    const notify = recorder()
    const engine = engineWith([
      intent('fail', async () => {
        throw boom()
      }),
      intent('notify', notify.handler),
    ])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Continue',
            errorHandling: 'continue',
            steps: [
              { id: 'loyalty', intentName: 'fail' },
              { id: 'notify', intentName: 'notify', params: { points: '$results.loyalty.points', fixed: 1 } },
            ],
          },
        ],
      }),
    )
    const result = await runWorkflow(engine, 'w', {})
    expect(result.status).toBe('partial')
    expect(result.error).toBeUndefined()
    expect(result.steps.map((step) => step.status)).toEqual(['failed', 'completed'])
    expect(notify.calls[0]!.params).toEqual({ fixed: 1 })
    const rendered = await engine.render({ intent: { name: 'workflow_w', parameters: { input: {} } } })
    expect((rendered.tree as ElementNode).props.class).toBe('workflow-result status-partial')
  })

  it('a step errorHandling overrides the workflow one, both ways', async () => {
    const engine = engineWith([
      intent('fail', async () => {
        throw boom()
      }),
      intent('ok', async () => ({})),
    ])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'lenient',
            name: 'L',
            description: 'Stop, but one step may fail',
            steps: [
              { id: 'optional', intentName: 'fail', errorHandling: 'continue' },
              { id: 'main', intentName: 'ok' },
            ],
          },
          {
            id: 'strict',
            name: 'S',
            description: 'Continue, but one step must not fail',
            errorHandling: 'continue',
            steps: [
              { id: 'required', intentName: 'fail', errorHandling: 'stop' },
              { id: 'main', intentName: 'ok' },
            ],
          },
        ],
      }),
    )
    const lenient = await runWorkflow(engine, 'lenient', {})
    expect([lenient.status, lenient.steps.map((s) => s.status)]).toEqual(['partial', ['failed', 'completed']])
    const strict = await runWorkflow(engine, 'strict', {})
    expect([strict.status, strict.steps.map((s) => s.status)]).toEqual(['failed', ['failed', 'not_run']])
  })

  it('a throwing condition or transform fails the step with its own code, is not retried, and is logged', async () => {
    const logger = recordingLogger()
    const target = recorder()
    const engine = engineWith([intent('target', target.handler)], { logger })
    engine.use(
      workflows({
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'User code errors',
            errorHandling: 'continue',
            steps: [
              {
                id: 'cond',
                intentName: 'target',
                retries: 3,
                condition: () => {
                  throw new Error('secret connection string')
                },
              },
              {
                id: 'shape',
                intentName: 'target',
                retries: 3,
                transform: () => {
                  throw new TypeError('cannot read x')
                },
              },
              { id: 'notObject', intentName: 'target', transform: () => 'text' as never },
            ],
          },
        ],
      }),
    )
    const result = await runWorkflow(engine, 'w', {})
    expect(result.steps.map((step) => [step.status, step.attempts, step.error])).toEqual([
      [
        'failed',
        0,
        {
          code: 'WORKFLOW_CONDITION_FAILED',
          message: "Step 'cond': its condition threw",
          details: { workflow: 'w', step: 'cond' },
        },
      ],
      [
        'failed',
        0,
        {
          code: 'WORKFLOW_TRANSFORM_FAILED',
          message: "Step 'shape': its transform threw",
          details: { workflow: 'w', step: 'shape' },
        },
      ],
      [
        'failed',
        0,
        {
          code: 'WORKFLOW_TRANSFORM_FAILED',
          message: "Step 'notObject': its transform must return an object of parameters",
          details: { workflow: 'w', step: 'notObject' },
        },
      ],
    ])
    expect(target.calls).toHaveLength(0)
    // The caller never sees the inner message; the server log does.
    expect(JSON.stringify(result)).not.toContain('secret connection string')
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: "workflow 'w' step 'cond': its condition threw",
      data: { error: 'secret connection string' },
    })
  })

  it('hides the message of errors that are not exposable (internal failures) from the result and the tree', async () => {
    const logger = recordingLogger()
    const engine = engineWith(
      [
        intent('crash', async () => {
          throw new Error('db password=hunter2 rejected')
        }),
      ],
      { logger },
    )
    engine.use(
      workflows({
        workflows: [
          { id: 'w', name: 'W', description: 'Crash', steps: [{ id: 'crash', intentName: 'crash' }] },
        ],
      }),
    )
    const rendered = await engine.render({ intent: { name: 'workflow_w', parameters: { input: {} } } })
    expect(rendered.props.status).toBe('failed')
    expect(rendered.props.error).toEqual({
      code: 'INTERNAL_ERROR',
      message: "Step 'crash' failed: The step failed with an internal error",
      step: 'crash',
    })
    expect(JSON.stringify(rendered)).not.toContain('hunter2')
    expect(logger.lines.some((line) => JSON.stringify(line.data).includes('hunter2'))).toBe(true)
  })

  it('a step timeout aborts the attempt signal with WORKFLOW_STEP_TIMEOUT; a retry can still succeed', async () => {
    const clock = manualClock()
    const reasons: string[] = []
    let calls = 0
    const engine = engineWith([
      intent('sometimes_slow', (_params, ctx) => {
        calls++
        if (calls > 1) return { fast: true }
        return new Promise((_resolve, reject) =>
          ctx.signal!.addEventListener('abort', () => {
            reasons.push((ctx.signal!.reason as IxpError).code)
            reject(ctx.signal!.reason)
          }),
        )
      }),
    ])
    engine.use(
      workflows({
        clock,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Timeout',
            steps: [{ id: 'slow', intentName: 'sometimes_slow', timeoutMs: 50, retries: 1, retryDelayMs: 5 }],
          },
        ],
      }),
    )
    const run = runWorkflow(engine, 'w', {})
    await eventually(() => calls === 1, 'the first attempt')
    await clock.advance(50)
    await clock.advance(5)
    const result = await run
    expect(reasons).toHaveLength(1)
    expect(result.steps[0]).toMatchObject({
      status: 'completed',
      attempts: 2,
      duration: 55,
      result: { fast: true },
    })
  })

  it('a function step that ignores its signal still ends at its timeout', async () => {
    const clock = manualClock()
    const reasons: string[] = []
    const engine = engineWith([])
    engine.use(
      workflows({
        clock,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Stuck function',
            steps: [
              {
                id: 'stuck',
                run: (_params, ctx) => {
                  ctx.signal!.addEventListener('abort', () =>
                    reasons.push((ctx.signal!.reason as IxpError).code),
                  )
                  return new Promise(() => undefined)
                },
                timeoutMs: 30,
              },
            ],
          },
        ],
      }),
    )
    const run = runWorkflow(engine, 'w', {})
    await eventually(() => clock.pending() > 0, 'the step timer')
    await clock.advance(30)
    const result = await run
    expect(result.steps[0]!.error).toEqual({
      code: 'WORKFLOW_STEP_TIMEOUT',
      message: "Step 'stuck' of workflow 'w' did not finish within 30 ms",
      details: { workflow: 'w', step: 'stuck', timeoutMs: 30 },
    })
    expect(result.error?.code).toBe('WORKFLOW_STEP_TIMEOUT')
    // A function step gets the plugin's own signal: the reason says why.
    expect(reasons).toEqual(['WORKFLOW_STEP_TIMEOUT'])
  })

  it('the workflow timeout cancels running steps and fails the run with WORKFLOW_TIMEOUT', async () => {
    const clock = manualClock()
    const slow = hanging()
    const later = recorder()
    const engine = engineWith([intent('slow', slow.handler), intent('later', later.handler)])
    engine.use(
      workflows({
        clock,
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'Overall timeout',
            timeoutMs: 1_000,
            steps: [
              { id: 'slow', intentName: 'slow' },
              { id: 'later', intentName: 'later' },
            ],
          },
        ],
      }),
    )
    const run = runWorkflow(engine, 'w', {})
    await slow.started
    await clock.advance(1_000)
    const result = await run
    expect(result.status).toBe('failed')
    expect(result.error).toEqual({
      code: 'WORKFLOW_TIMEOUT',
      message: "Workflow 'w' did not finish within 1000 ms",
      details: { workflow: 'w', timeoutMs: 1_000 },
    })
    expect(result.steps.map((step) => [step.status, step.error?.code])).toEqual([
      ['cancelled', 'WORKFLOW_TIMEOUT'],
      ['not_run', undefined],
    ])
    expect(slow.reasons).toHaveLength(1)
    expect(later.calls).toHaveLength(0)
    expect(clock.pending()).toBe(0)
  })

  it('when the caller goes away, the render rejects with ABORTED and the running step is aborted', async () => {
    const slow = hanging()
    const engine = engineWith([intent('slow', slow.handler)])
    const plugin = workflows({
      workflows: [{ id: 'w', name: 'W', description: 'Abort', steps: [{ id: 'slow', intentName: 'slow' }] }],
    })
    const ended = deferred<WorkflowResult>()
    plugin.events.on('workflow:end', (event) => ended.resolve(event.result))
    engine.use(plugin)
    const caller = new AbortController()
    const render = engine.render(
      { intent: { name: 'workflow_w', parameters: { input: {} } } },
      { signal: caller.signal },
    )
    await slow.started
    caller.abort()
    await expect(render).rejects.toMatchObject({ code: 'ABORTED' })
    const result = await ended.promise
    expect(result.status).toBe('failed')
    expect(result.error?.code).toBe('ABORTED')
    expect(result.steps[0]!.status).toBe('cancelled')
    expect((slow.reasons[0] as IxpError).code).toBe('ABORTED')
  })

  it('a caller leaving after every step ended does not fail (nor undo) the finished run', async () => {
    const undone = recorder()
    const engine = engineWith([intent('ok', async () => ({ done: true })), intent('undo', undone.handler)])
    const plugin = workflows({
      workflows: [
        {
          id: 'w',
          name: 'W',
          description: 'Late abort',
          steps: [{ id: 'last', intentName: 'ok', compensate: { intentName: 'undo' } }],
        },
      ],
    })
    const caller = new AbortController()
    // The caller goes away right after the last step succeeded, before the run reports its end.
    plugin.events.on('step:success', () => caller.abort())
    const ended = deferred<WorkflowResult>()
    plugin.events.on('workflow:end', (event) => ended.resolve(event.result))
    engine.use(plugin)
    await expect(runWorkflow(engine, 'w', {}, { signal: caller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    })
    const result = await ended.promise
    expect(result.status).toBe('completed')
    expect(undone.calls).toHaveLength(0)
  })

  it("the engine's own render deadline of the workflow also reaches the steps", async () => {
    const slow = hanging()
    const engine = engineWith([intent('slow', slow.handler)], { limits: { renderTimeoutMs: 20 } })
    const plugin = workflows({
      workflows: [
        { id: 'w', name: 'W', description: 'Deadline', steps: [{ id: 'slow', intentName: 'slow' }] },
      ],
    })
    const ended = deferred<WorkflowResult>()
    plugin.events.on('workflow:end', (event) => ended.resolve(event.result))
    engine.use(plugin)
    await expect(runWorkflow(engine, 'w', {})).rejects.toMatchObject({ code: 'RENDER_TIMEOUT' })
    const result = await ended.promise
    expect(result.error?.code).toBe('RENDER_TIMEOUT')
    expect(result.steps[0]).toMatchObject({ status: 'cancelled', error: { code: 'RENDER_TIMEOUT' } })
    expect(slow.reasons).toHaveLength(1)
  })

  it('a throwing event listener is logged and does not break the run', async () => {
    const logger = recordingLogger()
    const engine = engineWith([intent('ok', async () => ({ fine: 1 }))], { logger })
    const plugin = workflows({
      workflows: [{ id: 'w', name: 'W', description: 'Listener', steps: [{ id: 'a', intentName: 'ok' }] }],
    })
    plugin.events.on('step:success', () => {
      throw new Error('listener bug')
    })
    engine.use(plugin)
    const result = await runWorkflow(engine, 'w', {})
    expect(result.status).toBe('completed')
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: "workflows: a 'step:success' listener threw",
      data: { error: 'listener bug' },
    })
  })
})
