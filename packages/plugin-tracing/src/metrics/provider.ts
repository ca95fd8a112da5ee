/**
 * The answer of plugin-http's metrics route (`metrics.provider`): the IXP reference's JSON by default, with
 * this registry's metrics under an extra key, or Prometheus text when the scraper asks for it
 * (`?format=prometheus`, or an `Accept` preferring `text/plain` / OpenMetrics over JSON).
 */
import type { MetricsAnswer, MetricsCollector, MetricsSnapshot } from '@ixp/plugin-http'
import { tracingError } from '../errors.js'
import { labelText } from './series.js'
import { familyHeader, formatValue, PROMETHEUS_CONTENT_TYPE } from './prometheus.js'
import type { MetricsRegistry } from './registry.js'

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

/** Options of {@link metricsProvider}. */
export interface MetricsProviderOptions {
  /** Key of the JSON answer that holds this registry's metrics (next to the reference's fields). @default 'metrics' */
  jsonKey?: string
}

/** The weight (`q`) of each media type an `Accept` header lists; a missing `q` is 1. */
function acceptWeights(accept: string): Map<string, number> {
  const weights = new Map<string, number>()
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';')
    const media = type!.trim().toLowerCase()
    if (media === '') continue
    let q = 1
    for (const param of params) {
      const [key, value] = param.split('=')
      if (key?.trim().toLowerCase() === 'q') {
        const parsed = Number(value?.trim())
        q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0
      }
    }
    weights.set(media, Math.max(weights.get(media) ?? 0, q))
  }
  return weights
}

/**
 * `'prometheus'` for `?format=prometheus`, or an `Accept` that names `text/plain` or
 * `application/openmetrics-text` with a higher weight than `application/json`; `'json'` otherwise
 * (wildcards and browsers get the reference's JSON). `?format=json` forces JSON.
 */
export function metricsFormat(request?: Request): 'json' | 'prometheus' {
  if (request === undefined) return 'json'
  const queryStart = request.url.indexOf('?')
  if (queryStart !== -1) {
    const format = new URLSearchParams(request.url.slice(queryStart + 1)).get('format')?.toLowerCase()
    if (format === 'prometheus') return 'prometheus'
    if (format === 'json') return 'json'
  }
  const accept = request.headers.get('accept')
  if (!accept) return 'json'
  const weights = acceptWeights(accept)
  const text = Math.max(weights.get('text/plain') ?? 0, weights.get('application/openmetrics-text') ?? 0)
  return text > 0 && text > (weights.get('application/json') ?? 0) ? 'prometheus' : 'json'
}

function counterFamily(name: string, help: string, label: string, values: Record<string, number>): string {
  let out = familyHeader(name, help, 'counter')
  for (const [key, value] of Object.entries(values ?? {})) {
    if (typeof value === 'number') out += `${name}{${labelText([[label, key]])}} ${formatValue(value)}\n`
  }
  return out
}

/** plugin-http's built-in request metrics as Prometheus families (`ixp_http_*`). */
export function httpSnapshotToPrometheus(snapshot: MetricsSnapshot, taken: ReadonlySet<string>): string {
  const families: [string, () => string][] = [
    [
      'ixp_http_requests_total',
      () =>
        counterFamily(
          'ixp_http_requests_total',
          'HTTP requests answered, by route (every render is render_requests, unknown paths not_found)',
          'route',
          snapshot.requests?.byRoute,
        ),
    ],
    [
      'ixp_http_responses_total',
      () =>
        counterFamily(
          'ixp_http_responses_total',
          'HTTP responses by status class',
          'status_class',
          snapshot.requests?.byStatus,
        ),
    ],
    [
      'ixp_http_errors_total',
      () =>
        counterFamily(
          'ixp_http_errors_total',
          'HTTP error answers by error code',
          'code',
          snapshot.errors?.byType,
        ),
    ],
    [
      'ixp_http_recent_response_time_milliseconds',
      () => {
        const name = 'ixp_http_recent_response_time_milliseconds'
        const performance = snapshot.performance ?? {}
        let out = familyHeader(name, 'Response time over the last 1000 HTTP requests', 'gauge')
        const stats: [string, unknown][] = [
          ['mean', performance.averageResponseTime],
          ['p95', performance.p95ResponseTime],
          ['p99', performance.p99ResponseTime],
        ]
        for (const [statistic, value] of stats) {
          if (typeof value === 'number') out += `${name}{statistic="${statistic}"} ${formatValue(value)}\n`
        }
        return out
      },
    ],
    [
      'ixp_http_uptime_seconds',
      () =>
        typeof snapshot.uptime === 'number'
          ? `${familyHeader('ixp_http_uptime_seconds', 'Seconds since the HTTP handler was created', 'gauge')}` +
            `ixp_http_uptime_seconds ${formatValue(snapshot.uptime)}\n`
          : '',
    ],
  ]
  return families
    .filter(([name]) => !taken.has(name))
    .map(([, write]) => write())
    .join('')
}

/**
 * A provider for plugin-http's metrics route. `tracing()` installs one for its registry by itself (through
 * plugin-http's `metricsProvider` hook); call this to serve another registry, or with other options:
 * `createHttpHandler(engine, { metrics: { provider: metricsProvider(registry) } })`.
 * JSON: the built-in collector's reference shape plus `{ [jsonKey]: registry.toJSON() }`. Prometheus: the
 * registry's families, then the built-in request metrics as `ixp_http_*` families.
 */
export function metricsProvider(
  registry: MetricsRegistry,
  options: MetricsProviderOptions = {},
): (builtIn?: MetricsCollector, request?: Request) => MetricsAnswer {
  if (registry === null || typeof registry !== 'object' || typeof registry.toPrometheus !== 'function') {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: 'metricsProvider(registry) needs a MetricsRegistry',
    })
  }
  const jsonKey = options.jsonKey ?? 'metrics'
  if (typeof jsonKey !== 'string' || jsonKey === '') {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: 'metricsProvider: jsonKey must be a non-empty string',
    })
  }
  return (builtIn, request) => {
    const snapshot = typeof builtIn?.snapshot === 'function' ? builtIn.snapshot() : undefined
    if (metricsFormat(request) === 'prometheus') {
      let body = registry.toPrometheus()
      if (snapshot !== undefined) {
        body += httpSnapshotToPrometheus(snapshot, new Set(registry.list().map((metric) => metric.name)))
      }
      return { contentType: PROMETHEUS_CONTENT_TYPE, body }
    }
    return {
      contentType: JSON_CONTENT_TYPE,
      body: JSON.stringify({ ...snapshot, [jsonKey]: registry.toJSON() }),
    }
  }
}
