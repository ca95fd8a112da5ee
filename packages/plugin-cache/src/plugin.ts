/**
 * The cache plugin: installs its parts on an engine. On the render path it taps three hooks at `Stage.CACHE`:
 *
 * - `beforeHandler` (read-path.ts): answers from the in-process level or the store (hit / stale), or waits for
 *   a concurrent render of the same key (coalesced); otherwise opens a flight and lets the render run. A
 *   command bypasses the cache and goes to its idempotency guard (idempotency/guard.ts).
 * - `afterRender` (write-path.ts): stores the answer and settles the flight, so every waiter gets its own copy;
 *   keeps a command's answer for its idempotency key.
 * - `error`: settles the flight of a failed render so no waiter is left hanging.
 *
 * It also purges on the engine's `invalidate` event and relays it through the store (invalidator.ts), and offers
 * the store's bus to other plugins (`@ixp/core`'s `sharedBus`).
 */
import {
  sharedBus,
  Stage,
  type Engine,
  type HealthCheckResult,
  type IntentDefinition,
  type Invalidation,
  type IxpContext,
  type IxpPlugin,
  type RenderRequest,
} from '@ixp/core'
import type { EventEmitter } from 'eventemitter3'
import { cacheError } from './errors.js'
import type { CacheEvents, CacheStats } from './events.js'
import { IdempotencyGuard } from './idempotency/guard.js'
import { Invalidator, valuesOf } from './invalidator.js'
import { Keying } from './keying.js'
import { resolveOptions, type CacheOptions } from './options.js'
import { cacheDefinitionError, intentCacheIssues } from './policy.js'
import { ReadPath } from './read-path.js'
import { Refresher } from './refresh.js'
import { CacheRuntime } from './runtime.js'
import { WritePath } from './write-path.js'
import { messageOf, tapMaybeSync } from '@ixp/core/plugin-kit'
import { withTimeout } from '@ixp/core/plugin-kit'

export const PLUGIN_NAME = '@ixp/plugin-cache'
const PLUGIN_VERSION = '0.1.0'

/** Teardown waits this long at most for background refreshes and writes. */
const TEARDOWN_WAIT_MS = 5_000

/** The plugin object `cache()` returns: install it with `engine.use()`, keep it to invalidate and observe. */
export interface CachePlugin extends IxpPlugin {
  /** hit, stale, miss, coalesced, bypass, set, evict, invalidate, refresh, idempotency, error. */
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

class RenderCache implements CachePlugin {
  readonly name = PLUGIN_NAME
  readonly version = PLUGIN_VERSION
  readonly events: EventEmitter<CacheEvents>

  readonly #runtime: CacheRuntime
  readonly #keying: Keying
  readonly #reads: ReadPath
  readonly #writes: WritePath
  readonly #invalidator: Invalidator
  readonly #idempotency: IdempotencyGuard | undefined

  constructor(options: CacheOptions) {
    const runtime = new CacheRuntime(resolveOptions(options))
    this.#runtime = runtime
    this.events = runtime.events
    this.#keying = new Keying(runtime)
    const idempotency = runtime.settings.idempotency
    this.#idempotency = idempotency
      ? new IdempotencyGuard(
          {
            settings: runtime.settings,
            logger: () => runtime.logger,
            report: (outcome, intent, record) => {
              if (outcome === 'replayed') runtime.counters.replays++
              runtime.events.emit('idempotency', { outcome, intent, record })
            },
            fail: (operation, error) => runtime.fail(operation, error),
          },
          idempotency,
        )
      : undefined
    this.#reads = new ReadPath(runtime, this.#keying, new Refresher(runtime), this.#idempotency)
    this.#writes = new WritePath(runtime)
    this.#invalidator = new Invalidator(runtime)
  }

