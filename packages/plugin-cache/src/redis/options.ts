/** Options of `redisStore()`, checked (naming the one at fault) and completed with their defaults. */
import type { Redis, RedisOptions } from 'ioredis'
import { cacheError } from '../errors.js'

export interface RedisStoreOptions {
  /** Connection URL, e.g. `redis://127.0.0.1:6379/0`; the store opens and closes its own connections. */
  url?: string
  /**
   * Your own ioredis client instead of `url`; the store does not close it. Create it with
   * `enableOfflineQueue: false` so commands fail fast while Redis is down.
   */
  client?: Redis
  /** Prefix of every key the store writes and of its channel. @default 'ixp:cache:' */
  prefix?: string
  /** Longest wait for one command before it counts as a failure. @default 100 */
  commandTimeoutMs?: number
  /** Longest wait for a connection to open. @default 1000 */
  connectTimeoutMs?: number
  /** Consecutive failures that open the circuit. @default 3 */
  failureThreshold?: number
  /** How long an open circuit refuses commands before letting one probe through. @default 1000 */
  circuitResetMs?: number
  /** Invalidations kept for replay while Redis is unreachable; beyond that they collapse into one clear. @default 1000 */
  maxPendingInvalidations?: number
  /** More ioredis options for the connections the store opens (with `url`). @default {} */
  redisOptions?: RedisOptions
}

export interface RedisSettings {
  prefix: string
  commandTimeoutMs: number
  connectTimeoutMs: number
  failureThreshold: number
  circuitResetMs: number
  maxPendingInvalidations: number
}

function invalid(field: string, problem: string): never {
  throw cacheError(
    'CACHE_INVALID_OPTIONS',
    { problem: `redisStore(): option '${field}' ${problem}` },
    { details: { option: field } },
  )
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    invalid(field, 'must be a positive integer')
  return value
}

/** Checks the options and fills in the defaults (`CACHE_INVALID_OPTIONS` names the one at fault). */
export function resolveRedisOptions(options: RedisStoreOptions): RedisSettings {
  if (typeof options !== 'object' || options === null)
    invalid('options', 'must be an object { url } or { client }')
  if ((options.url === undefined) === (options.client === undefined))
    invalid('url', 'or client: give exactly one')
  if (options.url !== undefined && typeof options.url !== 'string') invalid('url', 'must be a string')
  const prefix = options.prefix ?? 'ixp:cache:'
  if (typeof prefix !== 'string' || prefix === '') invalid('prefix', 'must be a non-empty string')
  return {
    prefix,
    commandTimeoutMs: positiveInteger(options.commandTimeoutMs ?? 100, 'commandTimeoutMs'),
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs ?? 1000, 'connectTimeoutMs'),
    failureThreshold: positiveInteger(options.failureThreshold ?? 3, 'failureThreshold'),
    circuitResetMs: positiveInteger(options.circuitResetMs ?? 1000, 'circuitResetMs'),
    maxPendingInvalidations: positiveInteger(
      options.maxPendingInvalidations ?? 1000,
      'maxPendingInvalidations',
    ),
  }
}
