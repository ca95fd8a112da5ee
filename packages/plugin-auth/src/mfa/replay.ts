/**
 * Replay stores: remember which one-time codes were already accepted, so the same code cannot be used twice
 * while it is still valid. The default keeps them in memory; several server instances need a shared store.
 */
import { LRUCache } from 'lru-cache'

/** Where used one-time codes are remembered. */
export interface ReplayStore {
  /**
   * Records `key` for `ttlMs` milliseconds. Resolves `true` when the key was new and `false` when it was
   * already recorded (a replay). Must be atomic: two concurrent calls with one key may not both get `true`
   * (with Redis: `SET key 1 NX PX ttlMs`).
   */
  add(key: string, ttlMs: number): boolean | Promise<boolean>
}

export interface MemoryReplayStoreOptions {
  /**
   * Most keys kept; the least recently used go first when full. A key is dropped early only under that
   * pressure, so size it above the number of codes accepted per validity window.
   * @default 10000
   */
  max?: number
}

/** An in-process replay store, bounded in size; entries expire with their TTL. */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const { max } = { max: 10_000, ...options }
  const seen = new LRUCache<string, true>({ max, ttlAutopurge: false })
  return {
    add(key, ttlMs) {
      if (seen.has(key)) return false
      seen.set(key, true, { ttl: Math.max(1, Math.ceil(ttlMs)) })
      return true
    },
  }
}

let shared: ReplayStore | undefined

/** The process-wide store used when a caller passes none. */
export function defaultReplayStore(): ReplayStore {
  shared ??= createMemoryReplayStore()
  return shared
}
