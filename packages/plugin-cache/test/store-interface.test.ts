/**
 * The store interface is enough to write a shared level: a small in-process "shared" store (one backend, one
 * store object per instance) gives two engines shared answers and invalidation, and a store that never answers
 * is bounded by `storeTimeoutMs`.
 */
import { describe, expect, it } from 'vitest'
import { lifetimeMs, type CacheStore, type InvalidationTarget, type StoredEntry } from '../src/index.js'
import { manualClock, setup } from './helpers.js'

/** What every instance's store object shares: entries, their expiry, and the instances to notify. */
class Backend {
  readonly entries = new Map<string, { entry: StoredEntry; until: number }>()
  readonly instances = new Set<MapStore>()
  constructor(readonly now: () => number) {}
}

class MapStore implements CacheStore {
  readonly name = 'map'
  #listener: ((target: InvalidationTarget) => void) | undefined

  constructor(readonly backend: Backend) {
    backend.instances.add(this)
  }

  async get(key: string): Promise<StoredEntry | undefined> {
    const held = this.backend.entries.get(key)
    return held && held.until > this.backend.now() ? held.entry : undefined
  }

  async set(key: string, entry: StoredEntry): Promise<void> {
    this.backend.entries.set(key, { entry, until: this.backend.now() + lifetimeMs(entry) })
  }

  async invalidate(target: InvalidationTarget): Promise<void> {
    for (const [key, { entry }] of this.backend.entries) {
      const drop =
        target.kind === 'all' ||
        (target.kind === 'keys' && target.values.includes(key)) ||
        (target.kind === 'intents' && target.values.includes(entry.intent)) ||
        (target.kind === 'tags' && target.values.some((tag) => entry.tags.includes(tag)))
      if (drop) this.backend.entries.delete(key)
    }
    for (const other of this.backend.instances) if (other !== this) other.#listener?.(target)
  }

  subscribe(listener: (target: InvalidationTarget) => void): () => void {
    this.#listener = listener
    return () => {
      this.#listener = undefined
    }
  }
}

describe('a store written against the interface', () => {
  it('shares answers and invalidations between instances', async () => {
    const clock = manualClock()
    const backend = new Backend(clock.now)
    const intent = { cache: { tags: (params: Record<string, unknown>) => [`product:${String(params.id)}`] } }
    const a = await setup({ clock: clock.now, store: new MapStore(backend) }, intent)
    const b = await setup({ clock: clock.now, store: new MapStore(backend) }, intent)
    await a.render({ id: '1' })
    await a.plugin.idle()
    expect((await b.render({ id: '1' })).meta.cache).toBe('hit')
    expect(b.handler.calls).toBe(0)
    await a.plugin.invalidateTag('product:1')
    expect(b.plugin.stats().entries).toBe(0)
    expect((await b.render({ id: '1' })).meta.cache).toBe('miss')
  })

  it('serves a stale answer from the store and refreshes it', async () => {
    const clock = manualClock()
    const backend = new Backend(clock.now)
    const options = { clock: clock.now, ttl: 10, staleWhileRevalidate: 60 }
    const a = await setup({ ...options, store: new MapStore(backend) })
    const b = await setup({ ...options, store: new MapStore(backend) })
    await a.render()
    await a.plugin.idle()
    clock.advance(20_000)
    const stale = await b.render()
    expect(stale.meta.cache).toBe('stale')
    expect(stale.props.call).toBe(1)
    await b.plugin.idle()
    expect(b.handler.calls).toBe(1)
    expect((await b.render()).meta.cache).toBe('hit')
  })

  it('is bounded by storeTimeoutMs when it never answers', async () => {
    const silent: CacheStore = {
      name: 'silent',
      get: () => new Promise(() => undefined),
      set: () => new Promise(() => undefined),
      invalidate: async () => undefined,
    }
    const { render, plugin } = await setup({ store: silent, storeTimeoutMs: 50 })
    const started = performance.now()
    const result = await render()
    expect(result.meta.cache).toBe('miss')
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(plugin.stats().errors).toBeGreaterThanOrEqual(1)
    expect((await render()).meta.cache).toBe('hit')
  })
})
