/**
 * One run of a workflow: its parallel groups in order, each step's condition, parameters and attempts, the
 * run's timeout and the caller's abort, then compensation of the completed steps if the run failed.
 *
 * One class (~460 lines) on purpose: every phase reads and writes the same run state (results, attempts, the
 * compensation stack, the trace); split, that state would be passed between files instead of owned here.
 */
import type { EventEmitter } from 'eventemitter3'
import { toIxpError, type Engine, type IxpContext, type IxpError, isObject } from '@ixp/core'
import { abortReason, LinkedController } from './context.js'
import type { CompiledAction, CompiledStep, CompiledWorkflow } from './define.js'
import { workflowError } from './errors.js'
import type { WorkflowEvents } from './events.js'
import type { ActionJob, ActionListener, Executor } from './executor.js'
import { resolveMapping, type MappingSources } from './mapping.js'
import type { Settings } from './options.js'
import { toStepError } from './report.js'
import type { StepRecord, StepScope, WorkflowError, WorkflowResult, WorkflowTrace } from './types.js'
import { messageOf } from '@ixp/core/plugin-kit'

export interface RunDependencies {
  engine: Engine
  settings: Settings
  executor: Executor
  events: EventEmitter<WorkflowEvents>
}

type EventName = keyof WorkflowEvents

/** What a step sees of its parallel group: the signal that cancels it, and how to cancel its siblings. */
interface GroupSignal {
  readonly signal: AbortSignal
  abort(reason: IxpError): void
}

const NEVER_ABORTED = new AbortController().signal

/** Durations are reported to a hundredth of a millisecond. */
function elapsed(from: number, to: number): number {
  return Math.round((to - from) * 100) / 100
}

export class WorkflowRun {
  readonly runId = globalThis.crypto.randomUUID()
  readonly #deps: RunDependencies
  readonly #workflow: CompiledWorkflow
  readonly #input: unknown
  readonly #context: Record<string, unknown>
  readonly #caller: IxpContext
  readonly #stack: readonly string[]
  readonly #records: StepRecord[]
  readonly #results = new Map<string, unknown>()
  readonly #controller: LinkedController
  #fatal: { error: IxpError; step: string } | undefined

