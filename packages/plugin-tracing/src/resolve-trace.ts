/**
 * Resolve spans and metrics. `resolve` is a bail hook: the first resolver that answers ends it, and nothing
 * after that tap runs. So the span opens in an OBSERVE_FIRST tap, a `register` interceptor wraps every
 * resolver to see the one that answers, an OBSERVE_LAST tap sees "nobody answered", and the `error` hook
 * (phase `resolve`) sees failures. A resolve is keyed by its query object, which the engine makes per call.
 */
import { SpanKind, type Span, type TextMapPropagator } from '@opentelemetry/api'
import { Stage, type Engine, type IxpContext, type ResolveOutcome, type ResolveQuery } from '@ixp/core'
import type { RenderMetrics } from './metrics/render-metrics.js'
import { parentContext } from './parent.js'
import {
  ATTR_IXP_INTENT,
  ATTR_IXP_RESOLVE_CONFIDENCE,
  ATTR_IXP_RESOLVE_MATCHED,
  ATTR_IXP_RESOLVE_REASON,
  ATTR_IXP_RESOLVE_SOURCE,
  SCOPE_NAME,
  SPAN_RESOLVE,
} from './semconv.js'
import { failSpan, spanTime, type TracerSource } from './spans.js'
import { observeTaps } from './taps.js'

interface ResolveRecord {
  startedAt: number
  span: Span | undefined
}

export interface ResolveTracerDeps {
  tracers: TracerSource
  propagator: TextMapPropagator
  metrics: RenderMetrics
}

export class ResolveTracer {
  readonly #deps: ResolveTracerDeps
  readonly #records = new WeakMap<object, ResolveRecord>()

  constructor(deps: ResolveTracerDeps) {
    this.#deps = deps
  }

  install(engine: Engine): void {
    const hook = engine.hooks.resolve
    hook.tap({ name: SCOPE_NAME, stage: Stage.OBSERVE_FIRST }, (query, context) => {
      this.#start(query, context)
      return undefined
    })
    hook.tap({ name: SCOPE_NAME, stage: Stage.OBSERVE_LAST }, (query) => {
      this.#finish(query, undefined)
      return undefined
    })
    observeTaps(hook, 'resolve', (args) => {
      const query = args[0] as ResolveQuery
      if (!this.#records.has(query)) return undefined
      return {
        end: (outcome) => {
          if (outcome !== undefined) this.#finish(query, outcome as ResolveOutcome)
        },
        fail: () => undefined,
      }
    })
  }

  #start(query: ResolveQuery, context: IxpContext): void {
    const tracer = this.#deps.tracers.tracer()
    const span =
      tracer === undefined
        ? undefined
        : tracer.startSpan(
            SPAN_RESOLVE,
            { kind: SpanKind.INTERNAL, startTime: spanTime() },
            parentContext(context, this.#deps.propagator),
          )
    this.#records.set(query, { startedAt: performance.now(), span: span?.isRecording() ? span : undefined })
  }

  #finish(query: ResolveQuery, outcome: ResolveOutcome | undefined): void {
    const record = this.#records.get(query)
    if (record === undefined) return
    this.#records.delete(query)
    const now = performance.now()
    const matched = outcome?.matched === true
    const source = typeof outcome?.source === 'string' ? outcome.source : undefined
    this.#deps.metrics.resolve(matched ? 'matched' : 'no_match', source, (now - record.startedAt) / 1000)
    const span = record.span
    if (span === undefined) return
    span.setAttribute(ATTR_IXP_RESOLVE_MATCHED, matched)
    if (outcome !== undefined) {
      if (typeof outcome.confidence === 'number')
        span.setAttribute(ATTR_IXP_RESOLVE_CONFIDENCE, outcome.confidence)
      if (matched) span.setAttribute(ATTR_IXP_INTENT, outcome.intent)
      else if (typeof outcome.reason === 'string') span.setAttribute(ATTR_IXP_RESOLVE_REASON, outcome.reason)
    } else {
      span.setAttribute(ATTR_IXP_RESOLVE_REASON, 'no-match')
    }
    if (source !== undefined) span.setAttribute(ATTR_IXP_RESOLVE_SOURCE, source)
    span.end(spanTime(now))
  }

  /** A failed resolve (from the plugin's `error` tap). */
  failed(query: ResolveQuery | undefined, error: unknown): void {
    const record = query === undefined ? undefined : this.#records.get(query)
    if (record === undefined) return
    this.#records.delete(query!)
    const now = performance.now()
    this.#deps.metrics.resolve('error', undefined, (now - record.startedAt) / 1000)
    if (record.span !== undefined) {
      failSpan(record.span, error)
      record.span.end(spanTime(now))
    }
  }
}
