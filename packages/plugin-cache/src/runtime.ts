/**
 * What the parts of the cache plugin share: its settings, levels, flights, plans, counters and events, and the
 * plumbing every part uses (bounded store calls, background work, throttled reports).
 */
import type { Engine, Logger, RenderState } from '@ixp/core'
import { EventEmitter } from 'eventemitter3'
import { LRUCache } from 'lru-cache'
import { cacheError } from './errors.js'
import type { CacheEvents, CacheStats } from './events.js'
import { Flights, type Flight, type FlightOutcome } from './flights.js'
import { InvalidationLog } from './invalidation-log.js'
import { MemoryLevel } from './memory.js'
import type { Settings } from './options.js'
import type { IntentPolicy } from './policy.js'
import type { StoreLock, StoredEntry } from './store.js'
import { messageOf } from '@ixp/core/plugin-kit'
import { withTimeout } from '@ixp/core/plugin-kit'

/** A failed store operation is logged at most once per this many milliseconds. */
const LOG_EVERY_MS = 10_000

/** What a store call resolves when it failed (the failure is already reported). */
export const STORE_FAILED = Symbol('store failed')

/** What the render being served by the cache has to do when it ends. */
export interface Plan {
  key: string
  intent: string
  policy: IntentPolicy
  /** Invalidation epoch when the render started. */
  epoch: number
  flight: Flight | undefined
  lock: StoreLock | undefined
}

export type Counters = Omit<CacheStats, 'entries' | 'bytes' | 'inFlight'>

export class CacheRuntime {
  readonly events = new EventEmitter<CacheEvents>()
  readonly memory: MemoryLevel
  readonly flights = new Flights()
  readonly plans = new WeakMap<RenderState, Plan>()
  readonly log = new InvalidationLog()
  /** Keys whose last refresh failed, and when (stale-if-error, refresh back-off). */
  readonly failures = new LRUCache<string, number>({ max: 10_000 })
  readonly counters: Counters = {
    hits: 0,
    storeHits: 0,
    misses: 0,
    stale: 0,
    coalesced: 0,
    bypasses: 0,
    sets: 0,
    evictions: 0,
    invalidations: 0,
    refreshes: 0,
    errors: 0,
    replays: 0,
  }
  /** The engine the plugin is installed on (set by `apply`, cleared by its teardown). */
  engine: Engine | undefined
  readonly #background = new Set<Promise<unknown>>()
  readonly #warned = new Set<string>()
  readonly #loggedAt = new Map<string, number>()

  constructor(readonly settings: Settings) {
    this.memory = new MemoryLevel({
      max: settings.max,
      maxSize: settings.maxSize,
      onEvict: (key, entry) => {
        this.counters.evictions++
        this.events.emit('evict', { key, intent: entry.intent })
      },
    })
  }

  get logger(): Logger | undefined {
    return this.engine?.logger
  }

  /** Whether an entry is fresh, may be served stale, or is of no use now. */
  freshness(entry: StoredEntry, key: string, now: number): 'fresh' | 'stale' | 'expired' {
    const age = now - entry.storedAt
    const fresh = entry.ttl * 1000
    if (age < fresh) return 'fresh'
    const stale = fresh + entry.staleWhileRevalidate * 1000
    if (age < stale) return 'stale'
    if (age < stale + entry.staleIfError * 1000 && this.failures.has(key)) return 'stale'
    return 'expired'
  }

  /** Ends a plan without storing: settles its flight and releases its lock. */
  finish(state: RenderState, plan: Plan, outcome: FlightOutcome): void {
    this.plans.delete(state)
    if (plan.flight) this.flights.settle(plan.key, plan.flight, outcome)
    this.unlock(plan)
  }

  /** Releases the store lock a plan holds, in the background. */
  unlock(plan: Plan): void {
    const lock = plan.lock
    if (!lock) return
    plan.lock = undefined
    this.track(this.storeCall('unlock', () => lock.release(), plan.key))
  }

  /** Runs a store operation; failures are counted and reported, never thrown (the cache carries on). */
  async storeCall<T>(
    operation: string,
    work: () => Promise<T>,
    key?: string,
    bounded = true,
  ): Promise<T | typeof STORE_FAILED> {
    const timeoutMs = this.settings.storeTimeoutMs
    try {
      const pending = work()
      return bounded
        ? await withTimeout(pending, timeoutMs, () =>
            cacheError('CACHE_STORE_UNAVAILABLE', {
              reason: `store ${operation} took more than ${timeoutMs} ms`,
            }),
          )
        : await pending
    } catch (error) {
      this.fail(`store.${operation}`, error, key === undefined ? {} : { key })
      return STORE_FAILED
    }
  }

  /** Keeps background work (refreshes, store writes) so `idle()` and teardown can wait for it. */
  track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#background.delete(tracked))
    this.#background.add(tracked)
  }

  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background])
  }

  fail(operation: string, error: unknown, where: { key?: string; intent?: string } = {}): void {
    this.counters.errors++
    this.events.emit('error', Object.assign({ operation, error }, where))
    this.logThrottled(operation, `cache: ${operation} failed; carrying on without it`, error)
  }

  logThrottled(operation: string, message: string, error: unknown): void {
    const now = performance.now()
    const last = this.#loggedAt.get(operation)
    if (last !== undefined && now - last < LOG_EVERY_MS) return
    this.#loggedAt.set(operation, now)
    this.logger?.warn(message, { error: messageOf(error) })
  }

  warnOnce(id: string, message: string, fields: Record<string, unknown>): void {
    if (this.#warned.has(id)) return
    this.#warned.add(id)
    this.logger?.warn(message, fields)
  }
}
