/**
 * Workflow runs and steps as spans, from the events of `@ixp/plugin-workflows`: one span per run, one per
 * step attempt (retries, skips, failures and compensations included). The tree:
 *
 *   ixp.render workflow_<id> → ixp.handler → ixp.workflow <id> → ixp.workflow.step <step> → ixp.render <intent>
 *
 * The events carry no context, so a run finds its parent through its input: the handler span of the
 * `workflow_<id>` render is remembered under the `input` object the workflow intent's handler receives,
 * which is the object the `workflow:start` event reports. A step's render finds its step span through
 * `ctx.workflow` (run and step id), which the workflows plugin puts on every step's context.
 */
import { context as contextApi, SpanKind, trace, type Context, type Span } from '@opentelemetry/api'
import type { IxpError, RenderState } from '@ixp/core'
import type { StepEventBase, WorkflowEvents, WorkflowsPlugin, WorkflowTrace } from '@ixp/plugin-workflows'
import {
  ATTR_IXP_INTENT,
  ATTR_IXP_WORKFLOW_ATTEMPT,
  ATTR_IXP_WORKFLOW_CANCELLED,
  ATTR_IXP_WORKFLOW_COMPENSATING,
  ATTR_IXP_WORKFLOW_DEPTH,
  ATTR_IXP_WORKFLOW_ID,
  ATTR_IXP_WORKFLOW_RUN_ID,
  ATTR_IXP_WORKFLOW_SKIPPED,
  ATTR_IXP_WORKFLOW_STATUS,
  ATTR_IXP_WORKFLOW_STEP_ID,
  ATTR_ERROR_TYPE,
  ATTR_IXP_ERROR_CODE,
  SPAN_WORKFLOW,
  SPAN_WORKFLOW_COMPENSATION,
  SPAN_WORKFLOW_STEP,
} from './semconv.js'
import { failSpan, spanTime, type TracerSource } from './spans.js'
import { SpanStatusCode } from '@opentelemetry/api'

/** What this package needs of a workflows plugin (`workflows()` of `@ixp/plugin-workflows`): its typed events. */
export type WorkflowEventSource = Pick<WorkflowsPlugin, 'events'>

/** The part of `ctx.workflow` (the workflows plugin's `WorkflowTrace`) a step's render span needs. */
export type StepTrace = Pick<WorkflowTrace, 'workflowId' | 'runId' | 'stepId' | 'compensating'>

/** The event a workflows plugin emits as `name`. */
type EventOf<Name extends keyof WorkflowEvents> = WorkflowEvents[Name][0]

/** A listener for every event this package follows, typed by the workflows plugin's event map. */
type Listeners = { [Name in keyof WorkflowEvents]: (...args: WorkflowEvents[Name]) => void }

/** `ctx.workflow` when it has the shape the workflows plugin gives it (a context can carry anything at runtime). */
export function stepTraceOf(value: unknown): StepTrace | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { workflowId, runId, stepId, compensating } = value as Record<string, unknown>
  if (typeof workflowId !== 'string' || typeof runId !== 'string' || typeof stepId !== 'string')
    return undefined
  return { workflowId, runId, stepId, compensating: compensating === true }
}

interface OpenSpan {
  span: Span
  context: Context
}

interface RunRecord extends OpenSpan {
  /** Open step attempts by step id, and compensations by `c:` + step id. */
  steps: Map<string, OpenSpan>
}

function compensationKey(stepId: string): string {
  return `c:${stepId}`
}

export class WorkflowSpans {
  readonly #tracers: TracerSource
  readonly #runs = new Map<string, RunRecord>()
  readonly #parents = new WeakMap<object, Context>()

  constructor(tracers: TracerSource) {
    this.#tracers = tracers
  }

  /** Subscribes to the plugin's events; returns the unsubscribe function. */
  attach(source: WorkflowEventSource): () => void {
    const listeners: Listeners = {
      'workflow:start': (event) => this.#runStarts(event),
      'workflow:end': (event) => this.#runEnds(event),
      'step:start': (event) => this.#attemptStarts(event, false),
      'step:retry': (event) => this.#attemptFails(event.runId, event.stepId, event.error),
      'step:success': (event) => this.#attemptEnds(event.runId, event.stepId),
      'step:failure': (event) => this.#attemptFails(event.runId, event.stepId, event.error, event.cancelled),
      'step:skipped': (event) => this.#skipped(event),
      'compensation:start': (event) => this.#attemptStarts(event, true),
      'compensation:retry': (event) =>
        this.#attemptFails(event.runId, compensationKey(event.stepId), event.error),
      'compensation:success': (event) => this.#attemptEnds(event.runId, compensationKey(event.stepId)),
      'compensation:failure': (event) =>
        this.#attemptFails(event.runId, compensationKey(event.stepId), event.error),
    }
    const names = Object.keys(listeners) as (keyof WorkflowEvents)[]
    // One generic call per name keeps each listener paired with its own event's type.
    const on = <Name extends keyof WorkflowEvents>(name: Name) => source.events.on(name, listeners[name])
    const off = <Name extends keyof WorkflowEvents>(name: Name) => source.events.off(name, listeners[name])
    for (const name of names) on(name)
    return () => {
      for (const name of names) off(name)
    }
  }

