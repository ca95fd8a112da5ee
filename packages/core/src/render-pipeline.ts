/**
 * The steps of one render after lookup: admission → parameter validation → `beforeHandler` → handler →
 * `handler` waterfall → component render → `render` waterfall → tree check → `afterRender`.
 *
 * Each step returns its result directly and continues in the same call; only a step that really is
 * asynchronous (a used hook, a handler or component that returns a promise) continues through `.then`. A render
 * of synchronous parts therefore finishes inside the `render()` call — no promise hops, no deadline race, no
 * listener on the caller's signal — which is most of what a small render used to cost. A hook whose taps are
 * all synchronous runs them inline (`hooks/sync-taps.ts`) rather than through its `promise()`.
 */
import { isRecord } from './definitions.js'
import { coreError } from './errors.js'
import type { EngineHooks, RenderState } from './hooks/index.js'
import { runBail, runSeries, runWaterfall, syncTaps } from './hooks/sync-taps.js'
import type { Logger } from './logger.js'
import { CANONICAL_WITH_PLACEHOLDER, classifyTree, NOT_CANONICAL } from './tree/canonical.js'
import { assertCanonicalTree, type TreeLimits } from './tree/check.js'
import { containsPlaceholder } from './tree/placeholder.js'
import { resolveTags } from './invalidation.js'
import { clock } from './deadline-clock.js'
import { computeTtl } from './ttl.js'
import type { ComponentDefinition, IntentDefinition, RenderNode, RenderResult } from './types.js'
import type { ParameterValidator } from './validation/parameters.js'

/** What a render step gives: its value now, or later. */
export type Step<T> = T | Promise<T>

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/** The registered intent a render runs (what the engine keeps per intent). */
export interface RenderIntent {
  definition: IntentDefinition
  validate: ParameterValidator
  /** Set by the pipeline: the last TTL computed for this intent. */
  ttl?: TtlMemo
}

/** The registered component a render uses. */
export interface RenderComponent {
  definition: ComponentDefinition
  description: Record<string, unknown>
}

/** The TTL of an intent with a component, kept until either definition changes (they rarely do). */
export interface TtlMemo {
  intent: IntentDefinition
  component: ComponentDefinition
  ttl: number
}

/** Parameters, then handler data, then `options`, in a new object. */
function merge(
  parameters: Record<string, unknown>,
  data: unknown,
  options: Record<string, unknown> | undefined,
): Record<string, unknown> {
  // Object.assign, not a spread: `{ ...a, ...b }` takes V8's slow path on these shapes (~1 µs a render).
  return Object.assign({}, parameters, data, options)
}

export class RenderPipeline {
  readonly #hooks: EngineHooks
  readonly #logger: Logger
  readonly #treeLimits: Required<TreeLimits>
  readonly #warnedDeprecated = new Set<string>()

  constructor(hooks: EngineHooks, logger: Logger, treeLimits: Required<TreeLimits>) {
    this.#hooks = hooks
    this.#logger = logger
    this.#treeLimits = treeLimits
  }

  /** Runs a render whose intent and component were looked up (`component` undefined: not registered). */
  run(state: RenderState, intent: RenderIntent, component: RenderComponent | undefined): Step<RenderResult> {
    const { admission } = this.#hooks
    if (admission.isUsed()) {
      const taps = syncTaps(admission)
      if (taps === undefined) return this.#validateLater(admission.promise(state), state, intent, component)
      const pending = runSeries(taps, state)
      if (pending !== undefined) return this.#validateLater(pending, state, intent, component)
    }
    return this.#validate(state, intent, component)
  }

  // The steps below continue through a `*Later` method when a step went asynchronous: a closure written in a
  // step itself would make V8 allocate that step's variables on the heap on every render, asynchronous or not.