  async apply(engine: Engine): Promise<() => Promise<void>> {
    const runtime = this.#runtime
    if (runtime.engine) {
      throw cacheError('CACHE_INVALID_OPTIONS', {
        problem: 'this cache() plugin is already installed on an engine; create one per engine',
      })
    }
    for (const intent of engine.intents.list()) this.#check(intent)
    runtime.engine = engine
    this.#tap(engine)
    const onInvalidate = (invalidation: Invalidation) => this.#invalidator.onInvalidate(invalidation)
    engine.events.on('invalidate', onInvalidate)
    const cleanups: (() => void)[] = [
      engine.registerHealthCheck('cache', () => this.#memoryHealth()),
      () => engine.events.off('invalidate', onInvalidate),
    ]
    const store = runtime.settings.store
    if (store) {
      try {
        await store.open?.({ logger: engine.logger })
      } catch (error) {
        runtime.fail('store.open', error)
      }
      const unsubscribe = store.subscribe?.((target) => this.#invalidator.applyRemote(target))
      if (unsubscribe) cleanups.push(unsubscribe)
      // Withdrawn (a cleanup) before the store closes, so no plugin is left publishing on a closed bus.
      if (store.bus) {
        cleanups.push(
          engine
            .extension(sharedBus)
            .offer({ bus: store.bus, by: PLUGIN_NAME, relaysInvalidations: unsubscribe !== undefined }),
        )
      }
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
        runtime.logger?.warn('cache: teardown did not wait for everything', { error: messageOf(error) }),
      )
      try {
        await store?.close?.()
      } catch (error) {
        runtime.fail('store.close', error)
      }
      runtime.memory.invalidate({ kind: 'all' })
      runtime.engine = undefined
    }
  }

  #tap(engine: Engine): void {
    const tap = { name: PLUGIN_NAME, stage: Stage.CACHE }
    const idempotency = this.#idempotency
    engine.hooks.registerIntent.tap(
      { name: `${PLUGIN_NAME}:definition`, stage: Stage.CACHE },
      (definition) => {
        this.#check(definition)
        return definition
      },
    )
    // Maybe-sync taps: a hit, or a miss stored in the in-process level, keeps the render synchronous.
    tapMaybeSync(engine.hooks.beforeHandler, tap, (state) => this.#reads.before(state))
    tapMaybeSync(engine.hooks.afterRender, tap, (result, state) =>
      idempotency && state.intent.kind === 'command'
        ? idempotency.after(result, state).then(() => this.#writes.after(result, state))
        : this.#writes.after(result, state),
    )
    engine.hooks.error.tapPromise(tap, async (error, info) => {
      if (idempotency && info.state?.intent.kind === 'command') await idempotency.onError(error, info.state)
      this.#writes.onError(error, info)
    })
  }

  #check(definition: IntentDefinition): void {
    const issues = intentCacheIssues(definition.cache, definition.kind)
    if (issues.length > 0) throw cacheDefinitionError(definition.name, issues)
  }

  invalidate(keys: string | readonly string[]): Promise<number> {
    return this.#invalidator.invalidate({ kind: 'keys', values: valuesOf(keys, 'invalidate') })
  }

  invalidateTag(tags: string | readonly string[]): Promise<number> {
    return this.#invalidator.throughEngine({ kind: 'tags', values: valuesOf(tags, 'invalidateTag') })
  }

  invalidateIntent(names: string | readonly string[]): Promise<number> {
    return this.#invalidator.throughEngine({
      kind: 'intents',
      values: valuesOf(names, 'invalidateIntent'),
    })
  }

  clear(): Promise<number> {
    return this.#invalidator.invalidate({ kind: 'all' })
  }

  keyFor(request: RenderRequest, context: IxpContext = {}): Promise<string | undefined> {
    return this.#keying.keyFor(request, context)
  }

  stats(): CacheStats {
    const { counters, memory, flights } = this.#runtime
    return { ...counters, entries: memory.size, bytes: memory.bytes, inFlight: flights.size }
  }

  idle(): Promise<void> {
    return this.#runtime.idle()
  }

  #memoryHealth(): HealthCheckResult {
    const { hits, misses, entries, bytes } = this.stats()
    const ratio = hits + misses > 0 ? hits / (hits + misses) : 0
    return { status: 'pass', message: `${entries} entries, ~${bytes} bytes`, entries, bytes, hitRatio: ratio }
  }

  async #storeHealth(): Promise<HealthCheckResult> {
    const { store, storeTimeoutMs } = this.#runtime.settings
    try {
      return await withTimeout(
        store!.health!(),
        Math.max(1_000, storeTimeoutMs),
        () => new Error('no answer'),
      )
    } catch (error) {
      return {
        status: 'warn',
        message: `${store!.name} health check failed (${messageOf(error)}); serving from memory`,
      }
    }
  }
}

/**
 * Creates the render cache plugin. Options are checked at once (`CACHE_INVALID_OPTIONS` names the one at
 * fault). One plugin object per engine.
 */
export function cache(options: CacheOptions = {}): CachePlugin {
  return new RenderCache(options)
}
