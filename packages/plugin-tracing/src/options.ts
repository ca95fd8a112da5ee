/** The options of `tracing()`, their defaults (spread in one place) and the checks made at creation. */
import type { MeterProvider, TextMapPropagator, TracerProvider } from '@opentelemetry/api'
import { tracingError } from './errors.js'
import { MetricsRegistry } from './metrics/registry.js'
import type { UserIdMode } from './user.js'
import { w3cTraceContext } from './w3c.js'
import type { WorkflowEventSource } from './workflows.js'

/** Options of {@link tracing}; every field is optional. */
export interface TracingOptions {
  /**
   * Where spans go. Without it the global provider is used, and only while an SDK is registered there.
   * @default the global tracer provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider
  /** Where the OpenTelemetry metrics go (a no-op until an SDK registers one). @default the global meter provider */
  meterProvider?: MeterProvider
  /**
   * Reads a caller's trace context from `ctx.headers`. Pass `propagation` (the API's global) to use the one
   * an SDK registered (B3, Jaeger…).
   * @default w3cTraceContext (`traceparent` / `tracestate`, no SDK needed)
   */
  propagator?: TextMapPropagator
  /**
   * `'auto'`: spans while a tracer SDK is registered (an explicit `tracerProvider` counts) — checked when
   * the plugin is applied, at `ready()` and after every render, and the render-path taps are installed only
   * from then on; `true`: always; `false`: never.
   * @default 'auto'
   */
  spans?: 'auto' | boolean
  /**
   * Time the render's phases: admission, cache lookup, handler and component spans, and the
   * `ixp_handler_duration_seconds` histogram. Each phase costs a hook call per render. `'auto'`: whenever
   * spans are on.
   * @default 'auto'
   */
  phases?: 'auto' | boolean
  /** One span per plugin tap on the render-path hooks (`ixp.tap <hook> <tap>`). @default false */
  tapSpans?: boolean
  /**
   * The in-process metrics registry the plugin records into (renders, errors, durations, resolves), served
   * by `metricsProvider()`; `false` for none.
   * @default a new MetricsRegistry()
   */
  registry?: MetricsRegistry | false
  /**
   * The caller's user id (`ctx.user.id`, as plugin-auth sets it) on render spans: `'hash'` writes a keyed
   * hash as `enduser.pseudo.id`, `'raw'` the id as `enduser.id`, `'omit'` nothing.
   * @default 'hash'
   */
  user?: UserIdMode
  /**
   * The key of the `'hash'` user ids. Set it (from a secret) to get the same hash for a user on every
   * instance and after restarts.
   * @default 32 random bytes per plugin instance
   */
  userKey?: string
  /** A workflows plugin (`workflows()` of `@ixp/plugin-workflows`) whose runs and steps become spans. @default undefined */
  workflows?: WorkflowEventSource
}

export interface TracingSettings {
  tracerProvider: TracerProvider | undefined
  meterProvider: MeterProvider | undefined
  propagator: TextMapPropagator
  spans: 'auto' | boolean
  phases: 'auto' | boolean
  tapSpans: boolean
  registry: MetricsRegistry | undefined
  user: UserIdMode
  userKey: string | undefined
  workflows: WorkflowEventSource | undefined
}

function invalid(message: string): Error {
  return tracingError('TRACING_INVALID_OPTIONS', { problem: message })
}

function hasMethods(value: unknown, ...names: string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  )
}

export function resolveOptions(options: TracingOptions = {}): TracingSettings {
  if (typeof options !== 'object' || options === null)
    throw invalid('tracing(options) takes an options object')
  const merged = {
    spans: 'auto' as const,
    phases: 'auto' as const,
    tapSpans: false,
    user: 'hash' as const,
    propagator: w3cTraceContext,
    ...options,
  }
  if (merged.tracerProvider !== undefined && !hasMethods(merged.tracerProvider, 'getTracer')) {
    throw invalid('tracerProvider must be an OpenTelemetry TracerProvider (with getTracer())')
  }
  if (merged.meterProvider !== undefined && !hasMethods(merged.meterProvider, 'getMeter')) {
    throw invalid('meterProvider must be an OpenTelemetry MeterProvider (with getMeter())')
  }
  if (!hasMethods(merged.propagator, 'inject', 'extract', 'fields')) {
    throw invalid('propagator must be a TextMapPropagator (inject, extract, fields)')
  }
  for (const key of ['spans', 'phases'] as const) {
    if (merged[key] !== 'auto' && typeof merged[key] !== 'boolean')
      throw invalid(`${key} must be 'auto', true or false`)
  }
  if (typeof merged.tapSpans !== 'boolean') throw invalid('tapSpans must be true or false')
  if (!['hash', 'raw', 'omit'].includes(merged.user)) throw invalid("user must be 'hash', 'raw' or 'omit'")
  if (merged.userKey !== undefined && (typeof merged.userKey !== 'string' || merged.userKey === '')) {
    throw invalid('userKey must be a non-empty string')
  }
  if (
    merged.registry !== undefined &&
    merged.registry !== false &&
    !(merged.registry instanceof MetricsRegistry)
  ) {
    throw invalid('registry must be a MetricsRegistry or false')
  }
  const workflows = merged.workflows
  if (workflows !== undefined && !hasMethods((workflows as { events?: unknown }).events, 'on', 'off')) {
    throw invalid('workflows must be a workflows plugin (an object with events.on / events.off)')
  }
  return {
    tracerProvider: merged.tracerProvider,
    meterProvider: merged.meterProvider,
    propagator: merged.propagator,
    spans: merged.spans,
    phases: merged.phases,
    tapSpans: merged.tapSpans,
    registry: merged.registry === false ? undefined : (merged.registry ?? new MetricsRegistry()),
    user: merged.user,
    userKey: merged.userKey,
    workflows,
  }
}
