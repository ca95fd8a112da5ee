/**
 * The engine: registries of intents and components, the render and resolve paths through the hooks, the
 * plugin lifecycle and the events. Transport-agnostic: no HTTP, no Node built-ins. Its parts live beside it:
 * options (`engine-options.ts`), registration (`registrations.ts`), a render's lookup (`render-lookup.ts`) and
 * steps (`render-pipeline.ts`), resolve (`resolve.ts`) and plugins (`plugins.ts`).
 */
import { coreError, toIxpError, type IxpError } from './errors.js'
import { Deadline } from './deadline.js'
import { clock, deadlineClock, type DeadlineClock } from './deadline-clock.js'
import { engineSettings, type EngineOptions, type EngineSettings } from './engine-options.js'
import { EngineEventEmitter } from './events.js'
import { applyCommandInvalidation, toInvalidation, type InvalidationRequest } from './invalidation.js'
import { createHealthChecks, type HealthCheck, type HealthReport } from './health.js'
import {
  createHooks,
  Stage,
  type DiscoveryPurpose,
  type EngineHooks,
  type ErrorInfo,
  type RenderState,
} from './hooks/index.js'
import type { ParametersOf } from './infer.js'
import { consoleLogger, type Logger } from './logger.js'
import type { Extension } from './plugin-host/extensions.js'
import { assertComponentsRegistered } from './startup-check.js'
import { PluginHost, type InstalledPlugin, type PluginInput } from './plugins.js'
import { Registrations, type RegisterOptions } from './registrations.js'
import type { ComponentStats, IntentStats, ReadonlyRegistry } from './registry.js'
import { checkOrigin, lookupIntent } from './render-lookup.js'
import { RenderRun } from './render-state.js'
import { RenderPipeline } from './render-pipeline.js'
import { exactName, noMatch, toQuery, visibleOutcome } from './resolve.js'
import type {
  ComponentDefinition,
  IntentDefinition,
  IxpContext,
  RenderRequest,
  SchemaInput,
  RenderResult,
  ResolveOutcome,
  ResolveQuery,
} from './types.js'

export type { EngineOptions } from './engine-options.js'
export type { RegisterOptions } from './registrations.js'

type Lifecycle = 'created' | 'starting' | 'ready' | 'closing' | 'closed'

/** An IXP engine. Create one with {@link createEngine}. */
export class Engine {
  /** The engine's hooks (frozen); see the hook table in the README. */
  readonly hooks: EngineHooks
  /** Lifecycle, registry and render events. */
  readonly events = new EngineEventEmitter((event, error) =>
    this.logger.error('an engine event listener failed', {
      event,
      error: (error as Error)?.message ?? String(error),
    }),
  )
  readonly logger: Logger

  readonly #registrations: Registrations
  readonly #plugins: PluginHost
  readonly #health = createHealthChecks()
  readonly #settings: EngineSettings
  readonly #pipeline: RenderPipeline
  readonly #clock: DeadlineClock
  #state: Lifecycle = 'created'
  #starting: Promise<void> | undefined