  /** Remembers the handler span of a render whose parameters hold an `input` object (a workflow intent). */
  handlerStarts(state: RenderState, handlerContext: Context | undefined): void {
    const input = state.parameters?.input
    if (handlerContext !== undefined && typeof input === 'object' && input !== null) {
      this.#parents.set(input, handlerContext)
    }
  }

  /** The open step (or compensation) span a step's render belongs under. */
  stepContext(step: StepTrace | undefined): Context | undefined {
    if (step === undefined) return undefined
    const key = step.compensating ? compensationKey(step.stepId) : step.stepId
    return this.#runs.get(step.runId)?.steps.get(key)?.context
  }

  #runStarts(event: EventOf<'workflow:start'>): void {
    const tracer = this.#tracers.tracer()
    if (tracer === undefined) return
    const input = event.input
    const parent =
      (typeof input === 'object' && input !== null ? this.#parents.get(input) : undefined) ??
      contextApi.active()
    const span = tracer.startSpan(
      `${SPAN_WORKFLOW} ${event.workflowId}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: spanTime(),
        attributes: {
          [ATTR_IXP_WORKFLOW_ID]: event.workflowId,
          [ATTR_IXP_WORKFLOW_RUN_ID]: event.runId,
          [ATTR_IXP_WORKFLOW_DEPTH]: event.depth,
        },
      },
      parent,
    )
    this.#runs.set(event.runId, { span, context: trace.setSpan(parent, span), steps: new Map() })
  }

  #runEnds(event: EventOf<'workflow:end'>): void {
    const run = this.#runs.get(event.runId)
    if (run === undefined) return
    this.#runs.delete(event.runId)
    const now = performance.now()
    for (const open of run.steps.values()) {
      open.span.setAttribute(ATTR_IXP_WORKFLOW_CANCELLED, true)
      open.span.end(spanTime(now))
    }
    run.span.setAttribute(ATTR_IXP_WORKFLOW_STATUS, event.status)
    const error = event.error
    if (event.status === 'failed' && error !== undefined) {
      const code = typeof error.code === 'string' ? error.code : 'WORKFLOW_FAILED'
      const message = typeof error.message === 'string' ? error.message : undefined
      run.span.setStatus(
        message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message },
      )
      run.span.setAttribute(ATTR_ERROR_TYPE, code)
      run.span.setAttribute(ATTR_IXP_ERROR_CODE, code)
    }
    run.span.end(spanTime(now))
  }

  #attemptStarts(
    event: StepEventBase & { attempt: number; intentName?: string },
    compensating: boolean,
  ): void {
    const run = this.#runs.get(event.runId)
    const tracer = this.#tracers.tracer()
    if (run === undefined || tracer === undefined) return
    const key = compensating ? compensationKey(event.stepId) : event.stepId
    run.steps.get(key)?.span.end(spanTime())
    const span = tracer.startSpan(
      `${compensating ? SPAN_WORKFLOW_COMPENSATION : SPAN_WORKFLOW_STEP} ${event.stepId}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: spanTime(),
        attributes: {
          [ATTR_IXP_WORKFLOW_STEP_ID]: event.stepId,
          [ATTR_IXP_WORKFLOW_ATTEMPT]: event.attempt,
          ...(event.intentName === undefined ? {} : { [ATTR_IXP_INTENT]: event.intentName }),
          ...(compensating ? { [ATTR_IXP_WORKFLOW_COMPENSATING]: true } : {}),
        },
      },
      run.context,
    )
    run.steps.set(key, { span, context: trace.setSpan(run.context, span) })
  }

  #attemptEnds(runId: string, key: string): void {
    const run = this.#runs.get(runId)
    const open = run?.steps.get(key)
    if (open === undefined) return
    run!.steps.delete(key)
    open.span.end(spanTime())
  }

  #attemptFails(runId: string, key: string, error: IxpError, cancelled = false): void {
    const run = this.#runs.get(runId)
    const open = run?.steps.get(key)
    if (open === undefined) return
    run!.steps.delete(key)
    failSpan(open.span, error)
    if (cancelled) open.span.setAttribute(ATTR_IXP_WORKFLOW_CANCELLED, true)
    open.span.end(spanTime())
  }

  #skipped(event: StepEventBase): void {
    const run = this.#runs.get(event.runId)
    const tracer = this.#tracers.tracer()
    if (run === undefined || tracer === undefined) return
    const now = performance.now()
    tracer
      .startSpan(
        `${SPAN_WORKFLOW_STEP} ${event.stepId}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: spanTime(now),
          attributes: { [ATTR_IXP_WORKFLOW_STEP_ID]: event.stepId, [ATTR_IXP_WORKFLOW_SKIPPED]: true },
        },
        run.context,
      )
      .end(spanTime(now))
  }
}
