/**
 * The error codes of @ixp/plugin-cache, with their HTTP status. Only the `IDEMPOTENCY_*` codes reach a
 * render's caller (a command sent with an `Idempotency-Key`); the others are the cache's own failures.
 */
import { IxpError } from '@ixp/core'

export const CacheErrorCodes = {
  /** `cache(options)` or `redisStore(options)` got an option it cannot use (reported at creation). */
  CACHE_INVALID_OPTIONS: 500,
  /** A handler called `cacheControl(ctx)` with a bad tag or TTL. */
  CACHE_INVALID_DIRECTIVE: 500,
  /** A plugin method (`invalidateTag`, `keyFor`, …) got an unusable argument. */
  CACHE_INVALID_ARGUMENT: 500,
  /** A method that needs the engine (`keyFor`) was called before the plugin was installed. */
  CACHE_NOT_INSTALLED: 500,
  /** The shared store failed, timed out or its circuit is open; the cache fell back to its in-process level. */
  CACHE_STORE_UNAVAILABLE: 503,
  /** An `Idempotency-Key` is empty, too long or holds characters outside visible ASCII. */
  IDEMPOTENCY_KEY_INVALID: 400,
  /** The key was used, by the same caller, for a request with other parameters (IETF draft: 422). */
  IDEMPOTENCY_KEY_MISMATCH: 422,
  /** A request with the same key is still running (IETF draft: 409); retry once it ended. */
  IDEMPOTENCY_KEY_IN_USE: 409,
  /** The idempotency records could not be read or written; the command did not run. */
  IDEMPOTENCY_UNAVAILABLE: 503,
} as const

export type CacheErrorCode = keyof typeof CacheErrorCodes

export function cacheError(
  code: CacheErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown>; headers?: Record<string, string> } = {},
): IxpError {
  const status = CacheErrorCodes[code]
  return new IxpError(code, message, { ...options, status, expose: status < 500 })
}
