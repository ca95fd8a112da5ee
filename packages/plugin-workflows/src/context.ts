/** The context a step runs with, and the signals that end it. */
import { coreError, isIxpError, type IxpContext, type IxpError } from '@ixp/core'
import { onAbort } from './abort-fanout.js'
import type { WorkflowTrace } from './types.js'

/**
 * The caller's context for one step: every field the caller had (`user`, `headers`, `requestId`, …, so auth,
 * rate limits and tracing see the same caller), the step's own `signal`, and the `workflow` trace.
 */
export function childContext(caller: IxpContext, signal: AbortSignal, trace: WorkflowTrace): IxpContext {
  const child: IxpContext = {}
  for (const key of Object.keys(caller)) {
    if (key !== 'signal' && key !== 'engine') child[key] = caller[key]
  }
  child.signal = signal
  child.workflow = trace
  return child
}

/** The reason of an aborted signal as an `IxpError` (a caller's bare `abort()` reads as `ABORTED`). */
export function abortReason(signal: AbortSignal): IxpError {
  const reason: unknown = signal.reason
  if (isIxpError(reason)) return reason
  return coreError('ABORTED', {}, { cause: reason })
}

/** An AbortController that also aborts (with the same reason) when `parent` does; `dispose()` unlinks it. */
export class LinkedController {
  readonly #controller = new AbortController()
  readonly #parent: AbortSignal | undefined
  readonly #forward = () => this.abort(abortReason(this.#parent!))
  #unlink: (() => void) | undefined

  constructor(parent: AbortSignal | undefined) {
    this.#parent = parent
    if (!parent) return
    if (parent.aborted) this.#forward()
    else this.#unlink = onAbort(parent, this.#forward)
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  abort(reason: IxpError): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason)
  }

  dispose(): void {
    this.#unlink?.()
  }
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined)
    return Promise.reject(abortReason(signal))
  }
  return new Promise<T>((resolve, reject) => {
    const unlink = onAbort(signal, () => {
      work.catch(() => undefined)
      reject(abortReason(signal))
    })
    work.then(
      (value) => {
        unlink()
        resolve(value)
      },
      (error: unknown) => {
        unlink()
        reject(error)
      },
    )
  })
}
