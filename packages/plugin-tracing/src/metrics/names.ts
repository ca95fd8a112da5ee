/** The name rules of the Prometheus text exposition format, checked once when a metric or series is made. */
import { tracingError } from '../errors.js'

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export function checkMetricName(name: unknown): string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw tracingError('TRACING_INVALID_METRIC', {
      problem: `metric name ${JSON.stringify(name)} must match [a-zA-Z_:][a-zA-Z0-9_:]* (e.g. 'orders_placed_total')`,
    })
  }
  return name
}

/** Label names: the format's pattern, not `__`-prefixed (reserved), and not a name the metric type uses. */
export function checkLabelName(metric: string, name: string, reserved: readonly string[]): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__') || reserved.includes(name)) {
    throw tracingError('TRACING_INVALID_METRIC', {
      problem:
        `label name ${JSON.stringify(name)} of metric '${metric}' must match [a-zA-Z_][a-zA-Z0-9_]*, not start ` +
        `with '__'${reserved.length > 0 ? ` and not be ${reserved.map((r) => `'${r}'`).join(' or ')}` : ''}`,
    })
  }
}

export function checkHelp(metric: string, help: unknown): string {
  if (typeof help !== 'string' || help.trim() === '') {
    throw tracingError('TRACING_INVALID_METRIC', {
      problem: `metric '${metric}' needs a help text (a non-empty string)`,
    })
  }
  return help
}
