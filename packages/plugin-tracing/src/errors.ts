/** The error codes of @ixp/plugin-tracing, with their HTTP status. All are raised at set-up, none per render. */
import { IxpError } from '@ixp/core'

export const TracingErrorCodes = {
  /** `tracing(options)`, `traceHttp(options)`, `traced()` or `metricsProvider()` got an option it cannot use. */
  TRACING_INVALID_OPTIONS: 500,
  /** A metric name, label name, help text or bucket list is not valid for the exposition format. */
  TRACING_INVALID_METRIC: 500,
  /** A metric name is already taken by a metric of another type or help text. */
  TRACING_METRIC_CONFLICT: 500,
  /** A value that cannot be recorded: a negative counter increment, a non-finite observation. */
  TRACING_INVALID_VALUE: 500,
} as const

export type TracingErrorCode = keyof typeof TracingErrorCodes

export function tracingError(
  code: TracingErrorCode,
  message: string,
  details?: Record<string, unknown>,
): IxpError {
  return new IxpError(code, `@ixp/plugin-tracing: ${message}`, {
    status: TracingErrorCodes[code],
    expose: false,
    ...(details === undefined ? {} : { details }),
  })
}
