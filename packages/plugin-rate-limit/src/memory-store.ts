/**
 * The in-process store: counters in a bounded LRU map. Decisions are synchronous (no await between reading
 * and writing a counter), so a single process is exact under any concurrency. Expired counters are not
 * swept: they are recognised as stale when read and the LRU bound evicts them with everything else.
 */
import { LRUCache } from 'lru-cache'
import {
  admits,
  readUsage,
  report,
  take,
  toCounter,
  type Counter,
  type LimitOutcome,
  type Usage,
} from './algorithms.js'
import { invalidOptions } from './errors.js'
import type { LimitCheck, RateLimitStore, StoreDecision } from './store.js'

export interface MemoryStoreOptions {
  /**
   * Most counters kept (one per limit and client). When full, the least recently used is dropped and that
   * client starts afresh: size it above the number of clients active within your longest window.
   * @default 100_000
   */
  max?: number
  /** The clock, in epoch milliseconds (tests pass a controllable one). @default Date.now */
  clock?: () => number
}

const DEFAULTS = { max: 100_000, clock: Date.now }

/** The memory store, with its size exposed for monitoring. */
export interface MemoryStore extends RateLimitStore {
  readonly kind: 'memory'
  /** Counters held now (never above `max`). */
  readonly size: number
  readonly max: number
  consume(checks: readonly LimitCheck[]): StoreDecision
  /** Forgets every counter. */
  clear(): void
}

/** Creates an in-memory store (the plugin's default). */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const settings = Object.assign({}, DEFAULTS, options)
  if (!Number.isSafeInteger(settings.max) || settings.max < 1) {
    throw invalidOptions(`memoryStore: 'max' must be a positive integer (got ${String(settings.max)})`)
  }
  if (typeof settings.clock !== 'function') throw invalidOptions("memoryStore: 'clock' must be a function")
  const counters = new LRUCache<string, Counter>({ max: settings.max })
  const { clock } = settings

  function consume(checks: readonly LimitCheck[]): StoreDecision {
    const now = clock()
    const usages: Usage[] = new Array<Usage>(checks.length)
    const stored: (Counter | undefined)[] = new Array<Counter | undefined>(checks.length)
    const passes: boolean[] = new Array<boolean>(checks.length)
    let allowed = true
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!
      const counter = counters.get(check.key)
      stored[i] = counter
      const usage = readUsage(check.rule, counter, now)
      usages[i] = usage
      passes[i] = admits(check.rule, usage, check.cost)
      if (!passes[i]) allowed = false
    }
    if (allowed) {
      for (let i = 0; i < checks.length; i++) {
        const check = checks[i]!
        if (check.cost <= 0) continue
        take(check.rule, usages[i]!, check.cost)
        const existing = stored[i]
        const { counter } = toCounter(check.rule, usages[i]!, now, existing)
        if (!existing) counters.set(check.key, counter)
      }
    }
    const outcomes: LimitOutcome[] = new Array<LimitOutcome>(checks.length)
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!
      outcomes[i] = report(check.rule, usages[i]!, now, check.cost, passes[i]!)
    }
    return { allowed, outcomes }
  }

  return {
    kind: 'memory',
    get size() {
      return counters.size
    },
    max: settings.max,
    consume,
    check: () => ({ status: 'pass', message: `${counters.size} of ${settings.max} counters in use` }),
    clear: () => counters.clear(),
    close: () => counters.clear(),
  }
}
