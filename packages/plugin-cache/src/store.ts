/**
 * The shared (level 2) store interface. The plugin keeps its own in-process level; a store adds a level
 * every instance shares and carries invalidations between instances. `redisStore()` from
 * `@ixp/plugin-cache/redis` implements it; write your own by implementing the required methods.
 *
 * Contract: methods may reject (the plugin falls back to its in-process level and counts an error), but they
 * should fail fast — the plugin also bounds `get`, `set` and `lock` by `storeTimeoutMs`.
 */
import type { HealthCheckResult, Logger } from '@ixp/core'
import type { MessageBus } from '@ixp/core/plugin-kit'
import type { IdempotencyStore } from './idempotency/store.js'

/** One cached render as the levels keep it. */
export interface StoredEntry {
  /** JSON of the cached render: `{ props, ttl, tree?, record? }`. */
  data: string
  /** The intent's name (intent-wide invalidation). */
  intent: string
  /** Tags attached by the intent and the handler (tag invalidation). */
  tags: readonly string[]
  /** When the entry was stored, in epoch milliseconds. */
  storedAt: number
  /** Seconds the entry is fresh. */
  ttl: number
  /** Seconds after `ttl` it may be served stale while one refresh runs. */
  staleWhileRevalidate: number
  /** Seconds after the stale window it may still be served when refreshing it failed. */
  staleIfError: number
}

/** Milliseconds a store must keep an entry: its fresh, stale and stale-if-error windows together. */
export function lifetimeMs(entry: StoredEntry): number {
  return (entry.ttl + entry.staleWhileRevalidate + entry.staleIfError) * 1000
}

/** What to drop: some keys, every entry with one of some tags or of some intents, or everything. */
export type InvalidationTarget =
  | { kind: 'keys'; values: readonly string[] }
  | { kind: 'tags'; values: readonly string[] }
  | { kind: 'intents'; values: readonly string[] }
  | { kind: 'all' }

/** A held distributed lock. */
export interface StoreLock {
  /** Releases the lock if this holder still owns it (it may have expired). */
  release(): Promise<void>
}

export interface StoreContext {
  logger: Logger
}

export interface CacheStore {
  /** Short name, used in the health check name (`cache:<name>`) and logs. */
  readonly name: string
  /** Connects; called once when the plugin is applied. Must not reject when the backend is down. */
  open?(context: StoreContext): Promise<void> | void
  /** The entry under `key`, or `undefined`. */
  get(key: string): Promise<StoredEntry | undefined>
  /** Stores an entry for {@link lifetimeMs} and indexes it under its tags and intent. */
  set(key: string, entry: StoredEntry): Promise<void>
  /** Drops entries here and tells every other instance to drop them from their in-process level. */
  invalidate(target: InvalidationTarget): Promise<void>
  /**
   * Receives invalidations made by other instances (never this one's). A `{ kind: 'all' }` also arrives when
   * the store may have missed messages (a lost connection), so the in-process level starts over.
   */
  subscribe?(listener: (target: InvalidationTarget) => void): () => void
  /**
   * A bus between instances on the store's own connections, offered to other plugins through `@ixp/core`'s
   * `sharedBus` (plugin-realtime sends its rooms and events over it instead of opening its own connections).
   */
  readonly bus?: MessageBus
  /** Idempotency records shared by every instance (without it, commands' keys are kept per process). */
  readonly idempotency?: IdempotencyStore
  /** Takes a lock for `ttlMs`; resolves `undefined` when another holder has it. */
  lock?(key: string, ttlMs: number): Promise<StoreLock | undefined>
  /** `pass` when reachable, `warn` when the cache is running on its in-process level only. */
  health?(): Promise<HealthCheckResult>
  /** Disconnects; called on the plugin's teardown. */
  close?(): Promise<void>
}
