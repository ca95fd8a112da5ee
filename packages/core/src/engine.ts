/**
 * The engine: registries of intents and components, the render and resolve paths through the hooks, the
 * plugin lifecycle and the events. Transport-agnostic: no HTTP, no Node built-ins.
 */
import {
  checkComponent,
  checkIntent,
  definitionError,
  isRecord,
  withComponentDefaults,
  type DefinitionIssue,
  type DefinitionRules,
} from './definitions.js'
import { IxpError, toIxpError } from './errors.js'
import { Deadline } from './deadline.js'
import { deadlineClock, type DeadlineClock } from './deadline-clock.js'
import { EngineEventEmitter } from './events.js'
import {
  applyCommandInvalidation,
  toInvalidation,
  withIntentDefaults,
  type InvalidationRequest,
} from './invalidation.js'
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
import { checkOptionKeys } from './options-check.js'
import { assertComponentsRegistered, missingComponentsSetting } from './startup-check.js'
import { didYouMean } from './suggest.js'
import { PluginHost, type InstalledPlugin, type PluginInput } from './plugins.js'
import {
  Registry,
  summariseComponents,
  summariseIntents,
  type ComponentStats,
  type IntentStats,
  type ReadonlyRegistry,
} from './registry.js'
import { RenderRun } from './render-state.js'
import { RenderPipeline, type RenderIntent } from './render-pipeline.js'
import type {
  ComponentDefinition,
  IntentDefinition,
  IxpContext,
  JsonSchema,
  RenderRequest,
  SchemaInput,
  RenderResult,
  ResolveOutcome,
  ResolveQuery,
} from './types.js'
import { compileParameters } from './validation/parameters.js'

/** Options of {@link createEngine}; every field is optional. */
export interface EngineOptions {
  /** Plugins to install, in order (same as calling `use()` for each). @default [] */
  plugins?: PluginInput[]
  validation?: {
    /** What to do with parameters an intent's schema does not declare. @default 'strip' (as the IXP reference) */
    additionalProperties?: 'strip' | 'reject'
    /** Deepest nesting accepted in parameters. @default 64 */
    maxDepth?: number
    /**
     * An intent whose component is not registered when `ready()` runs: `'error'` fails `ready()` naming it;
     * `'warn'` logs it and leaves the render to fail with `COMPONENT_NOT_FOUND` (what the IXP reference server
     * does with such files). @default 'error'
     */
    missingComponents?: 'error' | 'warn'
  }
  limits?: {
    /** Longest accepted intent name. @default 256 */
    maxIntentNameLength?: number
    /** Deadline of one render in milliseconds (`0` disables it). @default 10000 */
    renderTimeoutMs?: number
    /** Deadline of one plugin's `apply()` in milliseconds (`0` disables it). @default 10000 */
    pluginTimeoutMs?: number
    /** Deepest render tree a server component may return. @default 64 */
    maxTreeDepth?: number
    /** Most nodes a render tree may have. @default 100000 */
    maxTreeNodes?: number
  }
  /** Where the engine and plugins log. @default consoleLogger('warn') */
  logger?: Logger
  hooks?: {
    /**
     * `'auto'` keeps tapable's compiled hooks where `new Function` works and interprets them elsewhere;
     * `'off'` always interprets (what edge runtimes get). @default 'auto'
     */
    codeGeneration?: 'auto' | 'off'
  }
}

export interface RegisterOptions {
  /** Replace a registered definition of the same name instead of refusing it. @default false */
  replace?: boolean
}

interface IntentEntry extends RenderIntent {
  /** The definition as registered (checked, before the registration hooks). */
  raw: IntentDefinition
}

interface ComponentEntry {
  raw: ComponentDefinition
  definition: ComponentDefinition
  /** What callers are shown of the component: every field but functions. */
  description: Record<string, unknown>
}

const DEFAULTS = {
  additionalProperties: 'strip' as 'strip' | 'reject',
  maxDepth: 64,
  maxIntentNameLength: 256,
  renderTimeoutMs: 10_000,
  pluginTimeoutMs: 10_000,
  maxTreeDepth: 64,
  maxTreeNodes: 100_000,
}

