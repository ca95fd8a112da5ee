/**
 * The error table of @ixp/plugin-cache: every code with its status and message template. Only the
 * `IDEMPOTENCY_*` codes reach a render's caller (a command sent with an `Idempotency-Key`); the others are the
 * cache's own failures. `INVALID_DEFINITION` (an intent's `cache` field) is the core's code, built with
 * `coreError`.
 */
import { defineErrors, IxpError } from '@ixp/core'

const CACHE_ERRORS = {
  /** `cache(options)` or `redisStore(options)` got an option it cannot use (reported at creation). */
  CACHE_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-cache: {problem}' },
  /** A handler called `cacheControl(ctx)` (or its `tag()` / `ttl()`) with a bad context, tag or TTL. */
  CACHE_INVALID_DIRECTIVE: { status: 500, message: '{call}: {problem}' },
  /** A plugin method (`invalidateTag`, `keyFor`, …) got an unusable argument. */
  CACHE_INVALID_ARGUMENT: { status: 500, message: '{method}() takes {expected}' },
  /** A method that needs the engine (`keyFor`) was called before the plugin was installed. */
  CACHE_NOT_INSTALLED: {
    status: 500,
    message: '{method}() needs the plugin installed on an engine (engine.use(cache))',
  },
  /** The shared store failed, timed out or its circuit is open; the cache fell back to its in-process level. */
  CACHE_STORE_UNAVAILABLE: { status: 503, message: 'The cache store is unavailable: {reason}' },
  /**
   * An `Idempotency-Key` is empty, too long or holds characters outside visible ASCII, or the command's
   * options are not plain JSON (so no fingerprint can be taken); the reason says which.
   */
  IDEMPOTENCY_KEY_INVALID: { status: 400, message: '{reason}' },
  /** The key was used, by the same caller, for a request with other parameters (IETF draft: 422). */
  IDEMPOTENCY_KEY_MISMATCH: {
    status: 422,
    message: 'This Idempotency-Key was already used for a different request; use a new key for a new request',
  },
  /** A request with the same key is still running (IETF draft: 409); retry once it ended. */
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    message: 'A request with this Idempotency-Key is still running; retry once it has finished',
  },
  /**
   * The idempotency records could not be read or written (or a stored answer is unreadable); the command did
   * not run. The reason says which.
   */
  IDEMPOTENCY_UNAVAILABLE: { status: 503, message: '{reason}' },
} as const

/** Builds this plugin's errors from its table. */
export const cacheError = defineErrors(CACHE_ERRORS)

/** A code of the cache's table. */
export type CacheErrorCode = keyof typeof CACHE_ERRORS

/** Every code of the cache's table with its HTTP status. */
export const CacheErrorCodes = cacheError.statuses

/** A client error a command failed with, as the idempotency records keep it. */
export interface StoredError {
  code: string
  message: string
  status: number
  details?: Record<string, unknown>
}

/**
 * The stored error of an idempotent command, thrown again on a retry: the same code, message, status and
 * details the first attempt answered (they came from some package's table then), plus `headers`.
 */
export function replayedError(stored: StoredError, headers: Record<string, string>): IxpError {
  return new IxpError(stored.code, String(stored.message), {
    status: stored.status,
    details: stored.details,
    headers,
  })
}