  constructor(options: EngineOptions = {}) {
    const settings = engineSettings(options)
    const { limits, validation } = settings
    this.#settings = settings
    this.#clock = deadlineClock(limits.renderTimeoutMs)
    this.logger = options.logger ?? consoleLogger('warn')
    this.hooks = createHooks(settings.hooks.codeGeneration)
    this.#pipeline = new RenderPipeline(this.hooks, this.logger, {
      maxDepth: limits.maxTreeDepth,
      maxNodes: limits.maxTreeNodes,
    })
    this.#plugins = new PluginHost(limits.pluginTimeoutMs, this.hooks, settings.hooks.codeGeneration)
    this.#registrations = new Registrations(
      this.hooks,
      { maxNameLength: limits.maxIntentNameLength, reference: false },
      validation,
      (change) => this.events.emit('registry:changed', change),
      (undo) => this.#plugins.own(undo),
    )
    this.hooks.resolve.tapPromise({ name: 'ixp:exact-name', stage: Stage.EXACT_NAME }, async (query) =>
      exactName(query, (name) => this.#registrations.intents.has(name)),
    )
    this.#health.register('intents', () => this.#countCheck(this.intents.size, 'intents'))
    this.#health.register('components', () => this.#countCheck(this.components.size, 'components'))
    for (const plugin of options.plugins ?? []) this.use(plugin)
  }

  /** Registered intents (read-only). */
  get intents(): ReadonlyRegistry<IntentDefinition, IntentStats> {
    return this.#registrations.intents
  }

  /** Registered components (read-only). */
  get components(): ReadonlyRegistry<ComponentDefinition, ComponentStats> {
    return this.#registrations.components
  }

  /** Installed plugins, in load order. */
  get plugins(): readonly InstalledPlugin[] {
    return this.#plugins.installed
  }

  /** `true` between a successful `ready()` and `close()`. */
  get isReady(): boolean {
    return this.#state === 'ready'
  }

  // -------------------------------------------------------------------------------------------
  // Registration
  // -------------------------------------------------------------------------------------------

  /**
   * Registers an intent; returns a function that unregisters it. The definition is checked (the error names
   * the offending field), decorated by the `registerIntent` hook, and its parameter validator compiled once.
   * The handler's `params` are typed from `parameters` (a TypeBox schema, or a literal JSON Schema): see
   * {@link ParametersOf}.
   */
  registerIntent<const S extends SchemaInput, P = ParametersOf<S>>(
    definition: IntentDefinition<P> & { parameters: S },
    options: RegisterOptions = {},
  ): () => void {
    this.#assertOpen()
    return this.#registrations.intent(definition as IntentDefinition, options)
  }

  /** Registers a component (server-rendered or remote); returns a function that unregisters it. */
  registerComponent<P = Record<string, unknown>>(
    definition: ComponentDefinition<P>,
    options: RegisterOptions = {},
  ): () => void {
    this.#assertOpen()
    return this.#registrations.component(definition as ComponentDefinition, options)
  }

  /** The public description of a registered component (what discovery lists and renders return). */
  describeComponent(name: string): Record<string, unknown> | undefined {
    return this.#registrations.components.entry(name)?.description
  }

  // -------------------------------------------------------------------------------------------
  // Plugins and lifecycle
  // -------------------------------------------------------------------------------------------

  /**
   * Installs a plugin. Before `ready()` it is queued and applied by `ready()`; after `ready()` it is applied at
   * once — await `engine.ready()` again to wait for it and see its errors (its `ready` taps do not run: the engine
   * is already ready). A duplicate name or a malformed plugin is refused here.
   */
  use(plugin: PluginInput): this {
    this.#assertOpen()
    this.#plugins.enqueue(plugin)
    if (this.#state === 'ready') {
      const applying = this.#applyPlugins()
      this.#starting = applying
      applying.catch((error: unknown) =>
        this.logger.error('plugin failed to apply after ready()', { error: (error as Error)?.message }),
      )
    }
    return this
  }

  /**
   * Applies queued plugins in order, runs the `ready` hook once, then checks that every intent's component is
   * registered (`INVALID_DEFINITION` naming the intent otherwise). Safe to call many times.
   */
  async ready(): Promise<this> {
    this.#assertOpen()
    if (this.#state === 'created') {
      this.#state = 'starting'
      this.#starting = (async () => {
        await this.#applyPlugins()
        await this.hooks.ready.promise(this)
        assertComponentsRegistered(
          this.intents.list(),
          this.components,
          this.#settings.validation.missingComponents,
          this.logger,
        )
        this.#state = 'ready'
        this.events.emit('ready')
      })()
      this.#starting.catch(() => {
        // A failed start leaves the engine unusable until closed; every later ready() reports the same error.
      })
    }
    await this.#starting
    return this
  }

  /**
   * Removes an installed plugin: runs its teardown, then removes the taps it added during `apply` (to the
   * engine's hooks and to extension hooks) and unregisters the intents, components and health checks it
   * registered then; definitions pass the registration hooks again without its taps. A plugin still queued is
   * dropped. Refused with `PLUGIN_IN_USE` while another plugin depends on it, `PLUGIN_NOT_FOUND` for an
   * unknown name; a failing teardown is `PLUGIN_TEARDOWN_FAILED` (the removal is done anyway).
   */
  async unuse(name: string): Promise<void> {
    this.#assertOpen()
    // Plugins being applied finish first, so the one named is either installed or still queued.
    await this.#starting?.catch(() => undefined)
    await this.#plugins.remove(name, (applied) => {
      if (applied) this.#registrations.redecorateAll()
      this.events.emit('plugin:removed', { name, applied })
    })
  }

  /**
   * This engine's instance of an extension (see `defineExtension`): the typed hooks and functions a plugin
   * offers other plugins, created on first use.
   */
  extension<T>(key: Extension<T>): T {
    return this.#plugins.extension(this, key)
  }

  /** Runs the `close` hook, then plugin teardowns in reverse order. Safe to call many times. */
  async close(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return
    this.#state = 'closing'
    try {
      await this.#starting?.catch(() => undefined)
      await this.hooks.close.promise(this)
      await this.#plugins.teardownAll()
    } finally {
      this.#state = 'closed'
      this.events.emit('close')
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** The plugin load order, one line per plugin (with the dependencies it waited for). */
  printPlugins(): string {
    return this.#plugins.describe()
  }

  async #applyPlugins(): Promise<void> {
    let applied = false
    try {
      await this.#plugins.applyQueued(this, (installed) => {
        applied = true
        this.#installed(installed)
      })
    } finally {
      if (applied) this.#registrations.redecorateAll()
    }
  }

  #installed(plugin: InstalledPlugin): void {
    this.events.emit('plugin:installed', { name: plugin.name, version: plugin.version })
  }

  #assertOpen(): void {
    if (this.#state === 'closing' || this.#state === 'closed') {
      throw coreError('ENGINE_CLOSED')
    }
  }

  async #whenReady(): Promise<void> {
    if (this.#state !== 'ready') await this.ready()
  }

  // -------------------------------------------------------------------------------------------
  // Discovery and health
  // -------------------------------------------------------------------------------------------

  /** The intents a caller may see (after the `discoverIntents` hook, which auth uses to filter). */
  async listIntents(
    context: IxpContext = {},
    purpose: DiscoveryPurpose = 'list',
  ): Promise<IntentDefinition[]> {
    await this.#whenReady()
    const intents = this.intents.list()
    return this.hooks.discoverIntents.isUsed()
      ? this.hooks.discoverIntents.promise(intents, context, purpose)
      : intents
  }

  /** The components a caller may see (after the `discoverComponents` hook). */
  async listComponents(
    context: IxpContext = {},
    purpose: DiscoveryPurpose = 'list',
  ): Promise<ComponentDefinition[]> {
    await this.#whenReady()
    const components = this.components.list()
    return this.hooks.discoverComponents.isUsed()
      ? this.hooks.discoverComponents.promise(components, context, purpose)
      : components
  }

  /** Adds a named health check (plugins report their stores); returns a function that removes it. */
  registerHealthCheck(name: string, check: HealthCheck): () => void {
    return this.#plugins.own(this.#health.register(name, check))
  }

  /** Runs every health check: `unhealthy` if one fails, `degraded` if one warns, else `healthy`. */
  health(): Promise<HealthReport> {
    return this.#health.run()
  }

  #countCheck(count: number, what: string) {
    return { status: count > 0 ? ('pass' as const) : ('warn' as const), message: `${count} ${what} loaded` }
  }

  // -------------------------------------------------------------------------------------------
  // Resolve
  // -------------------------------------------------------------------------------------------

  /** Resolves text (or a query) to an intent through the `resolve` hook; exact names resolve first. */
  async resolve(query: string | ResolveQuery, context: IxpContext = {}): Promise<ResolveOutcome> {
    await this.#whenReady()
    const normalized = toQuery(query)
    try {
      const outcome = (await this.hooks.resolve.promise(normalized, context)) ?? noMatch()
      return await visibleOutcome(outcome, context, this.hooks, (name) => this.intents.get(name))
    } catch (error) {
      const failure = toIxpError(error)
      await this.#reportError(failure, { phase: 'resolve', context, query: normalized })
      throw failure
    }
  }

  // -------------------------------------------------------------------------------------------
  // Invalidation
  // -------------------------------------------------------------------------------------------

  /**
   * Declares answers stale: emits the `invalidate` event, which caches purge on, live views re-render on and
   * relays carry to other instances. Synchronous; a request that names nothing emits nothing. Commands call
   * it themselves (their `invalidates`) once they succeeded.
   */
  invalidate(request: InvalidationRequest): void {
    const invalidation = toInvalidation(request)
    if (invalidation) this.events.emit('invalidate', invalidation)
  }

  // -------------------------------------------------------------------------------------------
  // Render
  // -------------------------------------------------------------------------------------------

  /**
   * Renders an intent: admission → parameter validation → `beforeHandler` (a cache may answer) → handler →
   * component render → `afterRender`. Fails with an {@link IxpError} (`INVALID_REQUEST`, `INTENT_NOT_SUPPORTED`,
   * `COMPONENT_NOT_FOUND`, `ORIGIN_NOT_ALLOWED`, `RENDER_TIMEOUT`, a plugin's code, or `INTERNAL_ERROR`).
   */
  render(request: RenderRequest, context: IxpContext = {}): Promise<RenderResult> {
    const step = this.renderNow(request, context)
    return step instanceof Promise ? step : Promise.resolve(step)
  }

  /**
   * {@link Engine.render} for transports: the same render, handing back the result itself when every step
   * finished synchronously (a transport then answers in the same tick, with no promise hop at all), else a
   * promise. Never throws: a failure is always a rejected promise (test with `instanceof Promise`).
   */
  renderNow(request: RenderRequest, context: IxpContext = {}): RenderResult | Promise<RenderResult> {
    if (this.#state !== 'ready') return this.#renderWhenReady(request, context)
    const startedAt = clock.now()
    let run: RenderRun | undefined
    try {
      const { limits } = this.#settings
      const intentEntry = lookupIntent(
        request,
        this.#registrations.intents,
        limits.maxIntentNameLength,
        this.hooks,
      )
      const componentEntry = this.#registrations.components.entry(intentEntry.definition.component)
      if (componentEntry) checkOrigin(componentEntry, context)
      const timeoutMs = limits.renderTimeoutMs
      // A caller that already gave up gets no work done for it.
      if (context.signal?.aborted) {
        new Deadline(timeoutMs, context.signal, this.#clock, startedAt).throwIfCallerAborted()
      }
      run = new RenderRun(
        request,
        context,
        this,
        intentEntry.definition,
        componentEntry?.definition as ComponentDefinition,
        timeoutMs,
        this.#clock,
        startedAt,
      )
      if (this.#renderListeners['intent:before'] !== undefined) {
        this.events.emit('intent:before', { intent: run.intent.name, request, context: run.context })
      }
      const work = this.#pipeline.run(run, intentEntry, componentEntry)
      if (!(work instanceof Promise)) return this.#rendered(work, context, clock.now() - startedAt, run)
      return this.#renderPending(work, run, request, context)
    } catch (error) {
      return this.#renderFailed(error, context, request, run)
    }
  }

  // The continuations of renderNow live in methods of their own: a closure written in renderNow would make V8
  // allocate its variables on the heap on every render, including the synchronous ones.

  #renderWhenReady(request: RenderRequest, context: IxpContext): Promise<RenderResult> {
    return this.ready().then(() => this.renderNow(request, context))
  }

  /** Only pending work races the deadline: work that finished synchronously cannot have missed it. */
  #renderPending(
    work: Promise<RenderResult>,
    run: RenderRun,
    request: RenderRequest,
    context: IxpContext,
  ): Promise<RenderResult> {
    return run.deadline.run(work).then(
      (result) => this.#rendered(result, context, clock.now() - run.startedAt, run),
      (error: unknown) => this.#renderFailed(error, context, request, run),
    )
  }

  /**
   * The listeners by event name, as eventemitter3 keeps them (a name is there only while it has listeners).
   * Read with a constant name, that is one property load, where `listenerCount(name)`, one function for every
   * name, makes a megamorphic lookup (~5 % of a small render, twice). A getter: eventemitter3 replaces the
   * object when the last listener goes.
   */
  get #renderListeners(): Readonly<Record<string, unknown>> {
    return (this.events as unknown as { _events: Record<string, unknown> })._events
  }

  #rendered(result: RenderResult, context: IxpContext, durationMs: number, run: RenderRun): RenderResult {
    result.meta.durationMs = durationMs
    // Only a command declares invalidations: other renders allocate no callback for them.
    if (run.handled && run.intent.invalidates !== undefined) {
      applyCommandInvalidation(run, (request) => this.invalidate(request), this.logger)
    }
    if (this.#renderListeners['intent:after'] !== undefined) {
      this.events.emit('intent:after', { intent: result.intent, result, context })
    }
    return result
  }

  async #renderFailed(
    error: unknown,
    context: IxpContext,
    request: RenderRequest,
    state: RenderState | undefined,
  ): Promise<never> {
    const failure = toIxpError(error)
    await this.#reportError(failure, { phase: 'render', context, request, state })
    if (this.events.listenerCount('intent:error') > 0) {
      this.events.emit('intent:error', { intent: state?.intent.name, error: failure, context })
    }
    throw failure
  }

  async #reportError(error: IxpError, info: ErrorInfo): Promise<void> {
    if (!this.hooks.error.isUsed()) return
    try {
      await this.hooks.error.promise(error, info)
    } catch (tapError) {
      // An observer that fails must not replace the error the caller gets.
      this.logger.error('an error hook tap threw', { error: (tapError as Error)?.message })
    }
  }
}

/** Creates an engine. See {@link EngineOptions} for the options and their defaults. */
export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine(options)
}
