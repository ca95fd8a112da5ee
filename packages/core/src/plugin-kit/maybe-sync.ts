/**
 * `tapMaybeSync`: a render-hook tap whose work is usually synchronous but sometimes has to wait (auth verifying a
 * token, a rate limit or cache on a network store). Tapped with `tapPromise`, so tapable's own `promise()` awaits it
 * wherever it runs; the engine's inline run (see `hooks/sync-taps.ts`) calls the work directly instead, so a render
 * whose taps all answer at once stays synchronous, and only a tap that returns a promise makes the render wait.
 */
/** The part of an async tapable hook `tapMaybeSync` uses. */
export interface PromiseTappable<Args extends unknown[], R> {
  tapPromise(options: { name: string; stage?: number }, fn: (...args: Args) => Promise<R>): void
}

/** Where the tap goes: the plugin's name, and its stage (see `Stage`). */
export interface MaybeSyncTapOptions {
  name: string
  /** A `Stage` value (lower runs first). @default Stage.DEFAULT (0) */
  stage?: number
}

/**
 * Taps `work` on an async render hook (`admission`, `beforeHandler`, `handler`, `render`, `afterRender`) so that
 * it may answer synchronously: return the result itself when it is known at once, a promise only when the tap
 * must wait. Results mean what they mean for `tapPromise` (a bail result, a waterfall's new value).
 */
export function tapMaybeSync<Args extends unknown[], R>(
  hook: PromiseTappable<Args, R>,
  options: MaybeSyncTapOptions,
  work: (...args: Args) => R | PromiseLike<R>,
): void {
  const tap = { name: options.name, stage: options.stage ?? 0, maybeSync: work }
  // tapable keeps the extra `maybeSync` field on the tap it registers; its own promise() runs this wrapper.
  hook.tapPromise(tap, async (...args: Args) => work(...args))
}
