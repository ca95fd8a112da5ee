/**
 * Invalidation: one path for tags and intents — the engine's `invalidate` event. A local invalidation is
 * dropped here, deleted from the store and published on its bus; one received from another instance is
 * re-emitted as `engine.invalidate({ …, remote: true })` (so live views learn of it) and dropped here only,
 * never published again. Keys and `clear()` are the cache's own and go to the store directly.
 */
import type { Invalidation } from '@ixp/core'
import { cacheError } from './errors.js'
import type { CacheRuntime } from './runtime.js'
import type { InvalidationTarget } from './store.js'

type GroupTarget = Extract<InvalidationTarget, { kind: 'tags' | 'intents' }>

/** A string or an array of non-empty strings, as the public methods take them. */
export function valuesOf(value: string | readonly string[], method: string): readonly string[] {
  const values = typeof value === 'string' ? [value] : value
  if (!Array.isArray(values) || values.some((item) => typeof item !== 'string' || item === '')) {
    throw cacheError('CACHE_INVALID_ARGUMENT', { method, expected: 'a non-empty string or an array of them' })
  }
  return values
}

export class Invalidator {
  readonly #runtime: CacheRuntime
  /** The store work the last `invalidate` event started (see `throughEngine`). */
  #started: Promise<number> | undefined

  constructor(runtime: CacheRuntime) {
    this.#runtime = runtime
  }

  /**
   * Tags and intents go through `engine.invalidate()` (one invalidation path: live views and other listeners
   * learn of them too); the engine's listeners run synchronously, so the work this plugin's listener started
   * is there to hand back when `invalidate()` returns.
   */
  throughEngine(target: GroupTarget): Promise<number> {
    const engine = this.#runtime.engine
    if (!engine) return this.invalidate(target)
    this.#started = undefined
    engine.invalidate(target.kind === 'tags' ? { tags: target.values } : { intents: target.values })
    const started = this.#started ?? Promise.resolve(0)
    this.#started = undefined
    return started
  }

  /** The engine's `invalidate` event: purge here; a local one also goes to the store (and every instance). */
  onInvalidate(invalidation: Invalidation): void {
    const targets: GroupTarget[] = []
    if (invalidation.tags.length > 0) targets.push({ kind: 'tags', values: invalidation.tags })
    if (invalidation.intents.length > 0) targets.push({ kind: 'intents', values: invalidation.intents })
    if (invalidation.remote) {
      // Relayed from another instance: its store work is done there, and it is never relayed again.
      for (const target of targets) this.#drop(target, 'remote')
      return
    }
    const work = Promise.all(targets.map((target) => this.invalidate(target))).then((counts) =>
      counts.reduce((sum, count) => sum + count, 0),
    )
    this.#started = work
    this.#runtime.track(work)
  }

  /** Drops a target here and in the store (which tells every other instance); resolves the count here. */
  async invalidate(target: InvalidationTarget): Promise<number> {
    const removed = this.#drop(target, 'local')
    const store = this.#runtime.settings.store
    if (store) await this.#runtime.storeCall('invalidate', () => store.invalidate(target), undefined, false)
    return removed
  }

  /** An invalidation from another instance: tags and intents become the engine's (remote) event. */
  applyRemote(target: InvalidationTarget): void {
    const engine = this.#runtime.engine
    if (engine && target.kind === 'tags') engine.invalidate({ tags: target.values, remote: true })
    else if (engine && target.kind === 'intents') engine.invalidate({ intents: target.values, remote: true })
    else this.#drop(target, 'remote')
  }

  #drop(target: InvalidationTarget, origin: 'local' | 'remote'): number {
    const runtime = this.#runtime
    runtime.log.record(target)
    const removed = runtime.memory.invalidate(target)
    if (target.kind === 'all') runtime.failures.clear()
    runtime.counters.invalidations++
    runtime.events.emit('invalidate', { target, origin, removed })
    return removed
  }
}
