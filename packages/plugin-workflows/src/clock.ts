/**
 * The time source of runs: durations, retry delays, step and workflow timeouts. Injected through the plugin's
 * `clock` option so tests move time by hand instead of sleeping.
 */
import { onAbort } from './abort-fanout.js'

export interface WorkflowClock {
  /** Milliseconds on a monotonic scale (only differences are used). */
  now(): number
  /** Calls `callback` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** `performance.now()` and the runtime's timers. */
export const systemClock: WorkflowClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** Waits `ms` on `clock`; rejects with the signal's reason if it aborts first. */
export function sleep(clock: WorkflowClock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<void>((resolve, reject) => {
    let handle: unknown
    const unlink = onAbort(signal, () => {
      clock.clearTimeout(handle)
      reject(signal.reason)
    })
    handle = clock.setTimeout(() => {
      unlink()
      resolve()
    }, ms)
  })
}
