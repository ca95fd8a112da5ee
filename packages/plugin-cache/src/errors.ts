/** The error codes of @ixp/plugin-cache, with their HTTP status. None of them ever reaches a render's caller. */
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
} as const

export type CacheErrorCode = keyof typeof CacheErrorCodes

export function cacheError(
  code: CacheErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): IxpError {
  return new IxpError(code, message, { ...options, status: CacheErrorCodes[code], expose: false })
}
