/**
 * The plugin's error table: its own codes, each once with status and message template. `RATE_LIMITED` is the
 * core's shared code (template `Too many requests: {reason}`), built with `coreError`, never re-declared here.
 */
import { coreError, defineErrors, type IxpError } from '@ixp/core'

const RATE_LIMIT_ERRORS = {
  /** The store failed and `onStoreError` is `'closed'`: requests are refused until it recovers (`Retry-After`). */
  RATE_LIMIT_UNAVAILABLE: {
    status: 503,
    message: 'Rate limiting is unavailable, so requests are refused; retry shortly',
    // The caller should know it is refused by policy, not by a fault of its own request, and retry.
    expose: true,
  },
  /** Options of `rateLimit()`, `memoryStore()` or `redisStore()` are invalid (raised when they are created). */
  RATE_LIMIT_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-rate-limit: {problem}' },
} as const

/** Builds this plugin's errors from its table. */
export const rateLimitError = defineErrors(RATE_LIMIT_ERRORS)

/** A code of this plugin's own table. */
export type RateLimitErrorCode = keyof typeof RATE_LIMIT_ERRORS

/** Every error code the plugin raises, with its HTTP status: the shared `RATE_LIMITED`, then its own. */
export const RateLimitErrorCodes = Object.freeze({
  /** A request went over a limit (the core's code); carries `Retry-After` and the RateLimit headers. */
  RATE_LIMITED: coreError.statuses.RATE_LIMITED,
  ...rateLimitError.statuses,
})

/** `RATE_LIMIT_INVALID_OPTIONS` naming what to fix. */
export function invalidOptions(problem: string): IxpError {
  return rateLimitError('RATE_LIMIT_INVALID_OPTIONS', { problem })
}
