/**
 * The per-render objects handed to hooks, handlers and components. Classes with lazy getters, so a render
 * allocates no context unless something reads it, and no AbortController unless something listens for the
 * deadline.
 */
import type { Deadline } from './deadline.js'
import type { Engine } from './engine.js'
import type { RenderState } from './hooks/index.js'
import type { ComponentDefinition, IntentDefinition, IxpContext, RenderMeta, RenderRequest } from './types.js'

/** The context of one render: the caller's fields, the engine, and the deadline's signal. */
export class RenderContext implements IxpContext {
  [key: string]: unknown
  readonly #deadline: Deadline

  constructor(caller: IxpContext, engine: Engine, deadline: Deadline) {
    this.#deadline = deadline
    // The caller's own fields (a copy loop, not Object.assign: that would go through the `signal` setter's slow
    // path on every render). The caller's signal is already linked into the deadline.
    const keys = Object.keys(caller)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      if (key !== 'signal') this[key] = caller[key]
    }
    this.engine = engine
  }

  /** Aborts at the render deadline or when the caller's own signal aborts. */
  get signal(): AbortSignal {
    return this.#deadline.signal
  }

  set signal(_ignored: AbortSignal | undefined) {
    // The caller's signal is already linked into the deadline; assigning another one must not replace it.
  }
}

export class RenderRun implements RenderState {
  parameters: Record<string, unknown> | undefined = undefined
  handled = false
  data: Record<string, unknown> | undefined = undefined
  readonly meta: RenderMeta = { durationMs: 0 }
  readonly #deadline: Deadline
  readonly #caller: IxpContext
  readonly #engine: Engine
  #context: RenderContext | undefined

  constructor(
    readonly request: RenderRequest,
    caller: IxpContext,
    engine: Engine,
    readonly intent: IntentDefinition,
    readonly component: ComponentDefinition,
    deadline: Deadline,
    readonly startedAt: number,
  ) {
    this.#deadline = deadline
    this.#caller = caller
    this.#engine = engine
  }

  /**
   * The context handlers, components and hooks get; made when first read (a remote component without a handler
   * and no hooks never needs one).
   */
  get context(): RenderContext {
    return (this.#context ??= new RenderContext(this.#caller, this.#engine, this.#deadline))
  }

  get signal(): AbortSignal {
    return this.#deadline.signal
  }
}
