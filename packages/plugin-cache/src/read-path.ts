/**
 * `beforeHandler`: answers from the in-process level or the store (hit / stale), or waits for a concurrent
 * render of the same key (coalesced), or takes the store's lock across instances; otherwise the render runs
 * and owns its key (a plan the write path completes). Commands bypass the cache and go to their idempotency
 * guard.
 */
import type { CacheStatus, RenderResult, RenderState } from '@ixp/core'
import { resultFrom } from './answer.js'
import type { FlightOutcome, Flight } from './flights.js'
import type { IdempotencyGuard } from './idempotency/guard.js'
import type { Decision, Keying } from './keying.js'
import type { IntentPolicy } from './policy.js'
import type { Refresher } from './refresh.js'
import { STORE_FAILED, type CacheRuntime, type Plan } from './runtime.js'
import type { StoredEntry } from './store.js'
import { delay } from '@ixp/core/plugin-kit'

type Answer = RenderResult | undefined | Promise<RenderResult | undefined>

export class ReadPath {
  readonly #runtime: CacheRuntime
  readonly #keying: Keying
  readonly #refresher: Refresher
  readonly #idempotency: IdempotencyGuard | undefined

  constructor(
    runtime: CacheRuntime,
    keying: Keying,
    refresher: Refresher,
    idempotency: IdempotencyGuard | undefined,
  ) {
    this.#runtime = runtime
    this.#keying = keying
    this.#refresher = refresher
    this.#idempotency = idempotency
  }

  /**
   * A maybe-sync `beforeHandler` tap: a hit or a miss of the in-process level is answered at once (no promise), so
   * the render stays synchronous; only a key that must be hashed, a flight to join or a store to ask returns one.
   */
  before(state: RenderState): Answer {
    let decided: Decision | Promise<Decision>
    try {
      decided = this.#keying.decide(state)
    } catch (error) {
      return this.#decided(state, this.#keyFailed(state, error))
    }
    if (!(decided instanceof Promise)) return this.#decided(state, decided)
    return decided.then(
      (decision) => this.#decided(state, decision),
      (error: unknown) => this.#decided(state, this.#keyFailed(state, error)),
    )
  }

