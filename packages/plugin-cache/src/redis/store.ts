/**
 * The Redis store: a shared cache level, tag and intent indexes, a distributed lock, and invalidation
 * messages over pub/sub so every instance's in-process level drops what another instance invalidated. Its one
 * subscribed connection also carries the bus other plugins share (`bus`, see pubsub.ts).
 *
 * Faults never reach a render: every command is bounded by `commandTimeoutMs`, commands are refused at once
 * while disconnected (no offline queue), and a circuit stops trying for `circuitResetMs` after repeated
 * failures. Invalidations that could not reach Redis are replayed when it answers again.
 *
 * One class (~420 lines): the commands, the circuit and the replay queue share one connection's state; the
 * subscribed connection (pubsub.ts), idempotency records, options and Lua scripts are files of their own.
 */
import { silentLogger, type HealthCheckResult, type Logger } from '@ixp/core'
import { Redis } from 'ioredis'
import { cacheError } from '../errors.js'
import { intentGroup, tagGroup } from '../memory.js'
import {
  lifetimeMs,
  type CacheStore,
  type InvalidationTarget,
  type StoreContext,
  type StoredEntry,
  type StoreLock,
} from '../store.js'
import { Circuit } from './circuit.js'
import { decodeEntry, encodeEntry } from './codec.js'
import { RedisIdempotencyStore } from './idempotency.js'
import { resolveRedisOptions, type RedisSettings, type RedisStoreOptions } from './options.js'
import { RedisPubSub } from './pubsub.js'
import { DROP_GROUPS, RELEASE_LOCK, SET_ENTRY } from './scripts.js'
import { messageOf } from '@ixp/core/plugin-kit'
import { withTimeout } from '@ixp/core/plugin-kit'

interface Message {
  from: string
  target: InvalidationTarget
}

const LOG_EVERY_MS = 10_000
const SCAN_COUNT = 500

function isTarget(value: unknown): value is InvalidationTarget {
  if (typeof value !== 'object' || value === null) return false
  const { kind, values } = value as { kind?: unknown; values?: unknown }
  if (kind === 'all') return true
  return (
    (kind === 'keys' || kind === 'tags' || kind === 'intents') &&
    Array.isArray(values) &&
    values.every((item) => typeof item === 'string')
  )
}

export class RedisStore implements CacheStore {
  readonly name = 'redis'
  /** Idempotency records of commands, shared by every instance (see `cache({ idempotency })`). */
  readonly idempotency: RedisIdempotencyStore
  /** The bus between instances, on the store's connections, that other plugins share (see `sharedBus`). */
  readonly bus: RedisPubSub
  readonly #settings: RedisSettings
  readonly #client: Redis
  readonly #ownsClient: boolean
  readonly #circuit: Circuit
  readonly #instance = crypto.randomUUID()
  readonly #channel: string
  readonly #listeners = new Set<(target: InvalidationTarget) => void>()
  readonly #loggedAt = new Map<string, number>()
  #pending: InvalidationTarget[] = []
  #flushing = false
  #replayTimer: ReturnType<typeof setTimeout> | undefined
  #opening = false
  #closed = false
  #logger: Logger = silentLogger

