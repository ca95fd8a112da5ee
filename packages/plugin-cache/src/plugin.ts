/**
 * The cache plugin. On the render path it taps three hooks at `Stage.CACHE`:
 *
 * - `beforeHandler`: computes the key; answers from the in-process level or the store (hit / stale), or waits
 *   for a concurrent render of the same key (coalesced); otherwise opens a flight and lets the render run.
 * - `afterRender`: stores the answer and settles the flight, so every waiter gets its own copy.
 * - `error`: settles the flight of a failed render so no waiter is left hanging.
 */
import {
  Stage,
  type CacheStatus,
  type ComponentDefinition,
  type Engine,
  type ErrorInfo,
  type HealthCheckResult,
  type IntentDefinition,
  type Invalidation,
  type IxpContext,
  type IxpError,
  type IxpPlugin,
  type Logger,
  type RenderRequest,
  type RenderResult,
  type RenderState,
} from '@ixp/core'
import { EventEmitter } from 'eventemitter3'
import { LRUCache } from 'lru-cache'
import { resultFrom, serialiseResult } from './answer.js'
import { directivesOf, tagProblem, type CacheDirectives } from './control.js'
import { cacheError } from './errors.js'
import type { BypassReason, CacheEvents, CacheStats } from './events.js'
import { Flights, type Flight, type FlightOutcome } from './flights.js'
import { IdempotencyGuard } from './idempotency/guard.js'
import { InvalidationLog } from './invalidation-log.js'
import { keyMaterial } from './json.js'
import { finishKey, keyPrefix, scopeSegment, type CacheScope } from './key.js'
import { MemoryLevel } from './memory.js'
import { resolveOptions, type CacheOptions, type Settings } from './options.js'
import { cacheDefinitionError, compilePolicy, intentCacheIssues, type IntentPolicy } from './policy.js'
import type { InvalidationTarget, StoreLock, StoredEntry } from './store.js'
import { sleep, withTimeout } from './timing.js'

export const PLUGIN_NAME = '@ixp/plugin-cache'
const PLUGIN_VERSION = '0.1.0'

/** After a refresh failed, the next one waits at least this long (a failing backend is not hammered). */
const REFRESH_RETRY_MS = 1_000
/** A failed store operation is logged at most once per this many milliseconds. */
const LOG_EVERY_MS = 10_000
/** Teardown waits this long at most for background refreshes and writes. */
const TEARDOWN_WAIT_MS = 5_000

/** The plugin object `cache()` returns: install it with `engine.use()`, keep it to invalidate and observe. */
export interface CachePlugin extends IxpPlugin {
  /** hit, stale, miss, coalesced, bypass, set, evict, invalidate, refresh, error. */
  readonly events: EventEmitter<CacheEvents>
  /** Counters since creation, and the in-process level's size now. */
  stats(): CacheStats
  /** Drops entries by key (see `keyFor`); returns how many the in-process level held. */
  invalidate(keys: string | readonly string[]): Promise<number>
  /** Drops every entry carrying one of the tags, here, in the store and on every instance. */
  invalidateTag(tags: string | readonly string[]): Promise<number>
  /** Drops every entry of the intents, here, in the store and on every instance. */
  invalidateIntent(names: string | readonly string[]): Promise<number>
  /** Drops everything, here, in the store and on every instance. */
  clear(): Promise<number>
  /**
   * The key a render of `request` by this caller would use, or `undefined` when it would not be cached.
   * Pass parameters as the handler sees them (schema defaults applied).
   */
  keyFor(request: RenderRequest, context?: IxpContext): Promise<string | undefined>
  /** Resolves when the background refreshes and store writes started so far have ended. */
  idle(): Promise<void>
}

/** What the render being served by the cache has to do when it ends. */
interface Plan {
  key: string
  intent: string
  policy: IntentPolicy
  /** Invalidation epoch when the render started. */
  epoch: number
  flight: Flight | undefined
  lock: StoreLock | undefined
}

type KeyOutcome = { key: string } | { bypass: BypassReason }

type GroupTarget = Extract<InvalidationTarget, { kind: 'tags' | 'intents' }>

type Decision =
  { kind: 'bypass'; reason: BypassReason } | { kind: 'lookup' | 'refresh'; key: string; policy: IntentPolicy }

const STORE_FAILED = Symbol('store failed')