/** Misconfiguration is reported when the engine is created, naming the option, not at the first request. */
function checkSettings(settings: typeof DEFAULTS): void {
  if (settings.additionalProperties !== 'strip' && settings.additionalProperties !== 'reject') {
    throw new IxpError(
      'INVALID_OPTIONS',
      `validation.additionalProperties must be 'strip' or 'reject', got ${JSON.stringify(settings.additionalProperties)}`,
    )
  }
  const counts: [string, number, number][] = [
    ['validation.maxDepth', settings.maxDepth, 1],
    ['limits.maxIntentNameLength', settings.maxIntentNameLength, 1],
    ['limits.renderTimeoutMs', settings.renderTimeoutMs, 0],
    ['limits.pluginTimeoutMs', settings.pluginTimeoutMs, 0],
    ['limits.maxTreeDepth', settings.maxTreeDepth, 1],
    ['limits.maxTreeNodes', settings.maxTreeNodes, 1],
  ]
  for (const [name, value, minimum] of counts) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
      throw new IxpError(
        'INVALID_OPTIONS',
        `${name} must be a finite number ≥ ${minimum}, got ${JSON.stringify(value)}`,
      )
    }
  }
}

function publicDescription(definition: ComponentDefinition): Record<string, unknown> {
  const description: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(definition)) {
    if (typeof value !== 'function' && value !== undefined) description[key] = value
  }
  if (typeof definition.render === 'function') description.type = 'server'
  return Object.freeze(description)
}

