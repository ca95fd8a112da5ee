/**
 * Runs one action (a step or a compensation) to its end: attempts through the engine's render path (or the
 * step's function), each with its own signal and timeout, and retries with exponential back-off.
 */
import { toIxpError, type Engine, type IxpContext, type IxpError, type RenderNode } from '@ixp/core'
import { sleep } from './clock.js'
import { abortReason, childContext, LinkedController, untilAborted } from './context.js'
import type { CompiledAction } from './define.js'
import { workflowError } from './errors.js'
import type { Settings } from './options.js'
import type { WorkflowTrace } from './types.js'

/** One action to run for one step of one run. */
export interface ActionJob {
  action: CompiledAction
  params: unknown
  /** Extra attempts after retryable failures. */
  retries: number
  retryDelayMs: number | undefined
  timeoutMs: number | undefined
  /** Aborts when the run (or the step's group) ends: the action is then cancelled, not failed. */
  signal: AbortSignal
  caller: IxpContext
  trace: WorkflowTrace
}

export interface ActionListener {
  start(attempt: number): void
  retry(attempt: number, delayMs: number, error: IxpError): void
}

export type ActionOutcome =
  | { ok: true; result: unknown; tree: RenderNode | undefined; attempts: number }
  | { ok: false; error: IxpError; cancelled: boolean; attempts: number }

const WORKFLOW_RESULT_STATUS_FAILED = 'failed'

function retryAfterMs(error: IxpError): number | undefined {
  const headers = error.headers
  if (!headers) return undefined
  const value = headers['Retry-After'] ?? headers['retry-after']
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  return Number(value.trim()) * 1000
}

export class Executor {
  readonly #engine: Engine
  readonly #settings: Settings

  constructor(engine: Engine, settings: Settings) {
    this.#engine = engine
    this.#settings = settings
  }

  /** True for an intent registered by a workflows plugin. */
  isWorkflowIntent(name: string | undefined): boolean {
    if (name === undefined) return false
    const metadata = this.#engine.intents.get(name)?.metadata
    return metadata?.isWorkflow === true
  }

  /** Runs the job's attempts; never rejects. */
  async run(job: ActionJob, listener: ActionListener): Promise<ActionOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (job.signal.aborted)
        return { ok: false, error: abortReason(job.signal), cancelled: true, attempts: attempt - 1 }
      listener.start(attempt)
      try {
        const { result, tree } = await this.#attempt(job)
        return { ok: true, result, tree, attempts: attempt }
      } catch (thrown) {
        const error = toIxpError(thrown)
        if (job.signal.aborted)
          return { ok: false, error: abortReason(job.signal), cancelled: true, attempts: attempt }
        if (attempt > job.retries || !this.#retryable(error) || this.#attemptOnce(job)) {
          return { ok: false, error, cancelled: false, attempts: attempt }
        }
        const delayMs = this.#backoff(job, attempt, error)
        listener.retry(attempt, delayMs, error)
        try {
          await sleep(this.#settings.clock, delayMs, job.signal)
        } catch {
          return { ok: false, error: abortReason(job.signal), cancelled: true, attempts: attempt }
        }
      }
    }
  }

  /** A command runs once unless it says a repeat is harmless (`retrySafe`): a retry could do it twice. */
  #attemptOnce(job: ActionJob): boolean {
    const { intentName } = job.action
    if (intentName === undefined) return false
    const intent = this.#engine.intents.get(intentName)
    return intent?.kind === 'command' && intent.retrySafe !== true
  }

  #retryable(error: IxpError): boolean {
    try {
      return this.#settings.retryable(error) === true
    } catch (policyError) {
      this.#engine.logger.error('workflows: the retryable() option threw; not retrying', {
        error: (policyError as Error)?.message,
      })
      return false
    }
  }

  #backoff(job: ActionJob, attempt: number, error: IxpError): number {
    const { retryDelayMs, retryFactor, maxRetryDelayMs } = this.#settings
    let delay = (job.retryDelayMs ?? retryDelayMs) * retryFactor ** (attempt - 1)
    const retryAfter = retryAfterMs(error)
    if (retryAfter !== undefined) delay = Math.max(delay, retryAfter)
    return Math.min(delay, maxRetryDelayMs)
  }

  /** One attempt: its signal aborts with the job's signal or at the job's timeout. */
  async #attempt(job: ActionJob): Promise<{ result: unknown; tree: RenderNode | undefined }> {
    const { clock } = this.#settings
    // Every attempt gets a signal of its own, linked to the job's through one shared listener: the render it
    // starts listens to that signal, and a wide parallel group must not put one listener per step on the job's
    // signal (node warns past ten, and each costs a listener walk on abort).
    const attempt = new LinkedController(job.signal)
    const signal = attempt.signal
    const timer =
      job.timeoutMs === undefined
        ? undefined
        : clock.setTimeout(
            () =>
              attempt.abort(
                workflowError(
                  'WORKFLOW_STEP_TIMEOUT',
                  { step: job.trace.stepId, workflow: job.trace.workflowId, timeoutMs: job.timeoutMs! },
                  {
                    details: {
                      workflow: job.trace.workflowId,
                      step: job.trace.stepId,
                      timeoutMs: job.timeoutMs,
                    },
                  },
                ),
              ),
            job.timeoutMs,
          )
    const ctx = childContext(job.caller, signal, job.trace)
    try {
      const { intentName, run } = job.action
      if (intentName !== undefined) {
        const rendered = await this.#engine.render(
          { intent: { name: intentName, parameters: job.params as Record<string, unknown> } },
          ctx,
        )
        this.#checkNested(intentName, rendered.props)
        return { result: rendered.props, tree: rendered.tree }
      }
      const result = await untilAborted(
        Promise.resolve().then(() => run!(job.params as Record<string, unknown>, ctx)),
        signal,
      )
      return { result, tree: undefined }
    } catch (error) {
      // The engine reports an abort as ABORTED; the signal knows the real reason (step timeout, run ended).
      if (signal.aborted) throw abortReason(signal)
      throw error
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer)
      attempt.dispose()
    }
  }

  /** A nested workflow answers 200 with a failed result; for the outer workflow that step failed. */
  #checkNested(intentName: string, props: Record<string, unknown>): void {
    if (props.status !== WORKFLOW_RESULT_STATUS_FAILED || !this.isWorkflowIntent(intentName)) return
    const nested = (props.error ?? {}) as { code?: unknown; message?: unknown }
    const workflowId = typeof props.workflowId === 'string' ? props.workflowId : intentName
    throw workflowError(
      'WORKFLOW_NESTED_FAILED',
      { workflow: workflowId, reason: typeof nested.message === 'string' ? `: ${nested.message}` : '' },
      { details: { workflow: workflowId, runId: props.runId, error: props.error } },
    )
  }
}
