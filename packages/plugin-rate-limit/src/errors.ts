/** The plugin's error codes (besides the core's `RATE_LIMITED`), each with its status. */
import { IxpError } from '@ixp/core'

export const RateLimitErrorCodes = {
  /** A request went over a limit (the core's code); carries `Retry-After` and the RateLimit headers. */
  RATE_LIMITED: 429,
  /** The store failed and `onStoreError` is `'closed'`: requests are refused until it recovers. */
  RATE_LIMIT_UNAVAILABLE: 503,
  /** Options of `rateLimit()`, `memoryStore()` or `redisStore()` are invalid (raised when they are created). */
  RATE_LIMIT_INVALID_OPTIONS: 500,
} as const

export function invalidOptions(message: string): IxpError {
  return new IxpError('RATE_LIMIT_INVALID_OPTIONS', message, {
    status: RateLimitErrorCodes.RATE_LIMIT_INVALID_OPTIONS,
  })
}
