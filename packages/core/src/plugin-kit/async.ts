/** Promise helpers the packages share: a thenable check, a timeout race and an abortable wait. */

/** Whether a value is a promise (or any thenable) rather than a plain result: the sync/async fork of hot paths. */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}

/**
 * Settles as `work` does, or rejects with `onTimeout()` when `timeoutMs` passes first; the timer is cleared
 * either way. A `timeoutMs` that is not a positive number means no timeout (`work` itself is returned).
 */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  if (!(timeoutMs > 0)) return work
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** The timer functions `delay` uses; a test passes a fake clock, production the runtime's own timers. */
export interface TimerFunctions {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const runtimeTimers: TimerFunctions = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts (the timer and the listener are removed
 * either way, so a long-lived signal collects no listeners).
 */
export function delay(
  ms: number,
  signal?: AbortSignal,
  timers: TimerFunctions = runtimeTimers,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      timers.clearTimeout(handle)
      reject(signal!.reason)
    }
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
