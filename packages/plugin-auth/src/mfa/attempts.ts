/**
 * Attempt stores: count one-time code attempts per subject, so a code cannot be guessed by brute force (a
 * six-digit code falls to about a million guesses; without a limit a server checks thousands a second). The
 * default keeps counts in memory; several server instances need a shared store.
 */
import { LRUCache } from 'lru-cache'

/** Where attempts are counted. */
export interface AttemptStore {
  /**
   * Adds one attempt under `key` (which names a subject and a fixed time window) and resolves the attempts
   * counted under it so far, this one included; the count is dropped `ttlMs` milliseconds after the first.
   * Must be atomic (with Redis: `INCR` then `PEXPIRE` on the first).
   */
  increment(key: string, ttlMs: number): number | Promise<number>
}

export interface MemoryAttemptStoreOptions {
  /** Most keys kept; the least recently used go first when full. @default 10000 */
  max?: number
}

/** An in-process attempt store, bounded in size; counts expire with their window. */
export function createMemoryAttemptStore(options: MemoryAttemptStoreOptions = {}): AttemptStore {
  const { max } = { max: 10_000, ...options }
  const counts = new LRUCache<string, number>({ max, ttlAutopurge: false })
  return {
    increment(key, ttlMs) {
      const count = (counts.get(key) ?? 0) + 1
      if (count === 1) counts.set(key, count, { ttl: Math.max(1, Math.ceil(ttlMs)) })
      else counts.set(key, count, { noUpdateTTL: true })
      return count
    },
  }
}

let shared: AttemptStore | undefined

/** The process-wide store used when a caller passes none. */
export function defaultAttemptStore(): AttemptStore {
  shared ??= createMemoryAttemptStore()
  return shared
}