function shorten(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name
}

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

  readonly #intents = new Registry<IntentDefinition, IntentEntry, IntentStats>(summariseIntents)
  readonly #components = new Registry<ComponentDefinition, ComponentEntry, ComponentStats>(
    summariseComponents,
  )
  readonly #plugins: PluginHost
  readonly #health = createHealthChecks()
  readonly #settings: typeof DEFAULTS
  readonly #rules: DefinitionRules
  readonly #pipeline: RenderPipeline
  readonly #clock: DeadlineClock
  readonly #missingComponents: 'error' | 'warn'
  #state: Lifecycle = 'created'
  #starting: Promise<void> | undefined

  constructor(options: EngineOptions = {}) {
    checkOptionKeys(options)
    this.#settings = {
      ...DEFAULTS,
      ...options.validation,
      ...options.limits,
    }
    checkSettings(this.#settings)
    this.#missingComponents = missingComponentsSetting(options.validation?.missingComponents)
    this.#rules = { maxNameLength: this.#settings.maxIntentNameLength, reference: false }
    this.#clock = deadlineClock(this.#settings.renderTimeoutMs)
    this.logger = options.logger ?? consoleLogger('warn')
    const codeGeneration = options.hooks?.codeGeneration ?? 'auto'
    this.hooks = createHooks(codeGeneration)
    this.#pipeline = new RenderPipeline(this.hooks, this.logger, {
      maxDepth: this.#settings.maxTreeDepth,
      maxNodes: this.#settings.maxTreeNodes,
    })
    this.#plugins = new PluginHost(this.#settings.pluginTimeoutMs, this.hooks, codeGeneration)
    this.hooks.resolve.tapPromise({ name: 'ixp:exact-name', stage: Stage.EXACT_NAME }, async (query) =>
      this.#resolveExactName(query),
    )
    this.#health.register('intents', () => this.#countCheck(this.#intents.size, 'intents'))
    this.#health.register('components', () => this.#countCheck(this.#components.size, 'components'))
    for (const plugin of options.plugins ?? []) this.use(plugin)
  }

  /** Registered intents (read-only). */
  get intents(): ReadonlyRegistry<IntentDefinition, IntentStats> {
    return this.#intents
  }

  /** Registered components (read-only). */
  get components(): ReadonlyRegistry<ComponentDefinition, ComponentStats> {
    return this.#components
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
    const issues = checkIntent(definition, this.#rules)
    if (issues.length > 0) throw definitionError('intent', issues)
    const raw = withIntentDefaults({ ...(definition as IntentDefinition) })
    const replaced = this.#refuseDuplicate('intent', this.#intents.has(raw.name), raw.name, options)
    const entry: IntentEntry = { raw, ...this.#decorateIntent(raw) }
    this.#intents.set(entry)
    this.#changed('intent', replaced ? 'replaced' : 'registered', raw.name)
    return this.#plugins.own(() => {
      if (this.#intents.delete(raw.name, entry)) this.#changed('intent', 'unregistered', raw.name)
    })
  }

  /** Registers a component (server-rendered or remote); returns a function that unregisters it. */
  registerComponent<P = Record<string, unknown>>(
    definition: ComponentDefinition<P>,
    options: RegisterOptions = {},
  ): () => void {
    this.#assertOpen()
    const issues = checkComponent(definition, this.#rules)
    if (issues.length > 0) throw definitionError('component', issues)
    const raw = { ...(definition as ComponentDefinition) }
    const replaced = this.#refuseDuplicate('component', this.#components.has(raw.name), raw.name, options)
    const entry: ComponentEntry = { raw, ...this.#decorateComponent(raw) }
    this.#components.set(entry)
    this.#changed('component', replaced ? 'replaced' : 'registered', raw.name)
    return this.#plugins.own(() => {
      if (this.#components.delete(raw.name, entry)) this.#changed('component', 'unregistered', raw.name)
    })
  }

  /** Runs the `registerIntent` waterfall over a checked definition and compiles its parameter validator. */
  #decorateIntent(raw: IntentDefinition): Omit<IntentEntry, 'raw'> {
    const definition = this.hooks.registerIntent.call({ ...raw })
    this.#checkDecorated('intent', raw.name, definition, checkIntent(definition, this.#rules))
    try {
      const validate = compileParameters(definition.parameters as JsonSchema, {
        additionalProperties: this.#settings.additionalProperties,
        maxDepth: this.#settings.maxDepth,
      })
      return { definition, validate }
    } catch (error) {
      throw new IxpError(
        'INVALID_DEFINITION',
        `Invalid intent '${shorten(raw.name)}': parameters is not a usable JSON Schema (${(error as Error).message})`,
        {
          cause: error,
          details: { issues: [{ path: 'parameters', message: 'is not a usable JSON Schema' }] },
        },
      )
    }
  }

  /** Runs the `registerComponent` waterfall over a checked definition and fills reference defaults. */
  #decorateComponent(raw: ComponentDefinition): Omit<ComponentEntry, 'raw'> {
    const definition = withComponentDefaults(this.hooks.registerComponent.call({ ...raw }))
    this.#checkDecorated('component', raw.name, definition, checkComponent(definition, this.#rules))
    return { definition, description: publicDescription(definition) }
  }

  #checkDecorated(
    kind: 'intent' | 'component',
    name: string,
    decorated: { name?: unknown } | undefined,
    issues: DefinitionIssue[],
  ): void {
    if (issues.length > 0) throw definitionError(kind, issues)
    if (decorated?.name !== name) {
      throw definitionError(kind, [
        {
          path: 'name',
          message: `must not be changed by a register${kind === 'intent' ? 'Intent' : 'Component'} tap`,
        },
      ])
    }
  }

  /**
   * Brings every definition up to date with the registration hooks after plugins were applied: definitions
   * registered before a plugin was applied (before `ready()`, or before a late `use()`) pass its taps too,
   * so a plugin sees every definition whatever the order of `use()` and `register…()`.
   */
  #redecorateAll(): void {
    for (const entry of this.#components.entries()) Object.assign(entry, this.#decorateComponent(entry.raw))
    for (const entry of this.#intents.entries()) Object.assign(entry, this.#decorateIntent(entry.raw))
  }

  /** The public description of a registered component (what discovery lists and renders return). */
  describeComponent(name: string): Record<string, unknown> | undefined {
    return this.#components.entry(name)?.description
  }

  #refuseDuplicate(
    kind: 'intent' | 'component',
    exists: boolean,
    name: string,
    options: RegisterOptions,
  ): boolean {
    if (exists && !options.replace) {
      throw new IxpError(
        'DUPLICATE_DEFINITION',
        `A ${kind} named '${shorten(name)}' is already registered; pass { replace: true } to replace it`,
        { details: { kind, name } },
      )
    }
    return exists
  }

  #changed(
    kind: 'intent' | 'component',
    action: 'registered' | 'replaced' | 'unregistered',
    name: string,
  ): void {
    this.events.emit('registry:changed', { kind, action, name })
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
          this.#intents.list(),
          this.#components,
          this.#missingComponents,
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
      if (applied) this.#redecorateAll()
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
      if (applied) this.#redecorateAll()
    }
  }

  #installed(plugin: InstalledPlugin): void {
    this.events.emit('plugin:installed', { name: plugin.name, version: plugin.version })
  }

  #assertOpen(): void {
    if (this.#state === 'closing' || this.#state === 'closed') {
      throw new IxpError('ENGINE_CLOSED', 'The engine is closed; create a new one')
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
    const intents = this.#intents.list()
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
    const components = this.#components.list()
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
    const normalized = typeof query === 'string' ? { text: query } : query
    if (!isRecord(normalized) || typeof normalized.text !== 'string' || normalized.text.trim() === '') {
      throw new IxpError('INVALID_REQUEST', 'Resolve needs a non-empty text (a string or { text })')
    }
    try {
      const outcome = await this.hooks.resolve.promise(normalized, context)
      const result = outcome ?? {
        matched: false,
        intent: null,
        confidence: 0,
        alternatives: [],
        reason: 'no-match',
      }
      return await this.#visibleOutcome(result, context)
    } catch (error) {
      const failure = toIxpError(error)
      await this.#reportError(failure, { phase: 'resolve', context, query: normalized })
      throw failure
    }
  }

  #resolveExactName(query: ResolveQuery): ResolveOutcome | undefined {
    const name = query.text.trim()
    if (!this.#intents.has(name)) return undefined
    return {
      matched: true,
      intent: name,
      parameters: {},
      confidence: 1,
      alternatives: [],
      source: 'exact-name',
    }
  }

  /** Hides intents the caller may not use from a resolve outcome (when a discovery filter is installed). */
  async #visibleOutcome(outcome: ResolveOutcome, context: IxpContext): Promise<ResolveOutcome> {
    if (!this.hooks.discoverIntents.isUsed()) return outcome
    // Only the outcome's own intents go through the filter: a resolve costs the same at 10 or 10,000 intents.
    const candidates: IntentDefinition[] = []
    const named = outcome.alternatives.map((alternative) => alternative.intent)
    if (outcome.matched) named.unshift(outcome.intent)
    for (const name of named) {
      const definition = this.#intents.get(name)
      if (definition !== undefined && !candidates.includes(definition)) candidates.push(definition)
    }
    const shown = await this.hooks.discoverIntents.promise(candidates, context, 'resolve')
    const visible = new Set(shown.map((intent) => intent.name))
    const alternatives = outcome.alternatives.filter((alternative) => visible.has(alternative.intent))
    if (outcome.matched && !visible.has(outcome.intent)) {
      return {
        matched: false,
        intent: null,
        confidence: 0,
        alternatives,
        reason: 'no-match',
        source: outcome.source,
      }
    }
    return { ...outcome, alternatives }
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
    if (this.#state !== 'ready') return this.ready().then(() => this.renderNow(request, context))
    const startedAt = performance.now()
    let run: RenderRun | undefined
    try {
      const intentEntry = this.#lookupIntent(request)
      const componentEntry = this.#components.entry(intentEntry.definition.component)
      if (componentEntry) this.#checkOrigin(componentEntry, context)
      const timeoutMs = this.#settings.renderTimeoutMs
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
      if (this.events.listenerCount('intent:before') > 0) {
        this.events.emit('intent:before', { intent: run.intent.name, request, context: run.context })
      }
      const work = this.#pipeline.run(run, intentEntry, componentEntry)
      const done = run
      if (!(work instanceof Promise)) return this.#rendered(work, context, startedAt, done)
      // Only pending work races the deadline: work that finished synchronously cannot have missed it.
      const failed = run
      return done.deadline.run(work).then(
        (result) => this.#rendered(result, context, startedAt, done),
        (error: unknown) => this.#renderFailed(error, context, request, failed),
      )
    } catch (error) {
      return this.#renderFailed(error, context, request, run)
    }
  }

  #rendered(result: RenderResult, context: IxpContext, startedAt: number, run: RenderRun): RenderResult {
    result.meta.durationMs = performance.now() - startedAt
    if (run.handled) applyCommandInvalidation(run, (request) => this.invalidate(request), this.logger)
    if (this.events.listenerCount('intent:after') > 0) {
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

  #lookupIntent(request: RenderRequest): IntentEntry {
    const intent = isRecord(request) ? request.intent : undefined
    const name = isRecord(intent) ? intent.name : undefined
    if (name === undefined || name === null || name === '') {
      throw new IxpError('INVALID_REQUEST', "Missing required parameter 'intent.name'")
    }
    if (typeof name !== 'string') {
      throw new IxpError('INVALID_REQUEST', "Parameter 'intent.name' must be a string")
    }
    if (name.length > this.#settings.maxIntentNameLength) {
      throw new IxpError(
        'INVALID_REQUEST',
        `Parameter 'intent.name' must be at most ${this.#settings.maxIntentNameLength} characters`,
      )
    }
    const options = (request as RenderRequest).options
    if (options !== undefined && !isRecord(options)) {
      throw new IxpError('INVALID_REQUEST', "Parameter 'options' must be an object")
    }
    const entry = this.#intents.entry(name)
    if (!entry) {
      // A near name is suggested only when every intent is visible to every caller (no discovery filter).
      const hint = this.hooks.discoverIntents.isUsed()
        ? ''
        : didYouMean(
            name,
            this.#intents.list().map((intent) => intent.name),
          )
      throw new IxpError('INTENT_NOT_SUPPORTED', `Intent '${shorten(name)}' not found${hint}`)
    }
    return entry
  }

  #checkOrigin(entry: ComponentEntry, context: IxpContext): void {
    const allowed = entry.definition.allowedOrigins
    const origin = context.origin
    if (typeof origin !== 'string' || !Array.isArray(allowed)) return
    if (allowed.includes(origin) || allowed.includes('*')) return
    throw new IxpError(
      'ORIGIN_NOT_ALLOWED',
      `Origin '${shorten(origin)}' not allowed for component '${entry.definition.name}'`,
      { details: { origin: shorten(origin), componentName: entry.definition.name } },
    )
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
