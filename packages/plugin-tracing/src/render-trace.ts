/**
 * Render spans through the engine's hooks. The render span opens first thing in `admission` (its start is
 * the render's own `startedAt`) and closes last thing in `afterRender`, or in `error`. Phase spans, one at a
 * time, are its children:
 *
 *   admission       admission OBSERVE_FIRST → admission OBSERVE_LAST     (when another plugin taps admission)
 *   cache lookup    beforeHandler OBSERVE_FIRST → OBSERVE_LAST, or afterRender OBSERVE_FIRST on a hit
 *   handler         beforeHandler OBSERVE_LAST → handler OBSERVE_FIRST   (when the intent has a handler)
 *   component       handler OBSERVE_LAST → render OBSERVE_LAST           (server-rendered components)
 *
 * The engine skips hooks nobody taps, so every tap here costs a hook call per render: the phase taps are
 * installed only while spans are recorded or phases are asked for (see `phases`). Per-render state lives in
 * a WeakMap keyed by the render's `RenderState`.
 */
import {
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapPropagator,
} from '@opentelemetry/api'
import { Stage, type Engine, type EngineHooks, type IxpError, type RenderState } from '@ixp/core'
import { isOwnTap, observeTaps, spanRun } from './taps.js'
import type { RenderMetrics } from './metrics/render-metrics.js'
import { UNKNOWN_INTENT } from './metrics/render-metrics.js'
import { parentContext, RENDER_PHASE } from './parent.js'
import {
  ATTR_IXP_CACHE_STATUS,
  ATTR_IXP_COMPONENT,
  ATTR_IXP_HOOK,
  ATTR_IXP_INTENT,
  ATTR_IXP_REQUEST_ID,
  ATTR_IXP_TAP,
  ATTR_IXP_WORKFLOW_COMPENSATING,
  ATTR_IXP_WORKFLOW_ID,
  ATTR_IXP_WORKFLOW_RUN_ID,
  ATTR_IXP_WORKFLOW_STEP_ID,
  SCOPE_NAME,
  SPAN_ADMISSION,
  SPAN_CACHE_LOOKUP,
  SPAN_COMPONENT_RENDER,
  SPAN_HANDLER,
  SPAN_RENDER,
  SPAN_TAP,
} from './semconv.js'
import { failSpan, spanTime, type TracerSource } from './spans.js'
import type { UserIds } from './user.js'
import { stepTraceOf, type WorkflowSpans } from './workflows.js'

interface Phase {
  span: Span
  context: Context
}

interface RenderRecord {
  /** The render span while it is recorded (sampled); undefined when only phases are timed. */
  span: Span | undefined
  context: Context | undefined
  phase: Phase | undefined
  /** `performance.now()` when the intent's handler started; NaN outside the handler. */
  handlerStart: number
}

export interface RenderTracerDeps {
  tracers: TracerSource
  propagator: TextMapPropagator
  metrics: RenderMetrics
  users: UserIds
  /** Time the phases (and so the handler histogram) even without recorded spans. */
  phases: boolean
  tapSpans: boolean
  workflows: WorkflowSpans | undefined
}

const TAP = { name: SCOPE_NAME, stage: Stage.OBSERVE_FIRST }
const TAP_LAST = { name: SCOPE_NAME, stage: Stage.OBSERVE_LAST }
const RESOLVED = Promise.resolve()

/** Hooks whose taps get their own span with `tapSpans`, and which argument is the render state. */
const STATE_ARGUMENT = { admission: 0, beforeHandler: 0, handler: 1, render: 1, afterRender: 1 } as const

function countOwn(hook: { taps: { name: string }[] }): number {
  return hook.taps.filter((tap) => isOwnTap(tap.name)).length
}

export class RenderTracer {
  readonly #engine: Engine
  readonly #deps: RenderTracerDeps
  readonly #records = new WeakMap<RenderState, RenderRecord>()
  #installed = false
  #ownAdmission = 0
  #ownBeforeHandler = 0

  constructor(engine: Engine, deps: RenderTracerDeps) {
    this.#engine = engine
    this.#deps = deps
  }

  get installed(): boolean {
    return this.#installed
  }

