/**
 * @ixp/plugin-tracing — OpenTelemetry spans and metrics for IXP Engine (through `@opentelemetry/api` only),
 * an in-process metrics registry with Prometheus text exposition, HTTP server spans and W3C trace context.
 * This file is the package's public API.
 */
export { tracing, type TracingPlugin } from './plugin.js'
export type { TracingOptions } from './options.js'
export { traced, type TracedOptions } from './traced.js'
export { traceHttp, type HttpAround, type TraceHttpOptions } from './http.js'
export { w3cTraceContext, parseTraceparent, formatTraceparent } from './w3c.js'
export {
  MetricsRegistry,
  DURATION_BUCKETS,
  type CounterOptions,
  type GaugeOptions,
  type HistogramOptions,
  type MetricsJson,
  type MetricsRegistryOptions,
} from './metrics/registry.js'
export type { Counter, Gauge, Histogram } from './metrics/metric.js'
export type { CounterSeries, GaugeSeries, HistogramSeries, LabelValue, Labels } from './metrics/series.js'
export { metricsProvider, metricsFormat, type MetricsProviderOptions } from './metrics/provider.js'
export { PROMETHEUS_CONTENT_TYPE } from './metrics/prometheus.js'
export type { WorkflowEventSource } from './workflows.js'
export type { UserIdMode } from './user.js'
export { TracingErrorCodes, type TracingErrorCode } from './errors.js'
export * as semconv from './semconv.js'
