/**
 * The error codes of @ixp/plugin-tracing, each declared once with its status and message template. All are
 * raised at set-up or by a wrong call of the metrics API, none by a render; none is shown to a remote caller.
 */
import { defineErrors } from '@ixp/core'

const TRACING_ERRORS = {
  /** `tracing(options)`, `traceHttp(options)`, `traced()` or `metricsProvider()` got an option it cannot use. */
  TRACING_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-tracing: {problem}' },
  /** A metric name, label name, help text or bucket list is not valid for the exposition format. */
  TRACING_INVALID_METRIC: { status: 500, message: '@ixp/plugin-tracing: {problem}' },
  /** A metric name is already taken by a metric of another type or help text. */
  TRACING_METRIC_CONFLICT: { status: 500, message: '@ixp/plugin-tracing: {problem}' },
  /** A value that cannot be recorded: a negative counter increment, a non-finite observation. */
  TRACING_INVALID_VALUE: { status: 500, message: '@ixp/plugin-tracing: {problem}' },
} as const

/** Builds this package's errors: `tracingError('TRACING_INVALID_OPTIONS', { problem: '…' })`. */
export const tracingError = defineErrors(TRACING_ERRORS)

/** The error codes of @ixp/plugin-tracing, with their status. */
export const TracingErrorCodes = tracingError.statuses

export type TracingErrorCode = keyof typeof TRACING_ERRORS
