/**
 * The deadline of one render: a signal that aborts when the render timeout passes or the caller's own signal
 * aborts, and a race that settles the render with `RENDER_TIMEOUT` / `ABORTED` at that moment while the
 * abandoned work finishes (or stops, if it listens to the signal) in the background.
 */
import { IxpError } from './errors.js'

const NEVER = new AbortController().signal

export class Deadline {
  readonly signal: AbortSignal
  readonly #controller: AbortController | undefined
  readonly #ms: number
  readonly #parent: AbortSignal | undefined

  constructor(ms: number, parent: AbortSignal | undefined) {
    this.#ms = ms > 0 && Number.isFinite(ms) ? ms : 0
    this.#parent = parent
    this.#controller = this.#ms > 0 || parent ? new AbortController() : undefined
    this.signal = this.#controller?.signal ?? NEVER
  }

  /** Settles with `work`, or rejects at the deadline or when the caller aborts, whichever comes first. */
  run<T>(work: Promise<T>): Promise<T> {
    const controller = this.#controller
    if (!controller) return work
    const parent = this.#parent
    if (parent?.aborted) {
      const error = new IxpError('ABORTED', 'The request was aborted by the caller')
      controller.abort(error)
      work.catch(() => undefined)
      return Promise.reject(error)
    }
    return new Promise<T>((resolve, reject) => {
      const fail = (error: IxpError) => {
        cleanup()
        controller.abort(error)
        reject(error)
      }
      const timer =
        this.#ms > 0
          ? setTimeout(
              () => fail(new IxpError('RENDER_TIMEOUT', `The render did not finish within ${this.#ms} ms`)),
              this.#ms,
            )
          : undefined
      const onAbort = () => fail(new IxpError('ABORTED', 'The request was aborted by the caller'))
      parent?.addEventListener('abort', onAbort, { once: true })
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer)
        parent?.removeEventListener('abort', onAbort)
      }
      work.then(
        (value) => {
          cleanup()
          resolve(value)
        },
        (error: unknown) => {
          cleanup()
          reject(error)
        },
      )
    })
  }
}
