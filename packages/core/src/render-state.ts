/**
 * The per-render objects handed to hooks, handlers and components. Classes with lazy getters, so a render
 * allocates no context unless something reads it, no deadline unless its work goes asynchronous or something
 * reads the signal, and no AbortController unless something listens for the deadline.
 */
import { Deadline } from './deadline.js'
import type { DeadlineClock } from './deadline-clock.js'
import type { Engine } from './engine.js'
import type { RenderState } from './hooks/index.js'
import type { ComponentDefinition, IntentDefinition, IxpContext, RenderMeta, RenderRequest } from './types.js'

/** The context of one render: the caller's fields, the engine, and the deadline's signal. */
export class RenderContext implements IxpContext {
  [key: string]: unknown
  readonly #run: RenderRun

  constructor(caller: IxpContext, engine: Engine, run: RenderRun) {
    this.#run = run
    // The caller's own fields (a copy loop, not Object.assign: that would go through the `signal` setter's slow
    // path on every render; `for…in`, not Object.keys: no array per render). The caller's signal is already
    // linked into the deadline.
    for (const key in caller) {
      if (key !== 'signal' && Object.hasOwn(caller, key)) this[key] = caller[key]
    }
    this.engine = engine
  }

  /** Aborts at the render deadline or when the caller's own signal aborts. */
  get signal(): AbortSignal {
    return this.#run.deadline.signal
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
  readonly #timeoutMs: number
  readonly #clock: DeadlineClock
  readonly #caller: IxpContext
  readonly #engine: Engine
  #deadline: Deadline | undefined
  #context: RenderContext | undefined

  constructor(
    readonly request: RenderRequest,
    caller: IxpContext,
    engine: Engine,
    readonly intent: IntentDefinition,
    readonly component: ComponentDefinition,
    timeoutMs: number,
    clock: DeadlineClock,
    readonly startedAt: number,
  ) {
    this.#timeoutMs = timeoutMs
    this.#clock = clock
    this.#caller = caller
    this.#engine = engine
  }

  /**
   * The render's deadline (counted from `startedAt`), made when first needed: when something reads the signal,
   * or when the work went asynchronous and must race it. A render that finishes synchronously never needs one.
   */
  get deadline(): Deadline {
    return (this.#deadline ??= new Deadline(
      this.#timeoutMs,
      this.#caller.signal,
      this.#clock,
      this.startedAt,
    ))
  }

  /**
   * The context handlers, components and hooks get; made when first read (a remote component without a handler
   * and no hooks never needs one).
   */
  get context(): RenderContext {
    return (this.#context ??= new RenderContext(this.#caller, this.#engine, this))
  }

  get signal(): AbortSignal {
    return this.deadline.signal
  }
}