  #keyFailed(state: RenderState, error: unknown): Decision {
    this.#runtime.fail('key', error, { intent: state.intent.name })
    return { kind: 'bypass', reason: 'key' }
  }

  #decided(state: RenderState, decision: Decision): Answer {
    if (decision.kind === 'bypass') {
      const runtime = this.#runtime
      state.meta.cache = 'bypass'
      runtime.counters.bypasses++
      runtime.events.emit('bypass', { intent: state.intent.name, reason: decision.reason })
      return decision.reason === 'command' ? this.#idempotency?.before(state) : undefined
    }
    if (decision.kind === 'refresh') {
      this.#own(state, decision.key, decision.policy)
      return this.#missed(state, decision.key)
    }
    return this.#lookup(state, decision.key, decision.policy)
  }

  #lookup(state: RenderState, key: string, policy: IntentPolicy): Answer {
    const runtime = this.#runtime
    const now = runtime.settings.clock()
    const entry = runtime.memory.get(key, now)
    if (entry) {
      const freshness = runtime.freshness(entry, key, now)
      if (freshness === 'fresh') return this.#answer(state, entry, 'hit', key, 'l1', now)
      if (freshness === 'stale') {
        this.#refresher.refresh(state, key)
        return this.#answer(state, entry, 'stale', key, 'l1', now)
      }
    }
    const flight = runtime.settings.coalesce ? runtime.flights.get(key) : undefined
    return flight ? this.#join(state, key, policy, flight) : this.#miss(state, key, policy)
  }

  /** Waits for a concurrent render of the same key and shares its outcome. */
  async #join(
    state: RenderState,
    key: string,
    policy: IntentPolicy,
    flight: Flight,
  ): Promise<RenderResult | undefined> {
    // Not tied to this render's signal on purpose: listening costs an AbortController per waiter, and the
    // engine already ends the render at its deadline; every flight settles, so the wait always ends.
    const outcome: FlightOutcome = await flight.promise
    if (outcome.kind === 'value') return this.#answer(state, outcome.entry, 'coalesced', key)
    if (outcome.kind === 'error') throw outcome.error
    if (outcome.kind === 'render') return this.#missed(state, key)
    // 'retry': the owner's caller left; look again (this render may become the owner).
    return this.#lookup(state, key, policy)
  }

  /** Nothing usable in the in-process level and no flight: own the key, then try the store. */
  #miss(state: RenderState, key: string, policy: IntentPolicy): Answer {
    const plan = this.#own(state, key, policy)
    return this.#runtime.settings.store ? this.#missWithStore(state, plan) : this.#missed(state, key)
  }

  async #missWithStore(state: RenderState, plan: Plan): Promise<RenderResult | undefined> {
    const runtime = this.#runtime
    const key = plan.key
    const store = runtime.settings.store
    if (store) {
      const remote = await runtime.storeCall('get', () => store.get(key), key)
      if (remote !== STORE_FAILED && remote !== undefined) {
        const freshness = runtime.freshness(remote, key, runtime.settings.clock())
        if (freshness !== 'expired') {
          runtime.memory.set(key, remote)
          runtime.finish(state, plan, { kind: 'value', entry: remote })
          if (freshness === 'stale') this.#refresher.refresh(state, key)
          return this.#answer(state, remote, freshness === 'fresh' ? 'hit' : 'stale', key, 'l2')
        }
      }
      if (runtime.settings.lock) {
        const remoteAnswer = await this.#lockOrWait(state, plan)
        if (remoteAnswer) {
          runtime.memory.set(key, remoteAnswer)
          runtime.finish(state, plan, { kind: 'value', entry: remoteAnswer })
          return this.#answer(state, remoteAnswer, 'coalesced', key)
        }
      }
    }
    return this.#missed(state, key)
  }

  #missed(state: RenderState, key: string): undefined {
    const runtime = this.#runtime
    state.meta.cache = 'miss'
    runtime.counters.misses++
    if (runtime.events.listenerCount('miss') > 0)
      runtime.events.emit('miss', { key, intent: state.intent.name })
    return undefined
  }

  /** Makes this render the one that stores `key` (and the owner of its flight when there is none). */
  #own(state: RenderState, key: string, policy: IntentPolicy): Plan {
    const runtime = this.#runtime
    const flights = runtime.flights
    const flight = runtime.settings.coalesce && !flights.get(key) ? flights.open(key) : undefined
    const plan: Plan = {
      key,
      intent: state.intent.name,
      policy,
      epoch: runtime.log.epoch,
      flight,
      lock: undefined,
    }
    runtime.plans.set(state, plan)
    return plan
  }

  /**
   * Across instances: takes the store's lock for the key, or waits for the instance holding it to store its
   * answer. Resolves that answer, or `undefined` when this render should run (lock taken, store failing, or
   * waited long enough).
   */
  async #lockOrWait(state: RenderState, plan: Plan): Promise<StoredEntry | undefined> {
    const runtime = this.#runtime
    const store = runtime.settings.store!
    const { ttlMs, waitMs, pollMs } = runtime.settings.lock!
    const usable = (entry: StoredEntry | undefined | typeof STORE_FAILED): entry is StoredEntry =>
      entry !== STORE_FAILED &&
      entry !== undefined &&
      runtime.freshness(entry, plan.key, runtime.settings.clock()) !== 'expired'
    const giveUpAt = performance.now() + waitMs
    for (;;) {
      const lock = await runtime.storeCall('lock', () => store.lock!(plan.key, ttlMs), plan.key)
      if (lock === STORE_FAILED) return undefined
      if (lock) {
        // The previous holder may have stored its answer and released the lock since this render last
        // looked: look once more before rendering.
        const stored = await runtime.storeCall('get', () => store.get(plan.key), plan.key)
        if (usable(stored)) {
          runtime.track(runtime.storeCall('unlock', () => lock.release(), plan.key))
          return stored
        }
        plan.lock = lock
        return undefined
      }
      if (performance.now() + pollMs > giveUpAt) return undefined
      await delay(pollMs, state.signal)
      const entry = await runtime.storeCall('get', () => store.get(plan.key), plan.key)
      if (entry === STORE_FAILED) return undefined
      if (usable(entry)) return entry
    }
  }

  #answer(
    state: RenderState,
    entry: StoredEntry,
    status: CacheStatus,
    key: string,
    level?: 'l1' | 'l2',
    now?: number,
  ): RenderResult {
    const { counters, events, engine, settings } = this.#runtime
    const intent = state.intent.name
    state.meta.cache = status
    if (status === 'hit') {
      counters.hits++
      if (level === 'l2') counters.storeHits++
      if (events.listenerCount('hit') > 0) events.emit('hit', { key, intent, level: level ?? 'l1' })
    } else if (status === 'stale') {
      counters.stale++
      events.emit('stale', { key, intent, level: level ?? 'l1' })
    } else {
      counters.coalesced++
      if (events.listenerCount('coalesced') > 0) events.emit('coalesced', { key, intent })
    }
    const component = engine?.describeComponent(state.component.name) ?? { name: state.component.name }
    // `now`: the time the entry was just judged fresh or stale at (read once per hit).
    return resultFrom(entry, state, component, status, now ?? settings.clock())
  }
}
