/**
 * The Prometheus text exposition format, version 0.0.4: one `# HELP` and `# TYPE` line per metric family,
 * then its samples. Histograms are written as histograms (cumulative `_bucket{le=…}`, `_sum`, `_count`)
 * rather than summaries: buckets add up across instances and over time in PromQL (`histogram_quantile`),
 * precomputed quantiles do not.
 */
import type { AnyMetric } from './metric.js'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** `\` and line feeds are the only characters a help text escapes. */
export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (char) => (char === '\n' ? '\\n' : '\\\\'))
}

/** A sample value: Go's float syntax, which JavaScript's shortest round-trip form already is. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

export function familyHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`
}

export function toPrometheus(metrics: readonly AnyMetric[]): string {
  let out = ''
  for (const metric of metrics) {
    out += familyHeader(metric.name, metric.help, metric.type)
    if (metric.type !== 'histogram') {
      for (const series of metric.all())
        out += `${metric.name}${series.braces} ${formatValue(series.value)}\n`
      continue
    }
    const bounds = metric.buckets.map(formatValue)
    for (const series of metric.all()) {
      const prefix = series.text === '' ? '' : `${series.text},`
      let cumulative = 0
      for (let index = 0; index < bounds.length; index++) {
        cumulative += series.buckets[index]!
        out += `${metric.name}_bucket{${prefix}le="${bounds[index]}"} ${cumulative}\n`
      }
      out += `${metric.name}_bucket{${prefix}le="+Inf"} ${series.count}\n`
      out += `${metric.name}_sum${series.braces} ${formatValue(series.sum)}\n`
      out += `${metric.name}_count${series.braces} ${series.count}\n`
    }
  }
  return out
}
