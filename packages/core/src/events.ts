/** The events an engine emits (eventemitter3, typed). Listeners run synchronously; keep them cheap. */
import { EventEmitter } from 'eventemitter3'
import type { IxpError } from './errors.js'
import type { Invalidation } from './invalidation.js'
import type { IxpContext, RenderRequest, RenderResult } from './types.js'

export interface RegistryChange {
  kind: 'intent' | 'component'
  action: 'registered' | 'replaced' | 'unregistered'
  name: string
}

export interface EngineEvents {
  /** A render passed lookup and is about to run admission. */
  'intent:before': [event: { intent: string; request: RenderRequest; context: IxpContext }]
  /** A render produced its result. */
  'intent:after': [event: { intent: string; result: RenderResult; context: IxpContext }]
  /** A render failed (`intent` is undefined when the intent was not found). */
  'intent:error': [event: { intent: string | undefined; error: IxpError; context: IxpContext }]
  /** A plugin finished `apply()`. */
  'plugin:installed': [event: { name: string; version: string | undefined }]
  /** `unuse()` removed a plugin (`applied`: false when it was only queued). */
  'plugin:removed': [event: { name: string; applied: boolean }]
  /** An intent or component was registered, replaced or unregistered. */
  'registry:changed': [event: RegistryChange]
  /** Answers became stale (`engine.invalidate()`, or a command that succeeded); see {@link Invalidation}. */
  invalidate: [invalidation: Invalidation]
  /** `ready()` completed. */
  ready: []
  /** `close()` completed. */
  close: []
}

type EventName = keyof EngineEvents
type Listener = (...args: never[]) => unknown

/** Receives a listener's failure: the event it listened to and what it threw or rejected with. */
export type ListenerFailure = (event: string, error: unknown) => void

/**
 * The engine's emitter: every listener runs isolated. A listener that throws, or returns a promise that rejects,
 * is reported (with its event's name) and skipped — it never fails the render that emitted the event, never stops
 * the other listeners, and never becomes an unhandled rejection that takes the process down.
 */
export class EngineEventEmitter extends EventEmitter<EngineEvents> {
  readonly #report: ListenerFailure
  /** The guarded wrapper of each listener, per event, so that `off(event, listener)` finds it again. */
  readonly #wrapped = new Map<EventName, WeakMap<Listener, Listener>>()

  constructor(report: ListenerFailure) {
    super()
    this.#report = (event, error) => {
      try {
        report(event, error)
      } catch {
        // A reporter (a logger) that fails must not turn a listener's failure into the emitter's.
      }
    }
  }

  #guard(event: EventName, listener: Listener): Listener {
    let byListener = this.#wrapped.get(event)
    if (byListener === undefined) this.#wrapped.set(event, (byListener = new WeakMap()))
    let guarded = byListener.get(listener)
    if (guarded === undefined) {
      const report = this.#report
      guarded = function (this: unknown, ...args: never[]) {
        try {
          const outcome = listener.apply(this, args) as { then?: unknown } | undefined
          if (typeof outcome?.then === 'function') {
            ;(outcome as PromiseLike<unknown>).then(undefined, (error: unknown) =>
              report(String(event), error),
            )
          }
        } catch (error) {
          report(String(event), error)
        }
      }
      byListener.set(listener, guarded)
    }
    return guarded
  }

  override on<T extends EventName>(
    event: T,
    fn: EventEmitter.EventListener<EngineEvents, T>,
    context?: unknown,
  ): this {
    return super.on(event, this.#guard(event, fn as Listener) as typeof fn, context)
  }

  override addListener<T extends EventName>(
    event: T,
    fn: EventEmitter.EventListener<EngineEvents, T>,
    context?: unknown,
  ): this {
    return this.on(event, fn, context)
  }

  override once<T extends EventName>(
    event: T,
    fn: EventEmitter.EventListener<EngineEvents, T>,
    context?: unknown,
  ): this {
    return super.once(event, this.#guard(event, fn as Listener) as typeof fn, context)
  }

  override off<T extends EventName>(
    event: T,
    fn?: EventEmitter.EventListener<EngineEvents, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    const guarded = fn === undefined ? undefined : this.#wrapped.get(event)?.get(fn as Listener)
    return super.off(event, (guarded ?? fn) as typeof fn, context, once)
  }

  override removeListener<T extends EventName>(
    event: T,
    fn?: EventEmitter.EventListener<EngineEvents, T>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.off(event, fn, context, once)
  }
}