  constructor(options: RedisStoreOptions) {
    this.#settings = resolveRedisOptions(options)
    const prefix = this.#settings.prefix
    this.#circuit = new Circuit(this.#settings.failureThreshold, this.#settings.circuitResetMs)
    this.#channel = `${prefix}invalidate`
    this.#ownsClient = options.client === undefined
    this.#client =
      options.client ??
      new Redis(options.url!, {
        lazyConnect: true,
        enableOfflineQueue: false,
        commandTimeout: this.#settings.commandTimeoutMs,
        connectTimeout: this.#settings.connectTimeoutMs,
        maxRetriesPerRequest: 0,
        // Keep trying to come back, never more than 2 s apart: the cache works without Redis meanwhile.
        retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
        connectionName: 'ixp-cache',
        ...options.redisOptions,
      })
    this.idempotency = new RedisIdempotencyStore({
      run: (command) => this.#run(command),
      evaluate: (script, key, ...args) => this.#client.eval(script, 1, key, ...args),
      prefix,
    })
    this.bus = new RedisPubSub({
      client: this.#client,
      prefix,
      instance: this.#instance,
      subscribeTimeoutMs: this.#settings.connectTimeoutMs,
      run: (command) => this.#run(command),
      logThrottled: (what, message, error) => this.#logThrottled(what, message, error),
      // Messages sent while the subscribed connection was down are lost: whatever the in-process level holds
      // may have been invalidated meanwhile, so it starts over.
      subscriberReady: () => {
        if (!this.#opening) this.#emit({ kind: 'all' })
      },
    })
    void this.bus.listen(this.#channel, (text) => this.#receive(text))
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  async open(context: StoreContext): Promise<void> {
    this.#logger = context.logger
    this.#opening = true
    const client = this.#client
    client.on('error', (error: unknown) =>
      this.#logThrottled('connection', 'cache: redis connection error', error),
    )
    client.on('ready', () => {
      this.#circuit.success()
      void this.#flushPending()
    })
    try {
      const connecting: Promise<unknown>[] = [this.bus.open()]
      if (this.#ownsClient) connecting.push(client.connect())
      await withTimeout(
        Promise.all(connecting),
        this.#settings.connectTimeoutMs * 2,
        () => new Error('connect timed out'),
      )
    } catch (error) {
      // ioredis keeps reconnecting in the background; until then the cache runs on its in-process level.
      this.bus.subscribeLater()
      this.#logger.warn(
        'cache: redis unreachable at start; serving from the in-process cache until it answers',
        {
          error: messageOf(error),
        },
      )
    } finally {
      this.#opening = false
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#listeners.clear()
    clearTimeout(this.#replayTimer)
    const quit = async (connection: Redis) => {
      try {
        await withTimeout(
          connection.quit(),
          this.#settings.connectTimeoutMs,
          () => new Error('quit timed out'),
        )
      } catch {
        connection.disconnect()
      }
    }
    const closing: Promise<void>[] = [this.bus.close(this.#settings.connectTimeoutMs)]
    if (this.#ownsClient) closing.push(quit(this.#client))
    await Promise.all(closing)
  }

  // -------------------------------------------------------------------------------------------
  // Entries
  // -------------------------------------------------------------------------------------------

  async get(key: string): Promise<StoredEntry | undefined> {
    const text = await this.#run(() => this.#client.get(this.#entryKey(key)))
    if (text === null) return undefined
    const entry = decodeEntry(text)
    if (!entry) this.#logThrottled('decode', 'cache: ignoring a redis entry this version cannot read', key)
    return entry
  }

  async set(key: string, entry: StoredEntry): Promise<void> {
    const lifetime = Math.max(1, Math.ceil(lifetimeMs(entry)))
    const groups = [intentGroup(entry.intent), ...entry.tags.map(tagGroup)].map((group) =>
      this.#groupKey(group),
    )
    await this.#run(() =>
      this.#client.eval(
        SET_ENTRY,
        1 + groups.length,
        this.#entryKey(key),
        ...groups,
        encodeEntry(entry),
        lifetime,
        Math.ceil(lifetime / 1000) + 1,
        key,
      ),
    )
  }

  async lock(key: string, ttlMs: number): Promise<StoreLock | undefined> {
    const lockKey = `${this.#settings.prefix}lock:${key}`
    const token = crypto.randomUUID()
    const taken = await this.#run(() => this.#client.set(lockKey, token, 'PX', ttlMs, 'NX'))
    if (taken !== 'OK') return undefined
    return {
      release: async () => {
        await this.#run(() => this.#client.eval(RELEASE_LOCK, 1, lockKey, token))
      },
    }
  }

  // -------------------------------------------------------------------------------------------
  // Invalidation
  // -------------------------------------------------------------------------------------------

  async invalidate(target: InvalidationTarget): Promise<void> {
    try {
      await this.#drop(target)
      await this.#run(() =>
        this.#client.publish(this.#channel, JSON.stringify({ from: this.#instance, target })),
      )
    } catch (error) {
      this.#queue(target)
      throw cacheError(
        'CACHE_STORE_UNAVAILABLE',
        {
          reason: `redis invalidation failed (${messageOf(error)}); it is replayed when redis answers again`,
        },
        { cause: error },
      )
    }
  }

  subscribe(listener: (target: InvalidationTarget) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async #drop(target: InvalidationTarget): Promise<void> {
    const client = this.#client
    if (target.kind === 'keys') {
      if (target.values.length > 0)
        await this.#run(() => client.del(...target.values.map((key) => this.#entryKey(key))))
      return
    }
    if (target.kind === 'all') {
      let cursor = '0'
      do {
        const [next, keys] = await this.#run(() =>
          client.scan(cursor, 'MATCH', `${this.#escapedPrefix()}*`, 'COUNT', SCAN_COUNT),
        )
        cursor = next
        // Idempotency records are not cached answers: clearing the cache must not make commands run twice.
        const idempotency = `${this.#settings.prefix}idem:`
        const dropped = keys.filter((key) => !key.startsWith(idempotency))
        if (dropped.length > 0) await this.#run(() => client.del(...dropped))
      } while (cursor !== '0')
      return
    }
    const group = target.kind === 'tags' ? tagGroup : intentGroup
    const groups = target.values.map((value) => this.#groupKey(group(value)))
    if (groups.length > 0) {
      await this.#run(() =>
        client.eval(DROP_GROUPS, groups.length, ...groups, `${this.#settings.prefix}entry:`),
      )
    }
  }

  #queue(target: InvalidationTarget): void {
    this.#scheduleReplay()
    if (this.#pending.some((pending) => pending.kind === 'all')) return
    if (target.kind === 'all' || this.#pending.length >= this.#settings.maxPendingInvalidations) {
      // Dropping everything is always correct, only costlier: better than forgetting one invalidation.
      this.#pending = [{ kind: 'all' }]
      return
    }
    this.#pending.push(target)
  }

  /** Retries the replay on a timer too, so it happens even when no request touches Redis meanwhile. */
  #scheduleReplay(): void {
    if (this.#replayTimer !== undefined || this.#closed) return
    this.#replayTimer = setTimeout(() => {
      this.#replayTimer = undefined
      void this.#flushPending().then(() => {
        if (this.#pending.length > 0) this.#scheduleReplay()
      })
    }, this.#settings.circuitResetMs)
    // A pending replay must not keep a process alive that has nothing else to do.
    ;(this.#replayTimer as { unref?: () => void }).unref?.()
  }

  /** Replays invalidations Redis missed, in order; stops at the first failure and keeps the rest. */
  async #flushPending(): Promise<void> {
    if (this.#flushing || this.#pending.length === 0) return
    this.#flushing = true
    try {
      while (this.#pending.length > 0) {
        const target = this.#pending[0]!
        await this.#drop(target)
        await this.#run(() =>
          this.#client.publish(this.#channel, JSON.stringify({ from: this.#instance, target })),
        )
        this.#pending.shift()
      }
      this.#logger.info('cache: replayed the invalidations redis missed')
    } catch (error) {
      this.#logThrottled('replay', 'cache: replaying invalidations failed; retrying later', error)
    } finally {
      this.#flushing = false
    }
  }

  #receive(text: string): void {
    let message: Message
    try {
      message = JSON.parse(text) as Message
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null || message.from === this.#instance) return
    if (!isTarget(message.target)) return
    this.#emit(message.target)
  }

  #emit(target: InvalidationTarget): void {
    for (const listener of this.#listeners) {
      try {
        listener(target)
      } catch (error) {
        this.#logThrottled('listener', 'cache: an invalidation listener threw', error)
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Health and plumbing
  // -------------------------------------------------------------------------------------------

  async health(): Promise<HealthCheckResult> {
    const degraded = (message: string): HealthCheckResult => ({
      status: 'warn',
      message: `${message}; serving from the in-process cache`,
      pendingInvalidations: this.#pending.length,
    })
    if (this.#closed) return degraded('redis store closed')
    if (this.#client.status !== 'ready') return degraded(`redis not connected (${this.#client.status})`)
    if (this.bus.status !== 'ready') return degraded('redis pub/sub connection not connected')
    if (this.#circuit.state === 'open')
      return degraded(`redis failing (${this.#circuit.lastError ?? 'unknown'})`)
    const started = performance.now()
    try {
      await this.#run(() => this.#client.ping())
    } catch (error) {
      return degraded(`redis not answering (${messageOf(error)})`)
    }
    return {
      status: 'pass',
      message: 'redis reachable',
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      pendingInvalidations: this.#pending.length,
    }
  }

  /** One bounded command through the circuit; rejects with `CACHE_STORE_UNAVAILABLE`. */
  async #run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw cacheError('CACHE_STORE_UNAVAILABLE', { reason: 'redis store is closed' })
    if (!this.#circuit.allow()) {
      throw cacheError('CACHE_STORE_UNAVAILABLE', {
        reason: `redis circuit open (${this.#circuit.lastError ?? 'failing'})`,
      })
    }
    if (this.#client.status !== 'ready') {
      const error = cacheError('CACHE_STORE_UNAVAILABLE', {
        reason: `redis not connected (${this.#client.status})`,
      })
      this.#circuit.failure(error)
      throw error
    }
    try {
      const result = await withTimeout(command(), this.#settings.commandTimeoutMs, () =>
        cacheError('CACHE_STORE_UNAVAILABLE', {
          reason: `redis command took more than ${this.#settings.commandTimeoutMs} ms`,
        }),
      )
      this.#circuit.success()
      if (this.#pending.length > 0 && !this.#flushing) void this.#flushPending()
      return result
    } catch (error) {
      this.#circuit.failure(error)
      throw error
    }
  }

  #entryKey(key: string): string {
    return `${this.#settings.prefix}entry:${key}`
  }

  #groupKey(group: string): string {
    return `${this.#settings.prefix}group:${group}`
  }

  /** The prefix as a SCAN pattern (glob characters in it matched literally). */
  #escapedPrefix(): string {
    return this.#settings.prefix.replace(/[*?[\]\\]/g, '\\$&')
  }

  #logThrottled(what: string, message: string, error: unknown): void {
    const now = performance.now()
    const last = this.#loggedAt.get(what)
    if (last !== undefined && now - last < LOG_EVERY_MS) return
    this.#loggedAt.set(what, now)
    this.#logger.warn(message, { error: messageOf(error) })
  }
}

/**
 * A Redis-backed {@link CacheStore}: `cache({ store: redisStore({ url: 'redis://127.0.0.1:6379' }) })`.
 * Options are checked at once (`CACHE_INVALID_OPTIONS`). One store per `cache()` plugin.
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options)
}
