/**
 * The Redis store: one `EVALSHA` per decision (falling back to `EVAL` when the server does not know the script
 * yet, e.g. after a restart), counters that expire on their own, Redis's clock by default so instances with
 * skewed clocks still agree, and a bounded wait per decision so a slow Redis cannot stall renders.
 */
import { createHash } from 'node:crypto'
import type { HealthCheckResult } from '@ixp/core'
import { Redis, type RedisOptions } from 'ioredis'
import { invalidOptions } from '../errors.js'
import type { LimitCheck, RateLimitStore, StoreDecision } from '../store.js'
import { DECIDE_SCRIPT } from './script.js'
import { withTimeout } from '@ixp/core/plugin-kit'

/** The few client methods the store uses; an ioredis `Redis` (v5 or v6) has them all. */
export interface RedisClientLike {
  readonly status: string
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>
  ping(): Promise<unknown>
  connect(): Promise<unknown>
  quit(): Promise<unknown>
  disconnect(): void
  once(event: 'ready' | 'end', listener: () => void): unknown
  removeListener(event: 'ready' | 'end', listener: () => void): unknown
}

export interface RedisStoreOptions {
  /** A Redis URL (`redis://host:6379/0`); the store creates its own client and closes it with the engine. */
  url?: string
  /**
   * An ioredis client you own (the store never closes it). Create it with `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false` so decisions fail fast instead of
   * queueing while Redis is away, and are never sent twice.
   */
  client?: RedisClientLike
  /** Prefix of every counter key. @default 'ixp:rl:' */
  prefix?: string
  /**
   * Longest wait for one decision before it counts as a store failure (the request is then decided by
   * `onStoreError` / `fallback`, though Redis may still count it). @default 1000
   */
  timeoutMs?: number
  /**
   * Whose clock decides windows: `'server'` uses Redis `TIME` (every instance agrees); a function passes its
   * own epoch milliseconds (tests, or a single instance).
   * @default 'server'
   */
  clock?: 'server' | (() => number)
  /** How long `ready()` (run while the engine starts) waits for a first connection. @default 2000 */
  connectTimeoutMs?: number
  /** Extra ioredis options for the client created from `url` (they win over the store's defaults). @default {} */
  redisOptions?: RedisOptions
}

const DEFAULTS = {
  prefix: 'ixp:rl:',
  timeoutMs: 1000,
  clock: 'server' as 'server' | (() => number),
  connectTimeoutMs: 2000,
  redisOptions: {} as RedisOptions,
}

/** The Redis store, with its client exposed (for sharing or inspection). */
export interface RedisStore extends RateLimitStore {
  readonly kind: 'redis'
  readonly client: RedisClientLike
  readonly prefix: string
  consume(checks: readonly LimitCheck[]): Promise<StoreDecision>
  ready(): Promise<void>
  check(): Promise<HealthCheckResult>
  close(): Promise<void>
}

const ALGORITHM_CODES = { 'fixed-window': 'f', 'sliding-window': 's', 'token-bucket': 'b' } as const
const SCRIPT_SHA = createHash('sha1').update(DECIDE_SCRIPT).digest('hex')

class StoreTimeout extends Error {
  override readonly name = 'StoreTimeout'
}

/** Bounds a Redis call: a hung server answers as a `StoreTimeout` naming the call, never as a wait. */
function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(work, ms, () => new StoreTimeout(`Redis did not answer ${what} within ${ms} ms`))
}