  /** Taps the render path (once). Always-on metrics and the `error` tap live in the plugin. */
  install(): void {
    if (this.#installed) return
    this.#installed = true
    const hooks = this.#engine.hooks
    const { phases } = this.#deps
    hooks.admission.tap(TAP, (state) => this.#start(state))
    if (this.#deps.users.mode === 'omit') hooks.admission.tap(TAP_LAST, (state) => void this.#admitted(state))
    else hooks.admission.tapPromise(TAP_LAST, (state) => this.#admitted(state) ?? RESOLVED)
    hooks.afterRender.tap(TAP_LAST, (result, state) => {
      this.#finish(state, result.meta.cache)
      return result
    })
    if (phases) {
      hooks.beforeHandler.tap(TAP, (state) => {
        this.#lookupStarts(state)
        return undefined
      })
      hooks.beforeHandler.tap(TAP_LAST, (state) => {
        this.#handlerStarts(state)
        return undefined
      })
      hooks.handler.tap(TAP, (props, state) => {
        this.#handlerEnds(state)
        return props
      })
      hooks.handler.tap(TAP_LAST, (props, state) => {
        this.#componentStarts(state)
        return props
      })
      hooks.render.tap(TAP_LAST, (tree, state) => {
        this.#closePhase(this.#records.get(state), state)
        return tree
      })
      hooks.afterRender.tap(TAP, (result, state) => {
        const record = this.#records.get(state)
        if (record?.phase !== undefined) {
          if (result.meta.cache !== undefined)
            record.phase.span.setAttribute(ATTR_IXP_CACHE_STATUS, result.meta.cache)
          this.#closePhase(record, state)
        }
        return result
      })
    }
    this.#ownAdmission = countOwn(hooks.admission)
    this.#ownBeforeHandler = countOwn(hooks.beforeHandler)
    if (this.#deps.tapSpans) this.#traceTaps(hooks)
  }

  // -------------------------------------------------------------------------------------------
  // The render span
  // -------------------------------------------------------------------------------------------

  #start(state: RenderState): void {
    const tracer = this.#deps.tracers.tracer()
    let span: Span | undefined
    let spanContext: Context | undefined
    if (tracer !== undefined) {
      const parent = this.#parent(state)
      const started = tracer.startSpan(
        `${SPAN_RENDER} ${state.intent.name}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: spanTime(state.startedAt),
          attributes: this.#attributes(state),
        },
        parent,
      )
      spanContext = trace.setSpan(parent, started).setValue(RENDER_PHASE, started)
      // Even an unsampled span is handed down, so nested renders keep its trace and sampling decision.
      state.context.otelContext = spanContext
      if (started.isRecording()) span = started
    }
    if (span === undefined && !this.#deps.phases) return
    const record: RenderRecord = { span, context: span && spanContext, phase: undefined, handlerStart: NaN }
    this.#records.set(state, record)
    if (span !== undefined && this.#engine.hooks.admission.taps.length > this.#ownAdmission) {
      this.#openPhase(record, state, SPAN_ADMISSION)
    }
  }

  #parent(state: RenderState): Context {
    const step = this.#deps.workflows?.stepContext(stepTraceOf(state.context.workflow))
    return step ?? parentContext(state.context, this.#deps.propagator)
  }

  #attributes(state: RenderState): Attributes {
    const attributes: Attributes = {
      [ATTR_IXP_INTENT]: state.intent.name,
      [ATTR_IXP_COMPONENT]: state.intent.component,
    }
    const requestId = state.context.requestId
    if (typeof requestId === 'string') attributes[ATTR_IXP_REQUEST_ID] = requestId
    const workflow = stepTraceOf(state.context.workflow)
    if (workflow !== undefined) {
      attributes[ATTR_IXP_WORKFLOW_ID] = workflow.workflowId
      attributes[ATTR_IXP_WORKFLOW_RUN_ID] = workflow.runId
      attributes[ATTR_IXP_WORKFLOW_STEP_ID] = workflow.stepId
      if (workflow.compensating) attributes[ATTR_IXP_WORKFLOW_COMPENSATING] = true
    }
    return attributes
  }

  /** End of admission: the admission span ends, and the user (known now that auth ran) is written. */
  #admitted(state: RenderState): Promise<void> | undefined {
    const record = this.#records.get(state)
    if (record === undefined) return undefined
    this.#closePhase(record, state)
    const span = record.span
    if (span === undefined) return undefined
    const users = this.#deps.users
    const value = users.valueFor(state.context)
    if (value === undefined) return undefined
    if (typeof value === 'string') {
      span.setAttribute(users.attribute, value)
      return undefined
    }
    return value.then(
      (hashed) => void span.setAttribute(users.attribute, hashed),
      () => undefined,
    )
  }

  #finish(state: RenderState, cache: string | undefined): void {
    const record = this.#records.get(state)
    if (record === undefined) return
    this.#records.delete(state)
    this.#closePhase(record, state)
    if (record.span === undefined) return
    if (cache !== undefined) record.span.setAttribute(ATTR_IXP_CACHE_STATUS, cache)
    record.span.end(spanTime())
  }

  /**
   * A failed render (from the plugin's `error` tap): the open phase and the render span end with the
   * error. A render that failed before its span opened (unknown intent, bad request, origin refused) gets
   * a span of its own, so failures are never missing from traces.
   */
  failed(
    error: IxpError,
    state: RenderState | undefined,
    context: Record<string, unknown> | undefined,
  ): void {
    const record = state === undefined ? undefined : this.#records.get(state)
    if (record !== undefined && state !== undefined) {
      this.#records.delete(state)
      const phase = record.phase
      if (phase !== undefined) {
        failSpan(phase.span, error)
        phase.span.end(spanTime())
        record.phase = undefined
      }
      if (!Number.isNaN(record.handlerStart)) {
        this.#deps.metrics.handler(state.intent.name, (performance.now() - record.handlerStart) / 1000)
      }
      if (record.span !== undefined) {
        failSpan(record.span, error, phase === undefined)
        record.span.end(spanTime())
      }
      return
    }
    const tracer = this.#deps.tracers.tracer()
    if (tracer === undefined) return
    const now = performance.now()
    const parent =
      state === undefined ? parentContext(context ?? {}, this.#deps.propagator) : this.#parent(state)
    const attributes = state === undefined ? {} : this.#attributes(state)
    const span = tracer.startSpan(
      state === undefined ? SPAN_RENDER : `${SPAN_RENDER} ${state.intent.name}`,
      { kind: SpanKind.INTERNAL, startTime: spanTime(state?.startedAt ?? now), attributes },
      parent,
    )
    failSpan(span, error)
    span.end(spanTime(now))
  }

  // -------------------------------------------------------------------------------------------
  // Phases
  // -------------------------------------------------------------------------------------------

  #openPhase(record: RenderRecord, state: RenderState, name: string, attributes?: Attributes): void {
    const tracer = this.#deps.tracers.tracer()
    if (record.span === undefined || record.context === undefined || tracer === undefined) return
    const span = tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, startTime: spanTime(), attributes },
      record.context,
    )
    const context = trace.setSpan(record.context, span).setValue(RENDER_PHASE, span)
    record.phase = { span, context }
    state.context.otelContext = context
  }

  /** Ends the open phase; the render span is the context's current span again. */
  #closePhase(record: RenderRecord | undefined, state: RenderState): void {
    const phase = record?.phase
    if (phase === undefined) return
    phase.span.end(spanTime())
    record!.phase = undefined
    if (record!.context !== undefined) state.context.otelContext = record!.context
  }

  #lookupStarts(state: RenderState): void {
    const record = this.#records.get(state)
    if (record === undefined) return
    if (this.#engine.hooks.beforeHandler.taps.length > this.#ownBeforeHandler) {
      this.#openPhase(record, state, SPAN_CACHE_LOOKUP)
    }
  }

  #handlerStarts(state: RenderState): void {
    const record = this.#records.get(state)
    if (record === undefined) return
    if (record.phase !== undefined) {
      const cache = state.meta.cache
      if (cache !== undefined) record.phase.span.setAttribute(ATTR_IXP_CACHE_STATUS, cache)
      this.#closePhase(record, state)
    }
    if (typeof state.intent.handler !== 'function') return
    this.#openPhase(record, state, SPAN_HANDLER, { [ATTR_IXP_INTENT]: state.intent.name })
    this.#deps.workflows?.handlerStarts(state, record.phase?.context)
    record.handlerStart = performance.now()
  }

  #handlerEnds(state: RenderState): void {
    const record = this.#records.get(state)
    if (record === undefined) return
    if (!Number.isNaN(record.handlerStart)) {
      this.#deps.metrics.handler(state.intent.name, (performance.now() - record.handlerStart) / 1000)
      record.handlerStart = NaN
    }
    this.#closePhase(record, state)
  }

  #componentStarts(state: RenderState): void {
    const record = this.#records.get(state)
    if (record === undefined || typeof state.component?.render !== 'function') return
    this.#openPhase(record, state, SPAN_COMPONENT_RENDER, { [ATTR_IXP_COMPONENT]: state.component.name })
  }

  // -------------------------------------------------------------------------------------------
  // One span per plugin tap
  // -------------------------------------------------------------------------------------------

  #traceTaps(hooks: EngineHooks): void {
    for (const [hookName, index] of Object.entries(STATE_ARGUMENT)) {
      observeTaps(hooks[hookName as keyof typeof STATE_ARGUMENT], 'taps', (args, tap) => {
        const record = this.#records.get(args[index] as RenderState)
        const tracer = this.#deps.tracers.tracer()
        if (record?.span === undefined || tracer === undefined) return undefined
        const parent = record.phase?.context ?? record.context
        const span = tracer.startSpan(
          `${SPAN_TAP} ${hookName} ${tap.name}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: spanTime(),
            attributes: { [ATTR_IXP_HOOK]: hookName, [ATTR_IXP_TAP]: tap.name },
          },
          parent,
        )
        return spanRun(span, failSpan)
      })
    }
  }
}

/** The intent label of a failed render: its name when registered, else a fixed placeholder. */
export function failedIntent(engine: Engine, state: RenderState | undefined, requested: unknown): string {
  if (state !== undefined) return state.intent.name
  const name = (requested as { intent?: { name?: unknown } } | undefined)?.intent?.name
  return typeof name === 'string' && engine.intents.has(name) ? name : UNKNOWN_INTENT
}