  #validateLater(
    admitted: Promise<void>,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent | undefined,
  ): Promise<RenderResult> {
    return admitted.then(() => this.#validate(state, intent, component))
  }

  #validate(
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent | undefined,
  ): Step<RenderResult> {
    const definition = intent.definition
    if (definition.deprecated && !this.#warnedDeprecated.has(definition.name)) {
      this.#warnedDeprecated.add(definition.name)
      this.#logger.warn(`intent '${definition.name}' is deprecated`)
    }
    const parameters = intent.validate.parse(state.request.intent.parameters)
    state.parameters = parameters
    if (!component) {
      throw coreError('COMPONENT_NOT_FOUND', { component: definition.component, where: '' })
    }
    const { beforeHandler } = this.#hooks
    if (beforeHandler.isUsed()) {
      const taps = syncTaps(beforeHandler)
      if (taps === undefined) {
        return this.#handleLater(beforeHandler.promise(state), state, intent, component, parameters)
      }
      const early = runBail<RenderResult>(taps, state)
      if (early instanceof Promise) return this.#handleLater(early, state, intent, component, parameters)
      if (early !== undefined) return this.#finish(early, state)
    }
    return this.#handle(state, intent, component, parameters)
  }

  #handleLater(
    answered: Promise<RenderResult | undefined>,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    parameters: Record<string, unknown>,
  ): Promise<RenderResult> {
    return answered.then((early) =>
      early !== undefined ? this.#finish(early, state) : this.#handle(state, intent, component, parameters),
    )
  }

  #handle(
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    parameters: Record<string, unknown>,
  ): Step<RenderResult> {
    const handler = intent.definition.handler
    state.handled = true
    if (handler === undefined) return this.#compose(state, intent, component, parameters, undefined)
    const returned: unknown = handler(parameters, state.context)
    if (isPromiseLike(returned)) return this.#composeLater(returned, state, intent, component, parameters)
    return this.#compose(state, intent, component, parameters, returned)
  }

  #composeLater(
    returned: PromiseLike<unknown>,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    parameters: Record<string, unknown>,
  ): Promise<RenderResult> {
    return Promise.resolve(returned).then((data) => this.#compose(state, intent, component, parameters, data))
  }

  #compose(
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    parameters: Record<string, unknown>,
    data: unknown,
  ): Step<RenderResult> {
    if (data !== undefined && !isRecord(data)) {
      throw coreError('INTERNAL_ERROR', {
        reason: `Handler of intent '${intent.definition.name}' must return an object or nothing`,
      })
    }
    state.data = data as Record<string, unknown> | undefined
    const options = state.request.options
    const { handler } = this.#hooks
    if (!handler.isUsed()) {
      // Nothing to merge: the props are the validated parameters themselves (not copied; read-only).
      const props =
        data === undefined && options === undefined ? parameters : merge(parameters, data, options)
      return this.#render(state, intent, component, props)
    }
    // The hook's taps get an object of their own, so one that changes it in place changes no caller's object.
    const props = merge(parameters, data, options)
    const taps = syncTaps(handler)
    if (taps === undefined) return this.#renderLater(handler.promise(props, state), state, intent, component)
    const changed = runWaterfall(taps, props, state)
    if (changed instanceof Promise) return this.#renderLater(changed, state, intent, component)
    return this.#render(state, intent, component, changed)
  }

  #renderLater(
    props: Promise<Record<string, unknown>>,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
  ): Promise<RenderResult> {
    return props.then((changed) => this.#render(state, intent, component, changed))
  }

  #render(
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    props: Record<string, unknown>,
  ): Step<RenderResult> {
    const definition = component.definition
    const tags =
      intent.definition.cacheTags === undefined
        ? undefined
        : resolveTags(intent.definition, 'cacheTags', state.parameters ?? {}, state.data, state.context)
    if (typeof definition.render !== 'function') {
      const record = { moduleUrl: definition.remoteUrl, exportName: definition.exportName, props }
      const ttl = this.#ttlOf(intent, definition)
      const meta = state.meta
      const result: RenderResult =
        tags === undefined
          ? { intent: intent.definition.name, component: component.description, props, ttl, meta, record }
          : {
              intent: intent.definition.name,
              component: component.description,
              props,
              ttl,
              meta,
              tags,
              record,
            }
      return this.#finish(result, state)
    }
    const rendered = definition.render(props, state.context)
    if (isPromiseLike(rendered)) {
      return this.#afterTreeLater(rendered, state, intent, component, props, tags)
    }
    return this.#afterTree(rendered, state, intent, component, props, tags)
  }

  #afterTreeLater(
    rendered: PromiseLike<RenderNode>,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    props: Record<string, unknown>,
    tags: readonly string[] | undefined,
  ): Promise<RenderResult> {
    return Promise.resolve(rendered).then((tree) =>
      this.#afterTree(tree, state, intent, component, props, tags),
    )
  }

  #afterTree(
    tree: RenderNode,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    props: Record<string, unknown>,
    tags: readonly string[] | undefined,
  ): Step<RenderResult> {
    const hook = this.#hooks.render
    if (hook.isUsed()) {
      const taps = syncTaps(hook)
      if (taps === undefined) {
        return this.#checkTreeLater(hook.promise(tree, state), state, intent, component, props, tags)
      }
      const changed = runWaterfall(taps, tree, state)
      if (changed instanceof Promise) {
        return this.#checkTreeLater(changed, state, intent, component, props, tags)
      }
      tree = changed
    }
    return this.#finish(this.#withTree(tree, state, intent, component, props, tags), state)
  }

  #checkTreeLater(
    changed: Promise<RenderNode>,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    props: Record<string, unknown>,
    tags: readonly string[] | undefined,
  ): Promise<RenderResult> {
    return changed.then((tree) =>
      this.#finish(this.#withTree(tree, state, intent, component, props, tags), state),
    )
  }

  /**
   * The result of a server component, its tree checked. Made in one literal, once every field is known: a
   * field added to an object literal later moves its fields to a store allocated apart.
   */
  #withTree(
    tree: RenderNode,
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    props: Record<string, unknown>,
    tags: readonly string[] | undefined,
  ): RenderResult {
    // A loading placeholder stands in for a late render: a result holding one must not be reused.
    const ttl = this.#checkedTreeHoldsPlaceholder(tree) ? 0 : this.#ttlOf(intent, component.definition)
    const meta = state.meta
    const name = intent.definition.name
    const description = component.description
    return tags === undefined
      ? { intent: name, component: description, props, ttl, meta, tree }
      : { intent: name, component: description, props, ttl, meta, tags, tree }
  }

  /**
   * Checks a tree and says whether it holds a loading placeholder. A canonical tree passes as it is; anything
   * else is refused (`tree/check.ts`) with the path of the problem (`INVALID_RENDER_TREE`) instead of reaching
   * the wire. The render keeps the tree itself either way: nothing is copied or normalized.
   */
  #checkedTreeHoldsPlaceholder(tree: RenderNode): boolean {
    const { maxDepth, maxNodes } = this.#treeLimits
    const kind = classifyTree(tree, maxDepth, maxNodes)
    if (kind !== NOT_CANONICAL) return kind === CANONICAL_WITH_PLACEHOLDER
    // The fast check also says no to every tree once Object.prototype is polluted: the full check decides.
    assertCanonicalTree(tree, this.#treeLimits)
    return containsPlaceholder(tree)
  }

  #finish(result: RenderResult, state: RenderState): Step<RenderResult> {
    const { afterRender } = this.#hooks
    if (!afterRender.isUsed()) return result
    // What an afterRender tap reads is the time spent so far (the engine sets the final figure after the hook).
    result.meta.durationMs = clock.now() - state.startedAt
    const taps = syncTaps(afterRender)
    return taps !== undefined ? runWaterfall(taps, result, state) : afterRender.promise(result, state)
  }

  #ttlOf(intent: RenderIntent, component: ComponentDefinition): number {
    const memo = intent.ttl
    if (memo !== undefined && memo.intent === intent.definition && memo.component === component) {
      return memo.ttl
    }
    const ttl = computeTtl(intent.definition, component)
    intent.ttl = { intent: intent.definition, component, ttl }
    return ttl
  }
}