  constructor(
    deps: RunDependencies,
    workflow: CompiledWorkflow,
    input: unknown,
    context: Record<string, unknown>,
    caller: IxpContext,
    stack: readonly string[],
  ) {
    this.#deps = deps
    this.#workflow = workflow
    this.#input = input
    this.#context = context
    this.#caller = caller
    this.#stack = stack
    // The caller's signal also carries the workflow render's own deadline (RENDER_TIMEOUT).
    this.#controller = new LinkedController(caller.signal)
    this.#records = workflow.steps.map((step) => {
      const record: StepRecord = {
        id: step.id,
        group: step.group,
        status: 'not_run',
        attempts: 0,
        duration: 0,
      }
      if (step.action.intentName !== undefined) record.intentName = step.action.intentName
      return record
    })
  }

  /** Runs the workflow to its end; never rejects. */
  async execute(): Promise<WorkflowResult> {
    const { clock } = this.#deps.settings
    const workflow = this.#workflow
    const startedAt = clock.now()
    this.#emit('workflow:start', {
      workflowId: workflow.id,
      runId: this.runId,
      input: this.#input,
      depth: this.#stack.length,
    })
    const timer =
      workflow.timeoutMs === undefined
        ? undefined
        : clock.setTimeout(
            () =>
              this.#controller.abort(
                workflowError(
                  'WORKFLOW_TIMEOUT',
                  { workflow: workflow.id, timeoutMs: workflow.timeoutMs! },
                  { details: { workflow: workflow.id, timeoutMs: workflow.timeoutMs } },
                ),
              ),
            workflow.timeoutMs,
          )
    try {
      for (const group of workflow.groups) {
        if (this.#controller.signal.aborted || this.#fatal) break
        if (group.length === 1) {
          // A step alone in its group has no siblings to cancel: it runs on the run's own signal.
          await this.#step(group[0]!, { signal: this.#controller.signal, abort: () => undefined })
        } else {
          const groupController = new LinkedController(this.#controller.signal)
          try {
            await Promise.all(group.map((step) => this.#step(step, groupController)))
          } finally {
            groupController.dispose()
          }
        }
        // Results become visible once the whole group ended: steps of one group never see each other's.
        for (const step of group) {
          const record = this.#records[step.index]!
          if (record.status === 'completed') this.#results.set(step.id, record.result)
        }
      }
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer)
      this.#controller.dispose()
    }

    let failure: WorkflowError | undefined
    if (this.#fatal) {
      const reported = toStepError(this.#fatal.error)
      failure = {
        ...reported,
        message: `Step '${this.#fatal.step}' failed: ${reported.message}`,
        step: this.#fatal.step,
      }
    } else if (
      this.#controller.signal.aborted &&
      // Aborted after every step already ended well: the work is done, there is nothing to undo.
      this.#records.some((record) => record.status === 'cancelled' || record.status === 'not_run')
    ) {
      failure = toStepError(abortReason(this.#controller.signal))
    }
    if (failure) await this.#compensate()

    const result: WorkflowResult = {
      runId: this.runId,
      workflowId: workflow.id,
      name: workflow.definition.name,
      status: failure ? 'failed' : this.#records.some((r) => r.status === 'failed') ? 'partial' : 'completed',
      executionTime: elapsed(startedAt, clock.now()),
      steps: this.#records,
      results: this.#finalResults(),
    }
    if (failure) result.error = failure
    this.#emit('workflow:end', {
      workflowId: workflow.id,
      runId: this.runId,
      status: result.status,
      durationMs: result.executionTime,
      ...(failure ? { error: failure } : {}),
      result,
    })
    return result
  }

  #finalResults(): Record<string, unknown> {
    if (this.#workflow.output) {
      const output = resolveMapping(this.#workflow.output, this.#sources())
      return isObject(output) ? output : {}
    }
    const results: Record<string, unknown> = {}
    for (const [id, value] of this.#results) if (value !== undefined) results[id] = value
    return results
  }

  #sources(): MappingSources {
    return { input: this.#input, results: this.#results, context: this.#context }
  }

  #scope(stepId: string): StepScope<any> {
    return {
      workflowId: this.#workflow.id,
      runId: this.runId,
      stepId,
      input: this.#input,
      context: this.#context,
      results: this.#results,
      caller: this.#caller,
    }
  }

  #trace(stepId: string): WorkflowTrace {
    return {
      workflowId: this.#workflow.id,
      runId: this.runId,
      stepId,
      stack: [...this.#stack, this.#workflow.id],
    }
  }

  /** A step from its condition to its last attempt. Never rejects. */
  async #step(step: CompiledStep, group: GroupSignal): Promise<void> {
    const { clock } = this.#deps.settings
    const record = this.#records[step.index]!
    const startedAt = clock.now()
    const base = { workflowId: this.#workflow.id, runId: this.runId, stepId: step.id }
    const scope = this.#scope(step.id)
    const finish = () => {
      record.duration = elapsed(startedAt, clock.now())
    }
    const fail = (error: IxpError, attempts: number) => {
      finish()
      record.status = 'failed'
      record.attempts = attempts
      record.error = toStepError(error)
      this.#log(step.id, error)
      this.#emit('step:failure', { ...base, attempts, durationMs: record.duration, error, cancelled: false })
      if (step.handling !== 'continue') {
        this.#fatal ??= { error, step: step.id }
        group.abort(
          workflowError(
            'WORKFLOW_STEP_CANCELLED',
            { failedStep: step.id },
            { details: { workflow: this.#workflow.id, failedStep: step.id } },
          ),
        )
      }
    }
    const cancel = (error: IxpError, attempts: number) => {
      finish()
      record.status = 'cancelled'
      record.attempts = attempts
      record.error = toStepError(error)
      this.#emit('step:failure', { ...base, attempts, durationMs: record.duration, error, cancelled: true })
    }

    try {
      if (step.condition) {
        let runs: boolean
        try {
          runs = Boolean(await step.condition(this.#context, this.#results, scope))
        } catch (error) {
          return fail(this.#userCodeError('WORKFLOW_CONDITION_FAILED', step.id, error), 0)
        }
        if (!runs) {
          finish()
          record.status = 'skipped'
          this.#emit('step:skipped', base)
          return
        }
      }
      if (group.signal.aborted) return cancel(abortReason(group.signal), 0)
      let params: unknown
      try {
        params = await this.#params(step.action, scope)
      } catch (error) {
        return fail(toIxpError(error), 0)
      }
      const outcome = await this.#deps.executor.run(
        this.#job(
          step.action,
          params,
          step.retries,
          step.retryDelayMs,
          step.action.timeoutMs,
          group.signal,
          step.id,
          'step',
        ),
        this.#listener('step', base, step.action.intentName),
      )
      if (outcome.ok) {
        finish()
        record.status = 'completed'
        record.attempts = outcome.attempts
        record.result = outcome.result
        if (outcome.tree !== undefined) record.tree = outcome.tree
        this.#emit('step:success', {
          ...base,
          attempts: outcome.attempts,
          durationMs: record.duration,
          result: outcome.result,
        })
      } else if (outcome.cancelled) {
        cancel(outcome.error, outcome.attempts)
      } else {
        fail(outcome.error, outcome.attempts)
      }
    } catch (unexpected) {
      // A listener or a bug: the run must still end with a record of it.
      fail(toIxpError(unexpected), record.attempts)
    }
  }

  #job(
    action: CompiledAction,
    params: unknown,
    retries: number,
    retryDelayMs: number | undefined,
    timeoutMs: number | undefined,
    signal: AbortSignal,
    stepId: string,
    phase: 'step' | 'compensation',
  ): ActionJob {
    return {
      action,
      params,
      retries,
      retryDelayMs,
      timeoutMs,
      signal,
      caller: this.#caller,
      trace: { ...this.#trace(stepId), ...(phase === 'compensation' ? { compensating: true } : {}) },
    }
  }

  #listener(
    kind: 'step' | 'compensation',
    base: { workflowId: string; runId: string; stepId: string },
    intentName: string | undefined,
  ): ActionListener {
    return {
      start: (attempt) =>
        kind === 'step'
          ? this.#emit('step:start', {
              ...base,
              attempt,
              ...(intentName === undefined ? {} : { intentName }),
            })
          : this.#emit('compensation:start', { ...base, attempt }),
      retry: (attempt, delayMs, error) =>
        this.#emit(kind === 'step' ? 'step:retry' : 'compensation:retry', {
          ...base,
          attempt,
          delayMs,
          error,
        }),
    }
  }

  /** The parameters of a step or compensation: its mapping, its transform, or the default. */
  async #params(action: CompiledAction, scope: StepScope<any>): Promise<unknown> {
    if (action.params) return resolveMapping(action.params, this.#sources())
    if (action.transform) {
      let params: unknown
      try {
        params = await action.transform(this.#input, this.#results, scope)
      } catch (error) {
        throw this.#userCodeError('WORKFLOW_TRANSFORM_FAILED', scope.stepId, error)
      }
      if (!isObject(params)) {
        throw workflowError(
          'WORKFLOW_TRANSFORM_FAILED',
          { step: scope.stepId, problem: 'must return an object of parameters' },
          { details: { workflow: this.#workflow.id, step: scope.stepId } },
        )
      }
      return params
    }
    // A nested workflow takes { input, context }; any other intent gets the workflow input (as the design does).
    if (this.#deps.executor.isWorkflowIntent(action.intentName))
      return { input: this.#input, context: this.#context }
    return this.#input
  }

  /** Compensates completed steps, last first. Compensation is not tied to the caller: it runs to its end. */
  async #compensate(): Promise<void> {
    const { clock, compensationTimeoutMs } = this.#deps.settings
    const steps = this.#workflow.steps.filter(
      (step) => step.compensate && this.#records[step.index]!.status === 'completed',
    )
    for (const step of steps.reverse()) {
      const compensate = step.compensate!
      const record = this.#records[step.index]!
      const base = { workflowId: this.#workflow.id, runId: this.runId, stepId: step.id }
      const startedAt = clock.now()
      let outcome:
        { ok: true; result: unknown; attempts: number } | { ok: false; error: IxpError; attempts: number }
      try {
        const params = await this.#params(compensate, this.#scope(step.id))
        outcome = await this.#deps.executor.run(
          this.#job(
            compensate,
            params,
            compensate.retries ?? 0,
            compensate.retryDelayMs ?? step.retryDelayMs,
            compensate.timeoutMs ?? compensationTimeoutMs,
            NEVER_ABORTED,
            step.id,
            'compensation',
          ),
          this.#listener('compensation', base, compensate.intentName),
        )
      } catch (error) {
        outcome = { ok: false, error: toIxpError(error), attempts: 0 }
      }
      const duration = elapsed(startedAt, clock.now())
      if (outcome.ok) {
        record.compensation = { status: 'completed', attempts: outcome.attempts, duration }
        if (outcome.result !== undefined) record.compensation.result = outcome.result
        this.#emit('compensation:success', { ...base, attempts: outcome.attempts, durationMs: duration })
      } else {
        record.compensation = {
          status: 'failed',
          attempts: outcome.attempts,
          duration,
          error: toStepError(outcome.error),
        }
        this.#log(step.id, outcome.error, 'compensation')
        this.#emit('compensation:failure', {
          ...base,
          attempts: outcome.attempts,
          durationMs: duration,
          error: outcome.error,
        })
      }
    }
  }

  /** An error of user code (condition, transform): our message for callers, the original kept as cause. */
  #userCodeError(
    code: 'WORKFLOW_CONDITION_FAILED' | 'WORKFLOW_TRANSFORM_FAILED',
    stepId: string,
    error: unknown,
  ): IxpError {
    const what = code === 'WORKFLOW_CONDITION_FAILED' ? 'its condition threw' : 'its transform threw'
    this.#deps.engine.logger.warn(`workflow '${this.#workflow.id}' step '${stepId}': ${what}`, {
      error: messageOf(error),
    })
    const extras = { cause: error, details: { workflow: this.#workflow.id, step: stepId } }
    return code === 'WORKFLOW_CONDITION_FAILED'
      ? workflowError(code, { step: stepId }, extras)
      : workflowError(code, { step: stepId, problem: 'threw' }, extras)
  }

  /** Errors callers only see the code of are logged here, so their message is not lost. */
  #log(stepId: string, error: IxpError, phase = 'step'): void {
    if (error.expose) return
    this.#deps.engine.logger.warn(`workflow '${this.#workflow.id}' ${phase} '${stepId}' failed`, {
      code: error.code,
      error: error.message,
    })
  }

  #emit<K extends EventName>(name: K, ...args: WorkflowEvents[K]): void {
    const { events, engine } = this.#deps
    if (events.listenerCount(name) === 0) return
    try {
      ;(events.emit as (event: K, ...rest: WorkflowEvents[K]) => boolean)(name, ...args)
    } catch (error) {
      engine.logger.error(`workflows: a '${name}' listener threw`, { error: messageOf(error) })
    }
  }
}
