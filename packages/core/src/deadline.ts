/**
 * The deadline of one render: a signal that aborts when the render timeout passes or the caller's own signal
 * aborts, and a race that settles the render with `RENDER_TIMEOUT` / `ABORTED` at that moment while the
 * abandoned work finishes (or stops, if it listens to the signal) in the background.
 *
 * Every render has one, so it is frugal: the AbortController is created only when someone reads `signal`
 * (most renders finish without anyone listening), the timer reuses this object instead of allocating a
 * closure, and a caller signal has one abort listener however many renders wait on it.
 */
import { clock, type DeadlineClock, type Expirable } from './deadline-clock.js'
import { coreError, type IxpError, isIxpError } from './errors.js'

const NEVER = new AbortController().signal

/**
 * The pending renders of each caller signal. A signal gets one `abort` listener, on its first pending render,
 * that fails every render then waiting on it: a keep-alive connection's signal serves all its requests, and
 * adding and removing a listener per render cost more (~1.4 µs under load) than a set entry does.
 */
const pendingBySignal = new WeakMap<AbortSignal, Set<Deadline>>()

function watch(signal: AbortSignal, deadline: Deadline): void {
  let pending = pendingBySignal.get(signal)
  if (pending === undefined) {
    const renders = new Set<Deadline>()
    pending = renders
    pendingBySignal.set(signal, renders)
    signal.addEventListener(
      'abort',
      () => {
        const aborted = Array.from(renders)
        renders.clear()
        for (const render of aborted) render.handleEvent()
      },
      { once: true },
    )
  }
  pending.add(deadline)
}

export class Deadline implements Expirable {
  readonly ms: number
  readonly expiresAt: number
  readonly #parent: AbortSignal | undefined
  readonly #clock: DeadlineClock
  #controller: AbortController | undefined
  #reject: ((error: IxpError) => void) | undefined
  #timer: unknown
  #failure: IxpError | undefined

  constructor(ms: number, parent: AbortSignal | undefined, clock: DeadlineClock, startedAt: number) {
    this.ms = ms > 0 && Number.isFinite(ms) ? ms : 0
    this.expiresAt = startedAt + this.ms
    this.#parent = parent
    this.#clock = clock
  }

  /** The deadline passed (called by the clock). */
  expire(): void {
    this.#timer = undefined
    this.fail(coreError('RENDER_TIMEOUT', { timeoutMs: this.ms }))
  }

  /** Aborts at the deadline or with the caller's signal; its reason is the `IxpError` the render failed with. */
  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal
    if (this.ms === 0 && !this.#parent) return NEVER
    this.#controller = new AbortController()
    if (this.#failure) this.#controller.abort(this.#failure)
    return this.#controller.signal
  }

  /** Throws the caller's reason (`ABORTED`, or its own `IxpError`) when the caller's signal already aborted. */
  throwIfCallerAborted(): void {
    if (!this.#parent?.aborted) return
    this.fail(this.#callerReason())
    throw this.#failure
  }

  /**
   * Settles with pending `work`, or rejects at the deadline or when the caller aborts, whichever comes first.
   * The deadline counts from the render's start, not from this call.
   */
  run<T>(work: Promise<T>): Promise<T> {
    if (this.ms === 0 && !this.#parent) return work
    if (this.#parent?.aborted) {
      work.catch(() => undefined)
      this.fail(this.#callerReason())
      return Promise.reject(this.#failure)
    }
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject
      if (this.ms > 0) {
        this.#timer = this.#clock.start(this, Math.max(this.expiresAt - clock.now(), 0))
      }
      if (this.#parent !== undefined) watch(this.#parent, this)
      work.then(
        (value) => {
          this.#cleanup()
          resolve(value)
        },
        (error: unknown) => {
          this.#cleanup()
          reject(error)
        },
      )
    })
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.fail(this.#callerReason())
  }

  /** The caller's own `IxpError` reason (a workflow step's timeout, say) is kept; anything else is `ABORTED`. */
  #callerReason(): IxpError {
    const reason: unknown = this.#parent?.reason
    return isIxpError(reason) ? reason : coreError('ABORTED')
  }

  /** Ends the render now with `error`. */
  fail(error: IxpError): void {
    this.#cleanup()
    this.#failure = error
    this.#controller?.abort(error)
    this.#reject?.(error)
  }

  #cleanup(): void {
    if (this.#timer !== undefined) {
      this.#clock.stop(this.#timer)
      this.#timer = undefined
    }
    if (this.#parent !== undefined) pendingBySignal.get(this.#parent)?.delete(this)
  }
}