function decisionOf(found: KeyOutcome, kind: 'lookup' | 'refresh', policy: IntentPolicy): Decision {
  return 'bypass' in found ? { kind: 'bypass', reason: found.bypass } : { kind, key: found.key, policy }
}

function list(value: string | readonly string[], method: string): readonly string[] {
  const values = typeof value === 'string' ? [value] : value
  if (!Array.isArray(values) || values.some((item) => typeof item !== 'string' || item === '')) {
    throw cacheError('CACHE_INVALID_ARGUMENT', `${method}() takes a non-empty string or an array of them`)
  }
  return values
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

class RenderCache implements CachePlugin {
  readonly name = PLUGIN_NAME
  readonly version = PLUGIN_VERSION
  readonly events = new EventEmitter<CacheEvents>()

  readonly #settings: Settings
  readonly #memory: MemoryLevel
  readonly #idempotency: IdempotencyGuard | undefined
  readonly #flights = new Flights()
  readonly #plans = new WeakMap<RenderState, Plan>()
  readonly #policies = new WeakMap<IntentDefinition, IntentPolicy>()
  readonly #prefixes = new WeakMap<IntentDefinition, { component: ComponentDefinition; prefix: string }>()
  readonly #log = new InvalidationLog()
  /** Keys whose last refresh failed, and when (stale-if-error, refresh back-off). */
  readonly #failures = new LRUCache<string, number>({ max: 10_000 })
  readonly #refreshing = new Set<string>()
  readonly #background = new Set<Promise<unknown>>()
  readonly #warned = new Set<string>()
  readonly #loggedAt = new Map<string, number>()
  readonly #counters = {
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
  #engine: Engine | undefined
  #logger: Logger | undefined
  /** The store work the last `invalidate` event started (see `#throughEngine`). */
  #started: Promise<number> | undefined

  constructor(options: CacheOptions) {
    this.#settings = resolveOptions(options)
    this.#memory = new MemoryLevel({
      max: this.#settings.max,
      maxSize: this.#settings.maxSize,
      onEvict: (key, entry) => {
        this.#counters.evictions++
        this.events.emit('evict', { key, intent: entry.intent })
      },
    })
    const idempotency = this.#settings.idempotency
    this.#idempotency = idempotency
      ? new IdempotencyGuard(
          {
            settings: this.#settings,
            logger: () => this.#logger,
            report: (outcome, intent, record) => {
              if (outcome === 'replayed') this.#counters.replays++
              this.events.emit('idempotency', { outcome, intent, record })
            },
            fail: (operation, error) => this.#fail(operation, error),
          },
          idempotency,
        )
      : undefined
  }

  // -------------------------------------------------------------------------------------------
  // Installation
  // -------------------------------------------------------------------------------------------

  async apply(engine: Engine): Promise<() => Promise<void>> {
    if (this.#engine) {
      throw cacheError(
        'CACHE_INVALID_OPTIONS',
        'This cache() plugin is already installed on an engine; create one per engine',
      )
    }
    for (const intent of engine.intents.list()) this.#check(intent)
    this.#engine = engine
    this.#logger = engine.logger
    const tap = { name: PLUGIN_NAME, stage: Stage.CACHE }
    engine.hooks.registerIntent.tap(
      { name: `${PLUGIN_NAME}:definition`, stage: Stage.CACHE },
      (definition) => {
        this.#check(definition)
        return definition
      },
    )
    engine.hooks.beforeHandler.tapPromise(tap, (state) => this.#before(state))
    engine.hooks.afterRender.tapPromise(tap, async (result, state) => {
      if (this.#idempotency && state.intent.kind === 'command') await this.#idempotency.after(result, state)
      return this.#after(result, state)
    })
    engine.hooks.error.tapPromise(tap, async (error, info) => {
      if (this.#idempotency && info.state?.intent.kind === 'command') {
        await this.#idempotency.onError(error, info.state)
      }
      this.#onError(error, info)
    })
    const onInvalidate = (invalidation: Invalidation) => this.#onInvalidate(invalidation)
    engine.events.on('invalidate', onInvalidate)
    const cleanups: (() => void)[] = [
      engine.registerHealthCheck('cache', () => this.#memoryHealth()),
      () => engine.events.off('invalidate', onInvalidate),
    ]
    const store = this.#settings.store
    if (store) {
      try {
        await store.open?.({ logger: engine.logger })
      } catch (error) {
        this.#fail('store.open', error)
      }
      const unsubscribe = store.subscribe?.((target) => this.#applyRemote(target))
      if (unsubscribe) cleanups.push(unsubscribe)
      if (store.health)
        cleanups.push(engine.registerHealthCheck(`cache:${store.name}`, () => this.#storeHealth()))
    }
    return async () => {
      for (const cleanup of cleanups) cleanup()
      await withTimeout(
        this.idle(),
        TEARDOWN_WAIT_MS,
        () => new Error('background work still running'),
      ).catch((error: unknown) =>
        this.#logger?.warn('cache: teardown did not wait for everything', { error: messageOf(error) }),
      )
      try {
        await store?.close?.()
      } catch (error) {
        this.#fail('store.close', error)
      }
      this.#memory.invalidate({ kind: 'all' })
      this.#engine = undefined
    }
  }

  #check(definition: IntentDefinition): void {
    const issues = intentCacheIssues(definition.cache, definition.kind)
    if (issues.length > 0) throw cacheDefinitionError(definition.name, issues)
  }

  #policy(intent: IntentDefinition): IntentPolicy {
    let policy = this.#policies.get(intent)
    if (!policy) {
      policy = compilePolicy(intent, this.#settings.intents)
      this.#policies.set(intent, policy)
    }
    return policy
  }

  // -------------------------------------------------------------------------------------------
  // beforeHandler: keys, lookups, coalescing
  // -------------------------------------------------------------------------------------------

  // The hit path avoids `await` where nothing is asynchronous: on a busy server every microtask hop counts.
  async #before(state: RenderState): Promise<RenderResult | undefined> {
    let decision: Decision
    try {
      const decided = this.#decide(state)
      decision = decided instanceof Promise ? await decided : decided
    } catch (error) {
      this.#fail('key', error, { intent: state.intent.name })
      decision = { kind: 'bypass', reason: 'key' }
    }
    if (decision.kind === 'bypass') {
      state.meta.cache = 'bypass'
      this.#counters.bypasses++
      this.events.emit('bypass', { intent: state.intent.name, reason: decision.reason })
      return decision.reason === 'command' ? this.#idempotency?.before(state) : undefined
    }
    if (decision.kind === 'refresh') {
      this.#own(state, decision.key, decision.policy)
      return this.#missed(state, decision.key)
    }
    return this.#lookup(state, decision.key, decision.policy)
  }

  #decide(state: RenderState): Decision | Promise<Decision> {
    if (state.intent.kind === 'command') return { kind: 'bypass', reason: 'command' }
    const policy = this.#policy(state.intent)
    if (!policy.enabled) return { kind: 'bypass', reason: 'intent' }
    const directive = state.context.cache
    if (directive === 'bypass') return { kind: 'bypass', reason: 'request' }
    if (this.#settings.bypass?.(state)) return { kind: 'bypass', reason: 'predicate' }
    const outcome = this.#keyOf(
      state.intent,
      state.component,
      state.parameters ?? {},
      state.request.options,
      state.context,
      policy,
    )
    const kind = directive === 'refresh' ? 'refresh' : 'lookup'
    return outcome instanceof Promise
      ? outcome.then((found) => decisionOf(found, kind, policy))
      : decisionOf(outcome, kind, policy)
  }

  #keyOf(
    intent: IntentDefinition,
    component: ComponentDefinition,
    parameters: Record<string, unknown>,
    options: Record<string, unknown> | undefined,
    context: IxpContext,
    policy: IntentPolicy,
  ): KeyOutcome | Promise<KeyOutcome> {
    const settings = this.#settings
    const identity = settings.identify(context)
    let scope: CacheScope
    if (policy.scope) scope = policy.scope
    else if (settings.defaultScope !== 'auto') scope = settings.defaultScope
    else scope = identity.user !== undefined ? 'user' : identity.tenant !== undefined ? 'tenant' : 'public'
    const scopeKey = scopeSegment(scope, identity)
    if (scopeKey === undefined) return { bypass: 'no-identity' }
    const vary = policy.varyBy?.(parameters, context)
    const custom = policy.key
      ? policy.key(parameters, context)
      : settings.key?.({ intent: intent.name, parameters, options, context })
    const json =
      policy.key || settings.key
        ? keyMaterial('k', custom, vary)
        : keyMaterial('p', parameters, vary, options)
    if (!json.ok) {
      this.#warnOnce(
        `key:${intent.name}`,
        `cache: intent '${intent.name}' is not cached: its key material is not plain JSON`,
        {
          path: json.problem.path,
          reason: json.problem.reason,
        },
      )
      return { bypass: 'key' }
    }
    const key = finishKey(this.#prefix(intent, component), scopeKey, json.json)
    return typeof key === 'string' ? { key } : key.then((hashed) => ({ key: hashed }))
  }

  /** The fixed part of the keys of an intent rendered by a component (both may be replaced at run time). */
  #prefix(intent: IntentDefinition, component: ComponentDefinition): string {
    const known = this.#prefixes.get(intent)
    if (known?.component === component) return known.prefix
    const prefix = keyPrefix({
      version: this.#settings.version,
      intent: intent.name,
      intentVersion: intent.version,
      component: component.name,
      componentVersion: typeof component.version === 'string' ? component.version : undefined,
    })
    this.#prefixes.set(intent, { component, prefix })
    return prefix
  }

  #lookup(
    state: RenderState,
    key: string,
    policy: IntentPolicy,
  ): RenderResult | undefined | Promise<RenderResult | undefined> {
    const now = this.#settings.now()
    const entry = this.#memory.get(key, now)
    if (entry) {
      const freshness = this.#freshness(entry, key, now)
      if (freshness === 'fresh') return this.#answer(state, entry, 'hit', key, 'l1')
      if (freshness === 'stale') {
        this.#refresh(state, key)
        return this.#answer(state, entry, 'stale', key, 'l1')
      }
    }
    const flight = this.#settings.coalesce ? this.#flights.get(key) : undefined
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
  #miss(
    state: RenderState,
    key: string,
    policy: IntentPolicy,
  ): RenderResult | undefined | Promise<RenderResult | undefined> {
    const plan = this.#own(state, key, policy)
    return this.#settings.store ? this.#missWithStore(state, plan) : this.#missed(state, key)
  }

  async #missWithStore(state: RenderState, plan: Plan): Promise<RenderResult | undefined> {
    const key = plan.key
    const store = this.#settings.store
    if (store) {
      const remote = await this.#storeCall('get', () => store.get(key), key)
      if (remote !== STORE_FAILED && remote !== undefined) {
        const freshness = this.#freshness(remote, key, this.#settings.now())
        if (freshness !== 'expired') {
          this.#memory.set(key, remote)
          this.#finish(state, plan, { kind: 'value', entry: remote })
          if (freshness === 'stale') this.#refresh(state, key)
          return this.#answer(state, remote, freshness === 'fresh' ? 'hit' : 'stale', key, 'l2')
        }
      }
      if (this.#settings.lock) {
        const remoteAnswer = await this.#lockOrWait(state, plan)
        if (remoteAnswer) {
          this.#memory.set(key, remoteAnswer)
          this.#finish(state, plan, { kind: 'value', entry: remoteAnswer })
          return this.#answer(state, remoteAnswer, 'coalesced', key)
        }
      }
    }
    return this.#missed(state, key)
  }

  #missed(state: RenderState, key: string): undefined {
    state.meta.cache = 'miss'
    this.#counters.misses++
    if (this.events.listenerCount('miss') > 0) this.events.emit('miss', { key, intent: state.intent.name })
    return undefined
  }

  /** Makes this render the one that stores `key` (and the owner of its flight when there is none). */
  #own(state: RenderState, key: string, policy: IntentPolicy): Plan {
    const flight = this.#settings.coalesce && !this.#flights.get(key) ? this.#flights.open(key) : undefined
    const plan: Plan = {
      key,
      intent: state.intent.name,
      policy,
      epoch: this.#log.epoch,
      flight,
      lock: undefined,
    }
    this.#plans.set(state, plan)
    return plan
  }

  /** Ends a plan without a store: settles its flight and releases its lock. */
  #finish(state: RenderState, plan: Plan, outcome: FlightOutcome): void {
    this.#plans.delete(state)
    if (plan.flight) this.#flights.settle(plan.key, plan.flight, outcome)
    this.#unlock(plan)
  }

  /**
   * Across instances: takes the store's lock for the key, or waits for the instance holding it to store its
   * answer. Resolves that answer, or `undefined` when this render should run (lock taken, store failing, or
   * waited long enough).
   */
  async #lockOrWait(state: RenderState, plan: Plan): Promise<StoredEntry | undefined> {
    const store = this.#settings.store!
    const { ttlMs, waitMs, pollMs } = this.#settings.lock!
    const giveUpAt = performance.now() + waitMs
    for (;;) {
      const lock = await this.#storeCall('lock', () => store.lock!(plan.key, ttlMs), plan.key)
      if (lock === STORE_FAILED) return undefined
      if (lock) {
        // The previous holder may have stored its answer and released the lock since this render last
        // looked: look once more before rendering.
        const stored = await this.#storeCall('get', () => store.get(plan.key), plan.key)
        if (
          stored !== STORE_FAILED &&
          stored &&
          this.#freshness(stored, plan.key, this.#settings.now()) !== 'expired'
        ) {
          this.#track(this.#storeCall('unlock', () => lock.release(), plan.key))
          return stored
        }
        plan.lock = lock
        return undefined
      }
      if (performance.now() + pollMs > giveUpAt) return undefined
      await sleep(pollMs, state.signal)
      const entry = await this.#storeCall('get', () => store.get(plan.key), plan.key)
      if (entry === STORE_FAILED) return undefined
      if (entry && this.#freshness(entry, plan.key, this.#settings.now()) !== 'expired') return entry
    }
  }

  #freshness(entry: StoredEntry, key: string, now: number): 'fresh' | 'stale' | 'expired' {
    const age = now - entry.storedAt
    const fresh = entry.ttl * 1000
    if (age < fresh) return 'fresh'
    const stale = fresh + entry.staleWhileRevalidate * 1000
    if (age < stale) return 'stale'
    if (age < stale + entry.staleIfError * 1000 && this.#failures.has(key)) return 'stale'
    return 'expired'
  }

  #answer(
    state: RenderState,
    entry: StoredEntry,
    status: CacheStatus,
    key: string,
    level?: 'l1' | 'l2',
  ): RenderResult {
    const intent = state.intent.name
    state.meta.cache = status
    if (status === 'hit') {
      this.#counters.hits++
      if (level === 'l2') this.#counters.storeHits++
      if (this.events.listenerCount('hit') > 0) this.events.emit('hit', { key, intent, level: level ?? 'l1' })
    } else if (status === 'stale') {
      this.#counters.stale++
      this.events.emit('stale', { key, intent, level: level ?? 'l1' })
    } else {
      this.#counters.coalesced++
      if (this.events.listenerCount('coalesced') > 0) this.events.emit('coalesced', { key, intent })
    }
    const component = this.#engine?.describeComponent(state.component.name) ?? { name: state.component.name }
    return resultFrom(entry, state, component, status, this.#settings.now())
  }

  // -------------------------------------------------------------------------------------------
  // Stale-while-revalidate
  // -------------------------------------------------------------------------------------------

  /** Starts one background render of the key without the cache answering it (at most one per key). */
  #refresh(state: RenderState, key: string): void {
    const engine = this.#engine
    if (!engine || this.#refreshing.has(key)) return
    const failedAt = this.#failures.get(key)
    if (failedAt !== undefined && this.#settings.now() - failedAt < REFRESH_RETRY_MS) return
    const context: IxpContext = { ...state.context, cache: 'refresh' }
    // The refresh outlives the request: it must not inherit its deadline or its caller's abort signal.
    delete context.signal
    delete context.engine
    const intent = state.intent.name
    this.#refreshing.add(key)
    const run = engine
      .render(state.request, context)
      .then(
        () => {
          this.#failures.delete(key)
          this.events.emit('refresh', { key, intent, ok: true })
        },
        (error: IxpError) => {
          if (error.status < 500) {
            // The question itself now fails (the thing was deleted, access changed): stop serving the old answer.
            this.#memory.delete(key)
            this.#failures.delete(key)
          } else {
            this.#failures.set(key, this.#settings.now())
          }
          this.#logThrottled('refresh', `cache: refreshing a stale answer of '${intent}' failed`, error)
          this.events.emit('refresh', { key, intent, ok: false, error })
        },
      )
      .finally(() => {
        this.#counters.refreshes++
        this.#refreshing.delete(key)
      })
    this.#track(run)
  }

  // -------------------------------------------------------------------------------------------
  // afterRender and error: storing, settling flights
  // -------------------------------------------------------------------------------------------

  #after(result: RenderResult, state: RenderState): RenderResult {
    const plan = this.#plans.get(state)
    if (!plan) return result
    this.#plans.delete(state)
    let outcome: FlightOutcome = { kind: 'render' }
    let stored: Promise<void> | undefined
    try {
      const produced = this.#produce(result, state, plan)
      if (produced) {
        outcome = { kind: 'value', entry: produced.entry }
        if (produced.store) stored = this.#store(plan, produced.entry)
      }
    } catch (error) {
      this.#fail('store', error, { key: plan.key, intent: plan.intent })
    }
    if (plan.flight) this.#flights.settle(plan.key, plan.flight, outcome)
    if (stored) this.#track(stored.finally(() => this.#unlock(plan)))
    else this.#unlock(plan)
    return result
  }

  /** The entry for a result, and whether to store it; `undefined` when the result cannot be shared at all. */
  #produce(
    result: RenderResult,
    state: RenderState,
    plan: Plan,
  ): { entry: StoredEntry; store: boolean } | undefined {
    const json = serialiseResult(result)
    if (!json.ok) {
      this.#warnOnce(
        `value:${plan.intent}`,
        `cache: answers of intent '${plan.intent}' are not cached: they are not plain JSON`,
        { path: json.problem.path, reason: json.problem.reason },
      )
      return undefined
    }
    const directives = directivesOf(state.context)
    const settings = this.#settings
    const policy = plan.policy
    let store = directives?.noStore !== true
    let tags: string[] = []
    let ttl = 0
    try {
      tags = this.#tagsOf(policy, state, directives, result.tags)
      ttl = this.#ttlOf(result, state, policy, directives)
      // The answer's tags are the intent's cacheTags and the cache's own: a live view matches on all of them.
      if (tags.length > (result.tags?.length ?? 0)) result.tags = tags
    } catch (error) {
      // Without its tags an entry could outlive an invalidation meant for it: share it, never store it.
      this.#fail('policy', error, { key: plan.key, intent: plan.intent })
      store = false
    }
    const entry: StoredEntry = {
      data: json.json,
      intent: plan.intent,
      tags,
      storedAt: settings.now(),
      ttl,
      staleWhileRevalidate: policy.staleWhileRevalidate ?? settings.staleWhileRevalidate,
      staleIfError: policy.staleIfError ?? settings.staleIfError,
    }
    if (ttl <= 0 || this.#log.covers(plan.epoch, plan.key, plan.intent, tags)) store = false
    return { entry, store }
  }

  #tagsOf(
    policy: IntentPolicy,
    state: RenderState,
    directives: CacheDirectives | undefined,
    rendered: readonly string[] | undefined,
  ): string[] {
    const declared =
      typeof policy.tags === 'function' ? policy.tags(state.parameters ?? {}, state.context) : policy.tags
    const tags = new Set<string>(rendered)
    for (const tag of [...(declared ?? []), ...(directives?.tags ?? [])]) {
      const problem = tagProblem(tag)
      if (problem) throw new TypeError(`intent '${state.intent.name}' produced a tag that ${problem}`)
      tags.add(tag)
    }
    return [...tags]
  }

  #ttlOf(
    result: RenderResult,
    state: RenderState,
    policy: IntentPolicy,
    directives: CacheDirectives | undefined,
  ): number {
    let ttl: unknown = directives?.ttl
    if (ttl === undefined && policy.ttl !== undefined) {
      ttl = typeof policy.ttl === 'function' ? policy.ttl(state.parameters ?? {}) : policy.ttl
    }
    if (ttl === undefined && this.#settings.ttl !== undefined) {
      ttl = typeof this.#settings.ttl === 'function' ? this.#settings.ttl(result, state) : this.#settings.ttl
    }
    if (ttl === undefined) ttl = result.ttl
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new TypeError(
        `the TTL of intent '${state.intent.name}' is not a number of seconds (${String(ttl)})`,
      )
    }
    return ttl
  }

  #store(plan: Plan, entry: StoredEntry): Promise<void> | undefined {
    const stored = this.#memory.set(plan.key, entry)
    this.#failures.delete(plan.key)
    if (stored) {
      this.#counters.sets++
      this.events.emit('set', {
        key: plan.key,
        intent: plan.intent,
        ttl: entry.ttl,
        tags: entry.tags,
        bytes: entry.data.length + plan.key.length,
      })
    }
    const store = this.#settings.store
    if (!store) return undefined
    return this.#storeCall('set', () => store.set(plan.key, entry), plan.key).then(() => undefined)
  }

  #onError(error: IxpError, info: ErrorInfo): void {
    const state = info.state
    const plan = state && this.#plans.get(state)
    if (!state || !plan) return
    if (error.code === 'RENDER_TIMEOUT') {
      // The handler may still finish (afterRender then stores its answer and settles the flight for the
      // waiters, each bounded by its own deadline); new requests must not queue behind it meanwhile.
      const flight = plan.flight
      if (flight) {
        this.#flights.detach(plan.key, flight)
        // Every waiter joined after the owner started and has the same render timeout, so none is still
        // waiting once that long has passed again: settle then, in case the late work fails unseen.
        const timer = setTimeout(
          () => flight.settle({ kind: 'error', error }),
          performance.now() - state.startedAt,
        )
        ;(timer as { unref?: () => void }).unref?.()
      }
      this.#failures.set(plan.key, this.#settings.now())
      this.#unlock(plan)
      return
    }
    this.#plans.delete(state)
    if (error.code === 'ABORTED') {
      this.#finish(state, plan, { kind: 'retry' })
      return
    }
    if (error.status >= 500) this.#failures.set(plan.key, this.#settings.now())
    this.#finish(state, plan, { kind: 'error', error })
  }

  #unlock(plan: Plan): void {
    const lock = plan.lock
    if (!lock) return
    plan.lock = undefined
    this.#track(this.#storeCall('unlock', () => lock.release(), plan.key))
  }

  // -------------------------------------------------------------------------------------------
  // Invalidation
  // -------------------------------------------------------------------------------------------

  invalidate(keys: string | readonly string[]): Promise<number> {
    return this.#invalidate({ kind: 'keys', values: list(keys, 'invalidate') })
  }

  invalidateTag(tags: string | readonly string[]): Promise<number> {
    return this.#throughEngine({ kind: 'tags', values: list(tags, 'invalidateTag') })
  }

  invalidateIntent(names: string | readonly string[]): Promise<number> {
    return this.#throughEngine({ kind: 'intents', values: list(names, 'invalidateIntent') })
  }

  /**
   * Tags and intents go through `engine.invalidate()` (one invalidation path: live views and other listeners
   * learn of them too); the engine's listeners run synchronously, so the work this plugin's listener started
   * is there to hand back when `invalidate()` returns.
   */
  #throughEngine(target: GroupTarget): Promise<number> {
    const engine = this.#engine
    if (!engine) return this.#invalidate(target)
    this.#started = undefined
    engine.invalidate(target.kind === 'tags' ? { tags: target.values } : { intents: target.values })
    const started = this.#started ?? Promise.resolve(0)
    this.#started = undefined
    return started
  }

  /** The `invalidate` event: purge here; a local one also goes to the store (and so to every instance). */
  #onInvalidate(invalidation: Invalidation): void {
    const targets: GroupTarget[] = []
    if (invalidation.tags.length > 0) targets.push({ kind: 'tags', values: invalidation.tags })
    if (invalidation.intents.length > 0) targets.push({ kind: 'intents', values: invalidation.intents })
    if (invalidation.remote) {
      // Relayed from another instance: its store work is done there, and it is never relayed again.
      for (const target of targets) this.#drop(target, 'remote')
      return
    }
    const work = Promise.all(targets.map((target) => this.#invalidate(target))).then((counts) =>
      counts.reduce((sum, count) => sum + count, 0),
    )
    this.#started = work
    this.#track(work)
  }

  clear(): Promise<number> {
    return this.#invalidate({ kind: 'all' })
  }

  async #invalidate(target: InvalidationTarget): Promise<number> {
    const removed = this.#drop(target, 'local')
    const store = this.#settings.store
    if (store) await this.#storeCall('invalidate', () => store.invalidate(target), undefined, false)
    return removed
  }

  /** An invalidation from another instance: tags and intents become the engine's (remote) event. */
  #applyRemote(target: InvalidationTarget): void {
    const engine = this.#engine
    if (engine && target.kind === 'tags') engine.invalidate({ tags: target.values, remote: true })
    else if (engine && target.kind === 'intents') engine.invalidate({ intents: target.values, remote: true })
    else this.#drop(target, 'remote')
  }

  #drop(target: InvalidationTarget, origin: 'local' | 'remote'): number {
    this.#log.record(target)
    const removed = this.#memory.invalidate(target)
    if (target.kind === 'all') this.#failures.clear()
    this.#counters.invalidations++
    this.events.emit('invalidate', { target, origin, removed })
    return removed
  }

  async keyFor(request: RenderRequest, context: IxpContext = {}): Promise<string | undefined> {
    const engine = this.#engine
    if (!engine)
      throw cacheError(
        'CACHE_NOT_INSTALLED',
        'keyFor() needs the plugin installed on an engine (engine.use(cache))',
      )
    const name = request?.intent?.name
    if (typeof name !== 'string')
      throw cacheError('CACHE_INVALID_ARGUMENT', 'keyFor() takes a render request { intent: { name } }')
    const intent = engine.intents.get(name)
    const component = intent && engine.components.get(intent.component)
    if (!intent || !component) return undefined
    const policy = this.#policy(intent)
    if (!policy.enabled || intent.kind === 'command') return undefined
    const outcome = await this.#keyOf(
      intent,
      component,
      request.intent.parameters ?? {},
      request.options,
      context,
      policy,
    )
    return 'key' in outcome ? outcome.key : undefined
  }

  // -------------------------------------------------------------------------------------------
  // Observation
  // -------------------------------------------------------------------------------------------

  stats(): CacheStats {
    return {
      ...this.#counters,
      entries: this.#memory.size,
      bytes: this.#memory.bytes,
      inFlight: this.#flights.size,
    }
  }

  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background])
  }

  #memoryHealth(): HealthCheckResult {
    const { hits, misses, entries, bytes } = this.stats()
    const ratio = hits + misses > 0 ? hits / (hits + misses) : 0
    return { status: 'pass', message: `${entries} entries, ~${bytes} bytes`, entries, bytes, hitRatio: ratio }
  }

  async #storeHealth(): Promise<HealthCheckResult> {
    const store = this.#settings.store!
    try {
      return await withTimeout(
        store.health!(),
        Math.max(1_000, this.#settings.storeTimeoutMs),
        () => new Error('no answer'),
      )
    } catch (error) {
      return {
        status: 'warn',
        message: `${store.name} health check failed (${messageOf(error)}); serving from memory`,
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing
  // -------------------------------------------------------------------------------------------

  /** Runs a store operation; failures are counted and reported, never thrown (the cache carries on). */
  async #storeCall<T>(
    operation: string,
    work: () => Promise<T>,
    key?: string,
    bounded = true,
  ): Promise<T | typeof STORE_FAILED> {
    try {
      const pending = work()
      return bounded
        ? await withTimeout(pending, this.#settings.storeTimeoutMs, () =>
            cacheError(
              'CACHE_STORE_UNAVAILABLE',
              `store ${operation} took more than ${this.#settings.storeTimeoutMs} ms`,
            ),
          )
        : await pending
    } catch (error) {
      this.#fail(`store.${operation}`, error, key === undefined ? {} : { key })
      return STORE_FAILED
    }
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#background.delete(tracked))
    this.#background.add(tracked)
  }

  #fail(operation: string, error: unknown, where: { key?: string; intent?: string } = {}): void {
    this.#counters.errors++
    this.events.emit('error', { operation, error, ...where })
    this.#logThrottled(operation, `cache: ${operation} failed; carrying on without it`, error)
  }

  #logThrottled(operation: string, message: string, error: unknown): void {
    const now = performance.now()
    const last = this.#loggedAt.get(operation)
    if (last !== undefined && now - last < LOG_EVERY_MS) return
    this.#loggedAt.set(operation, now)
    this.#logger?.warn(message, { error: messageOf(error) })
  }

  #warnOnce(id: string, message: string, fields: Record<string, unknown>): void {
    if (this.#warned.has(id)) return
    this.#warned.add(id)
    this.#logger?.warn(message, fields)
  }
}

/**
 * Creates the render cache plugin. Options are checked at once (`CACHE_INVALID_OPTIONS` names the one at
 * fault). One plugin object per engine.
 */
export function cache(options: CacheOptions = {}): CachePlugin {
  return new RenderCache(options)
}
