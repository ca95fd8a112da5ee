/**
 * Runs a render hook's taps inline when every one of them is synchronous (`tap`, not `tapPromise`/`tapAsync`)
 * and nothing intercepts the hook: the same order and results as the hook's `promise()`, without a promise per
 * hook, so a render whose taps are all synchronous (tracing without an SDK, say) finishes inside `renderNow()`.
 */
import type { Fn } from './interpreter/types.js'

interface TapInfo {
  type: string
  fn: Fn
  context?: boolean
}

interface HookInfo {
  taps: readonly TapInfo[]
  interceptors: readonly unknown[]
}

/** The taps to call inline, or `undefined` when the hook must run through its `promise()`. */
export function syncTaps(hook: object): readonly TapInfo[] | undefined {
  const { taps, interceptors } = hook as HookInfo
  if (interceptors.length !== 0) return undefined
  for (let i = 0; i < taps.length; i++) {
    const tap = taps[i]!
    if (tap.type !== 'sync' || tap.context === true) return undefined
  }
  return taps
}

/** An `AsyncSeriesHook`'s taps, in order. */
export function runSeries(taps: readonly TapInfo[], a: unknown): void {
  for (let i = 0; i < taps.length; i++) taps[i]!.fn(a)
}

/** An `AsyncSeriesBailHook`'s taps: the first result other than `undefined` ends the run. */
export function runBail<R>(taps: readonly TapInfo[], a: unknown): R | undefined {
  for (let i = 0; i < taps.length; i++) {
    const result: unknown = taps[i]!.fn(a)
    if (result !== undefined) return result as R
  }
  return undefined
}

/** An `AsyncSeriesWaterfallHook`'s taps: each gets the last value; `undefined` keeps it. */
export function runWaterfall<T>(taps: readonly TapInfo[], value: T, b: unknown): T {
  for (let i = 0; i < taps.length; i++) {
    const result: unknown = taps[i]!.fn(value, b)
    if (result !== undefined) value = result as T
  }
  return value
}
