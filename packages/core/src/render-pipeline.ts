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
import { coreError, validationError } from './errors.js'
import type { EngineHooks, RenderState } from './hooks/index.js'
import { runBail, runSeries, runWaterfall, syncTaps } from './hooks/sync-taps.js'
import type { Logger } from './logger.js'
import { CANONICAL, CANONICAL_WITH_PLACEHOLDER, classifyTree, NOT_CANONICAL } from './tree/canonical.js'
import { containsPlaceholder, normalizeTree, type TreeLimits } from './tree/index.js'
import { resolveTags } from './invalidation.js'
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
      if (taps === undefined) {
        return admission.promise(state).then(() => this.#validate(state, intent, component))
      }
      runSeries(taps, state)
    }
    return this.#validate(state, intent, component)
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
    const validation = intent.validate(state.request.intent.parameters)
    if (!validation.ok) throw validationError(validation.issues)
    state.parameters = validation.value
    if (!component) {
      throw coreError('COMPONENT_NOT_FOUND', { component: definition.component, where: '' })
    }
    const { beforeHandler } = this.#hooks
    if (beforeHandler.isUsed()) {
      const taps = syncTaps(beforeHandler)
      if (taps !== undefined) {
        const early = runBail<RenderResult>(taps, state)
        return early !== undefined
          ? this.#finish(early, state)
          : this.#handle(state, intent, component, validation.value)
      }
      return beforeHandler
        .promise(state)
        .then((early) =>
          early !== undefined
            ? this.#finish(early, state)
            : this.#handle(state, intent, component, validation.value),
        )
    }
    return this.#handle(state, intent, component, validation.value)
  }

  #handle(
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    parameters: Record<string, unknown>,
  ): Step<RenderResult> {
    const handler = intent.definition.handler
    state.handled = true
    const returned: unknown = handler ? handler(parameters, state.context) : undefined
    if (isPromiseLike(returned)) {
      return Promise.resolve(returned).then((data) =>
        this.#compose(state, intent, component, parameters, data),
      )
    }
    return this.#compose(state, intent, component, parameters, returned)
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
    if (taps !== undefined) {
      return this.#render(state, intent, component, runWaterfall(taps, props, state))
    }
    return handler.promise(props, state).then((changed) => this.#render(state, intent, component, changed))
  }

  #render(
    state: RenderState,
    intent: RenderIntent,
    component: RenderComponent,
    props: Record<string, unknown>,
  ): Step<RenderResult> {
    const definition = component.definition
    const result: RenderResult = {
      intent: intent.definition.name,
      component: component.description,
      props,
      ttl: this.#ttlOf(intent, definition),
      meta: state.meta,
    }
    if (intent.definition.cacheTags !== undefined) {
      result.tags = resolveTags(
        intent.definition,
        'cacheTags',
        state.parameters ?? {},
        state.data,
        state.context,
      )
    }
    if (typeof definition.render !== 'function') {
      result.record = { moduleUrl: definition.remoteUrl, exportName: definition.exportName, props }
      return this.#finish(result, state)
    }
    const rendered = definition.render(props, state.context)
    if (isPromiseLike(rendered)) {
      return Promise.resolve(rendered).then((tree) => this.#afterTree(tree, result, state))
    }
    return this.#afterTree(rendered, result, state)
  }

  #afterTree(tree: RenderNode, result: RenderResult, state: RenderState): Step<RenderResult> {
    const hook = this.#hooks.render
    if (hook.isUsed()) {
      const taps = syncTaps(hook)
      if (taps !== undefined) {
        result.tree = this.#checkTree(runWaterfall(taps, tree, state), result)
        return this.#finish(result, state)
      }
      return hook.promise(tree, state).then((changed) => {
        result.tree = this.#checkTree(changed, result)
        return this.#finish(result, state)
      })
    }
    result.tree = this.#checkTree(tree, result)
    return this.#finish(result, state)
  }

  /**
   * Keeps a canonical tree as it is and normalizes anything else; a bad tree fails here with the path of the
   * problem (`INVALID_RENDER_TREE`) instead of reaching the wire. A loading placeholder stands in for a late
   * render, so a result holding one must not be reused (TTL 0).
   */
  #checkTree(tree: RenderNode, result: RenderResult): RenderNode {
    const { maxDepth, maxNodes } = this.#treeLimits
    const kind = classifyTree(tree, maxDepth, maxNodes)
    if (kind === CANONICAL) return tree
    const checked = kind === NOT_CANONICAL ? normalizeTree(tree, this.#treeLimits) : tree
    if (kind === CANONICAL_WITH_PLACEHOLDER || containsPlaceholder(checked)) result.ttl = 0
    return checked
  }

  #finish(result: RenderResult, state: RenderState): Step<RenderResult> {
    const { afterRender } = this.#hooks
    if (!afterRender.isUsed()) return result
    // What an afterRender tap reads is the time spent so far (the engine sets the final figure after the hook).
    result.meta.durationMs = performance.now() - state.startedAt
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
