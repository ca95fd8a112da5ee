/** Small span helpers shared by the render, resolve, HTTP and workflow spans. */
import {
  ProxyTracerProvider,
  SpanStatusCode,
  trace,
  type Exception,
  type HrTime,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api'
import { isIxpError } from '@ixp/core'
import { ATTR_ERROR_TYPE, ATTR_IXP_ERROR_CODE, SCOPE_NAME, SCOPE_VERSION } from './semconv.js'

/**
 * The global providers can be read but not watched, and reading them costs more than the rest of what the
 * plugin does per render without an SDK; so per-render paths look again only every this many calls.
 */
export const GLOBAL_CHECK_INTERVAL = 32

/** The no-op provider the API's proxy falls back to while no SDK is registered (a singleton). */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate()

/** False for the API's global proxy provider while no SDK has registered a delegate. */
function hasSdk(provider: TracerProvider): boolean {
  const proxy = provider as Partial<ProxyTracerProvider>
  return typeof proxy.getDelegate !== 'function' || proxy.getDelegate() !== NOOP_TRACER_PROVIDER
}

/** `'auto'`: spans while an SDK is registered (or with an explicit provider); `'always'`; `'never'`. */
export type SpanMode = 'auto' | 'always' | 'never'

/**
 * The tracer to use now, or `undefined` when nothing should be started: with `'auto'`, the explicit
 * provider's tracer, or the global one's while an SDK is registered there. Follows a global provider that
 * changes (`trace.disable()`, then a new registration).
 */
export class TracerSource {
  readonly #explicit: TracerProvider | undefined
  readonly #mode: SpanMode
  #provider: TracerProvider | undefined
  #tracer: Tracer | undefined

  constructor(explicit: TracerProvider | undefined, mode: SpanMode = 'auto') {
    this.#explicit = explicit
    this.#mode = mode
  }

  tracer(): Tracer | undefined {
    if (this.#mode === 'never') return undefined
    const provider = this.#explicit ?? trace.getTracerProvider()
    if (provider !== this.#provider) {
      this.#provider = provider
      this.#tracer = provider.getTracer(SCOPE_NAME, SCOPE_VERSION)
    }
    return this.#mode === 'always' || this.#explicit !== undefined || hasSdk(provider)
      ? this.#tracer
      : undefined
  }
}

// One clock for every span of this package: the monotonic `performance.now()` anchored to the wall clock
// once (re-anchored when they drift apart), so spans order correctly among themselves. Handing the SDK
// `performance.now()` numbers instead would anchor each span separately to `Date.now()`, whose whole
// milliseconds can put a child before its parent.
const MAX_DRIFT_MS = 100
let anchorEpoch = Date.now()
let anchorPerf = performance.now()

/** A span time for a `performance.now()` reading (default: now). */
export function spanTime(perf: number = performance.now()): HrTime {
  let epoch = anchorEpoch + (perf - anchorPerf)
  const wall = Date.now()
  if (Math.abs(wall - (anchorEpoch + (performance.now() - anchorPerf))) > MAX_DRIFT_MS) {
    anchorEpoch = wall
    anchorPerf = performance.now()
    epoch = anchorEpoch + (perf - anchorPerf)
  }
  const seconds = Math.floor(epoch / 1000)
  const nanos = Math.min(999_999_999, Math.round((epoch - seconds * 1000) * 1e6))
  return [seconds, nanos]
}

/** The `error.type` of a failure: an IxpError's code, else the error's class name. */
export function errorType(error: unknown): string {
  if (isIxpError(error)) return error.code
  if (error instanceof Error) return error.name || 'Error'
  return '_OTHER'
}

/** Marks a span failed: the exception as an event (unless `record` is false), ERROR status, `error.type`. */
export function failSpan(span: Span, error: unknown, record = true): void {
  if (record && (error instanceof Error || typeof error === 'string'))
    span.recordException(error as Exception)
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : undefined
  span.setStatus(
    message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message },
  )
  const type = errorType(error)
  span.setAttribute(ATTR_ERROR_TYPE, type)
  if (isIxpError(error)) span.setAttribute(ATTR_IXP_ERROR_CODE, error.code)
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}
