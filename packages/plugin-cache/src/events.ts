/** What the cache reports: its events (on `plugin.events`) and its counters (`plugin.stats()`). */
import type { IdempotencyOutcome } from './idempotency/guard.js'
import type { InvalidationTarget } from './store.js'

/** Why a render did not use the cache. */
export type BypassReason =
  /** The intent says `cache: false` (or does not opt in). */
  | 'intent'
  /** The intent is a command (`kind: 'command'`): its answers are never cached or shared. */
  | 'command'
  /** The request said `ctx.cache = 'bypass'`. */
  | 'request'
  /** The plugin's `bypass` predicate returned true. */
  | 'predicate'
  /** The scope needs a user or tenant the request does not carry. */
  | 'no-identity'
  /** The key material is not plain JSON (or a key function threw). */
  | 'key'

export interface CacheEvents {
  /** A fresh answer was served from the in-process level (`l1`) or the shared store (`l2`). */
  hit: [event: { key: string; intent: string; level: 'l1' | 'l2' }]
  /** A stale answer was served and a refresh started. */
  stale: [event: { key: string; intent: string; level: 'l1' | 'l2' }]
  /** Nothing usable was cached: the render runs. */
  miss: [event: { key: string; intent: string }]
  /** The render waited for a concurrent identical render and shared its answer. */
  coalesced: [event: { key: string; intent: string }]
  bypass: [event: { intent: string; reason: BypassReason }]
  /** An answer was stored. `bytes` is its approximate size. */
  set: [event: { key: string; intent: string; ttl: number; tags: readonly string[]; bytes: number }]
  /** The in-process level dropped an entry to stay within `max` / `maxSize`. */
  evict: [event: { key: string; intent: string }]
  /** Entries were invalidated here (`local`) or by another instance (`remote`). */
  invalidate: [event: { target: InvalidationTarget; origin: 'local' | 'remote'; removed: number }]
  /** A background refresh ended. */
  refresh: [event: { key: string; intent: string; ok: boolean; error?: unknown }]
  /**
   * A command's idempotency key was claimed, replayed, refused (`in-use`, `mismatch`), its answer stored, or
   * released (server error). `record` is the SHA-256 naming the caller's key, never the key itself.
   */
  idempotency: [event: { outcome: IdempotencyOutcome; intent: string; record: string }]
  /** The cache failed at something and carried on without it (store down, a key function threw, …). */
  error: [event: { operation: string; error: unknown; key?: string; intent?: string }]
}

export interface CacheStats {
  /** Fresh answers served (both levels). */
  hits: number
  /** Of `hits`, those that came from the shared store. */
  storeHits: number
  misses: number
  stale: number
  coalesced: number
  bypasses: number
  /** Answers stored. */
  sets: number
  /** Entries the in-process level dropped to stay within its bounds. */
  evictions: number
  /** Invalidation calls handled (local and remote). */
  invalidations: number
  refreshes: number
  errors: number
  /** Commands answered from their idempotency record instead of running again. */
  replays: number
  /** Entries in the in-process level now. */
  entries: number
  /** Approximate bytes in the in-process level now. */
  bytes: number
  /** Renders waiting for their key's first render now. */
  inFlight: number
}
