/**
 * Runs a render hook's taps inline when every one of them is synchronous (`tap`, not `tapPromise`/`tapAsync`)
 * or a `tapPromise` tap that offers its work as a function that answers synchronously when it can
 * ({@link MaybeSyncTap}, tapped with plugin-kit's `tapMaybeSync`), and nothing intercepts the hook: the same
 * order and results as the hook's `promise()`, without a promise per hook, so a render whose taps all answer
 * at once (tracing without an SDK, auth for a public intent, a memory rate limit, a cache hit) finishes inside
 * `renderNow()`. A maybe-sync tap that does return a promise makes the rest of the run wait for it.
 */
import type { Fn } from './interpreter/types.js'

interface TapInfo {
  type: string
  fn: Fn
  context?: boolean
  /**
   * Set by plugin-kit's `tapMaybeSync` on a `tapPromise` tap: its work, giving its result at once or a promise of
   * it only when it has to wait. tapable's own `promise()` runs `fn` (the same work wrapped in a promise).
   */
  maybeSync?: Fn
}

interface HookInfo {
  taps: readonly TapInfo[]
  interceptors: readonly unknown[]
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}

/** The taps to call inline, or `undefined` when the hook must run through its `promise()`. */
export function syncTaps(hook: object): readonly TapInfo[] | undefined {
  const { taps, interceptors } = hook as HookInfo
  if (interceptors.length !== 0) return undefined
  for (let i = 0; i < taps.length; i++) {
    const tap = taps[i]!
    if (tap.context === true) return undefined
    if (tap.type !== 'sync' && (tap.type !== 'promise' || typeof tap.maybeSync !== 'function'))
      return undefined
  }
  return taps
}

/**
 * An `AsyncSeriesHook`'s taps, in order. Returns a promise only when a maybe-sync tap had to wait; the taps after
 * it run once it settled.
 */
export function runSeries(taps: readonly TapInfo[], a: unknown, from = 0): Promise<void> | undefined {
  for (let i = from; i < taps.length; i++) {
    const tap = taps[i]!
    if (tap.maybeSync === undefined) {
      tap.fn(a)
      continue
    }
    const pending: unknown = tap.maybeSync(a)
    if (isThenable(pending)) return Promise.resolve(pending).then(() => runSeries(taps, a, i + 1))
  }
  return undefined
}

/** An `AsyncSeriesBailHook`'s taps: the first result other than `undefined` ends the run. */
export function runBail<R>(
  taps: readonly TapInfo[],
  a: unknown,
  from = 0,
): R | undefined | Promise<R | undefined> {
  for (let i = from; i < taps.length; i++) {
    const tap = taps[i]!
    const result: unknown = tap.maybeSync === undefined ? tap.fn(a) : tap.maybeSync(a)
    if (tap.maybeSync !== undefined && isThenable(result)) {
      return Promise.resolve(result).then((value) =>
        value !== undefined ? (value as R) : runBail<R>(taps, a, i + 1),
      )
    }
    if (result !== undefined) return result as R
  }
  return undefined
}

/** An `AsyncSeriesWaterfallHook`'s taps: each gets the last value; `undefined` keeps it. */
export function runWaterfall<T>(taps: readonly TapInfo[], value: T, b: unknown, from = 0): T | Promise<T> {
  for (let i = from; i < taps.length; i++) {
    const tap = taps[i]!
    const result: unknown = tap.maybeSync === undefined ? tap.fn(value, b) : tap.maybeSync(value, b)
    if (tap.maybeSync !== undefined && isThenable(result)) {
      const before = value
      return Promise.resolve(result).then((changed) =>
        runWaterfall(taps, changed === undefined ? before : (changed as T), b, i + 1),
      )
    }
    if (result !== undefined) value = result as T
  }
  return value
}