function parseReply(reply: unknown, count: number): StoreDecision {
  if (!Array.isArray(reply) || reply.length !== 2 + count * 4) {
    throw new Error(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)?.slice(0, 100)}`)
  }
  const numbers = reply.map(Number)
  const outcomes = new Array(count)
  for (let i = 0; i < count; i++) {
    const at = 1 + i * 4
    outcomes[i] = {
      allowed: numbers[at] === 1,
      remaining: numbers[at + 1]!,
      resetMs: numbers[at + 2]!,
      retryAfterMs: numbers[at + 3]!,
    }
  }
  return { allowed: numbers[0] === 1, outcomes }
}

/** Creates a Redis store from `{ url }` or `{ client }`. */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (typeof options !== 'object' || options === null)
    throw invalidOptions('redisStore: options must be an object')
  const settings = { ...DEFAULTS, ...options }
  if ((options.url === undefined) === (options.client === undefined)) {
    throw invalidOptions(
      "redisStore: give exactly one of 'url' (the store creates a client) or 'client' (an ioredis client)",
    )
  }
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw invalidOptions(`redisStore: 'url' must be a redis:// or rediss:// URL`)
  }
  if (
    options.client !== undefined &&
    typeof (options.client as Partial<RedisClientLike>).evalsha !== 'function'
  ) {
    throw invalidOptions("redisStore: 'client' must be an ioredis client")
  }
  if (typeof settings.prefix !== 'string') throw invalidOptions("redisStore: 'prefix' must be a string")
  for (const field of ['timeoutMs', 'connectTimeoutMs'] as const) {
    if (!Number.isSafeInteger(settings[field]) || settings[field] <= 0) {
      throw invalidOptions(
        `redisStore: '${field}' must be a positive integer (got ${String(settings[field])})`,
      )
    }
  }
  if (settings.clock !== 'server' && typeof settings.clock !== 'function') {
    throw invalidOptions("redisStore: 'clock' must be 'server' or a function returning epoch milliseconds")
  }

  const owned = options.client === undefined
  const client: RedisClientLike =
    options.client ??
    new Redis(options.url!, {
      // Fail fast while disconnected, and never send a decision twice (a re-sent script would count twice).
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: settings.timeoutMs,
      connectTimeout: settings.connectTimeoutMs,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2000),
      ...settings.redisOptions,
    })
  if (owned) {
    // Connection errors surface through failed decisions and health checks; without a listener ioredis would
    // also print every reconnection attempt as an unhandled error event.
    ;(client as unknown as Redis).on('error', () => {})
  }
  const { prefix, timeoutMs, clock } = settings

  async function run(checks: readonly LimitCheck[]): Promise<unknown> {
    const args: (string | number)[] = []
    for (const check of checks) args.push(prefix + check.key)
    args.push(clock === 'server' ? '' : Math.floor(clock()))
    for (const { rule, cost } of checks) {
      args.push(ALGORITHM_CODES[rule.algorithm], rule.limit, rule.windowMs, rule.capacity, cost)
    }
    try {
      return await client.evalsha(SCRIPT_SHA, checks.length, ...args)
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      // EVAL runs the script and caches it, so the next decision is an EVALSHA again.
      return client.eval(DECIDE_SCRIPT, checks.length, ...args)
    }
  }

  return {
    kind: 'redis',
    client,
    prefix,
    async consume(checks) {
      const reply = await bounded(run(checks), timeoutMs, 'a rate-limit decision')
      return parseReply(reply, checks.length)
    },
    async ready() {
      if (client.status === 'ready') return
      if (client.status === 'wait') void client.connect().catch(() => {})
      let onReady: () => void = () => {}
      const connected = new Promise<void>((resolve) => {
        onReady = resolve
        client.once('ready', onReady)
      })
      try {
        await bounded(connected, settings.connectTimeoutMs, 'a connection')
      } finally {
        client.removeListener('ready', onReady)
      }
    },
    async check() {
      if (client.status !== 'ready')
        return { status: 'warn', message: `Redis connection is ${client.status}` }
      const started = performance.now()
      try {
        await bounded(client.ping(), timeoutMs, 'PING')
        return { status: 'pass', latencyMs: Math.round((performance.now() - started) * 100) / 100 }
      } catch (error) {
        return { status: 'warn', message: `Redis is not answering: ${(error as Error)?.message}` }
      }
    },
    async close() {
      if (!owned) return
      try {
        await bounded(client.quit(), timeoutMs, 'QUIT')
      } catch {
        client.disconnect()
      }
    },
  }
}
