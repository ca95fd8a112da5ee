/**
 * The in-process level: an LRU bounded by entries and/or approximate bytes, holding entries as JSON strings
 * (so a hit hands out a fresh copy nobody else can mutate, and the byte bound is meaningful), with an index
 * from tags and intents to keys for invalidation.
 */
import { LRUCache } from 'lru-cache'
import { lifetimeMs, type InvalidationTarget, type StoredEntry } from './store.js'

interface Held {
  entry: StoredEntry
  /** Epoch milliseconds after which the entry is of no use, even stale. */
  expiresAt: number
  size: number
}

export interface MemoryLevelOptions {
  max: number
  maxSize: number
  onEvict: (key: string, entry: StoredEntry) => void
}

/** Index names: `t:` for tags, `i:` for intents, so a tag can never be mistaken for an intent. */
export const tagGroup = (tag: string) => `t:${tag}`
export const intentGroup = (intent: string) => `i:${intent}`

// Fixed bookkeeping per entry (timestamps, index slots), so many tiny entries still count.
const ENTRY_OVERHEAD = 64

export class MemoryLevel {
  readonly #lru: LRUCache<string, Held>
  readonly #groups = new Map<string, Set<string>>()
  #bytes = 0

  constructor(options: MemoryLevelOptions) {
    const dispose = (held: Held, key: string, reason: LRUCache.DisposeReason) => {
      this.#bytes -= held.size
      this.#unindex(key, held.entry)
      if (reason === 'evict') options.onEvict(key, held.entry)
    }
    const max = options.max > 0 ? options.max : undefined
    this.#lru =
      options.maxSize > 0
        ? new LRUCache<string, Held>({
            max,
            maxSize: options.maxSize,
            sizeCalculation: (held) => held.size,
            dispose,
          })
        : new LRUCache<string, Held>({ max: options.max, dispose })
  }

  /** The entry under `key` unless it has outlived every window. */
  get(key: string, now: number): StoredEntry | undefined {
    const held = this.#lru.get(key)
    if (!held) return undefined
    if (now >= held.expiresAt) {
      this.#lru.delete(key)
      return undefined
    }
    return held.entry
  }

  /** Stores an entry; returns `false` when it is larger than the byte bound allows. */
  set(key: string, entry: StoredEntry): boolean {
    const size = entry.data.length + key.length + ENTRY_OVERHEAD
    this.#lru.set(key, { entry, expiresAt: entry.storedAt + lifetimeMs(entry), size })
    if (this.#lru.peek(key)?.entry !== entry) return false
    this.#bytes += size
    this.#index(key, entry)
    return true
  }

  delete(key: string): boolean {
    return this.#lru.delete(key)
  }

  /** Drops what a target names; returns how many entries were dropped. */
  invalidate(target: InvalidationTarget): number {
    if (target.kind === 'all') {
      const count = this.#lru.size
      this.#lru.clear()
      return count
    }
    if (target.kind === 'keys') return target.values.filter((key) => this.#lru.delete(key)).length
    const group = target.kind === 'tags' ? tagGroup : intentGroup
    let count = 0
    for (const value of target.values) {
      const keys = this.#groups.get(group(value))
      if (!keys) continue
      for (const key of [...keys]) if (this.#lru.delete(key)) count++
    }
    return count
  }

  get size(): number {
    return this.#lru.size
  }

  /** Approximate bytes held: each entry's JSON and key plus a fixed overhead. */
  get bytes(): number {
    return this.#bytes
  }

  #index(key: string, entry: StoredEntry): void {
    for (const group of groupsOf(entry)) {
      let keys = this.#groups.get(group)
      if (!keys) this.#groups.set(group, (keys = new Set()))
      keys.add(key)
    }
  }

  #unindex(key: string, entry: StoredEntry): void {
    for (const group of groupsOf(entry)) {
      const keys = this.#groups.get(group)
      if (!keys) continue
      keys.delete(key)
      if (keys.size === 0) this.#groups.delete(group)
    }
  }
}

function groupsOf(entry: StoredEntry): string[] {
  return [intentGroup(entry.intent), ...entry.tags.map(tagGroup)]
}
