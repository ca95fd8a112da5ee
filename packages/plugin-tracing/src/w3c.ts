/**
 * W3C Trace Context (`traceparent` / `tracestate`) without an SDK. `@opentelemetry/api`'s global propagator
 * is a no-op until an SDK registers one, so this small propagator is the default of `tracing()` and
 * `traceHttp()`; pass `propagator: propagation` (the API's global) to use whatever the SDK set up instead.
 */
import {
  createTraceState,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api'

export const TRACEPARENT = 'traceparent'
export const TRACESTATE = 'tracestate'

// version "-" trace-id "-" parent-id "-" trace-flags, lower-case hex only; later versions may append fields.
const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/
const ZERO_TRACE_ID = '0'.repeat(32)
const ZERO_SPAN_ID = '0'.repeat(16)
/** The spec's limit for a `tracestate` header this propagator accepts (longer ones are dropped whole). */
const MAX_TRACESTATE_LENGTH = 512

/**
 * Parses a `traceparent` header into a remote span context; `undefined` when it is not valid (wrong shape,
 * upper-case hex, version `ff`, all-zero ids, or extra fields on version `00`).
 */
export function parseTraceparent(header: string | undefined): SpanContext | undefined {
  if (typeof header !== 'string') return undefined
  const match = TRACEPARENT_FORMAT.exec(header.trim())
  if (match === null) return undefined
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ]
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true }
}

/** The `traceparent` header of a span context (version `00`). */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Reads a plain header record (`ctx.headers`, lower-case names) or a `Headers` object. */
export const headerGetter: TextMapGetter<unknown> = {
  get(carrier, key) {
    if (carrier === null || typeof carrier !== 'object') return undefined
    if (typeof (carrier as Headers).get === 'function' && typeof (carrier as Headers).has === 'function') {
      return (carrier as Headers).get(key) ?? undefined
    }
    const value = (carrier as Record<string, unknown>)[key]
    return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined
  },
  keys(carrier) {
    if (carrier === null || typeof carrier !== 'object') return []
    if (typeof (carrier as Headers).keys === 'function' && typeof (carrier as Headers).get === 'function') {
      return [...(carrier as Headers).keys()]
    }
    return Object.keys(carrier)
  },
}

/** Writes into a plain record or a `Headers` object. */
export const headerSetter: TextMapSetter<unknown> = {
  set(carrier, key, value) {
    if (carrier === null || typeof carrier !== 'object') return
    if (typeof (carrier as Headers).set === 'function') (carrier as Headers).set(key, value)
    else (carrier as Record<string, string>)[key] = value
  },
}

/** The W3C Trace Context propagator: `traceparent` and `tracestate`, nothing else. */
export const w3cTraceContext: TextMapPropagator = {
  inject(context: Context, carrier: unknown, setter: TextMapSetter = headerSetter): void {
    const spanContext = trace.getSpanContext(context)
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return
    setter.set(carrier, TRACEPARENT, formatTraceparent(spanContext))
    const state = spanContext.traceState?.serialize()
    if (state) setter.set(carrier, TRACESTATE, state)
  },

  extract(context: Context, carrier: unknown, getter: TextMapGetter = headerGetter): Context {
    const spanContext = parseTraceparent(first(getter.get(carrier, TRACEPARENT)))
    if (spanContext === undefined) return context
    const raw = getter.get(carrier, TRACESTATE)
    const state = Array.isArray(raw) ? raw.join(',') : raw
    if (state && state.length <= MAX_TRACESTATE_LENGTH) spanContext.traceState = createTraceState(state)
    return trace.setSpanContext(context, spanContext)
  },

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE]
  },
}
