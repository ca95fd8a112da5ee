/**
 * `@ixp/core/plugin-kit` — the small helpers every IXP package needs (object and promise checks, a timeout race,
 * an abortable wait, an error's message), written once here instead of in each package. A separate entry so the
 * engine's root entry does not carry them for apps that never load a plugin.
 */
export { isObject, isPlainObject } from '../objects.js'
export { delay, isPromiseLike, withTimeout, type TimerFunctions } from './async.js'
export { tapMaybeSync, type MaybeSyncTapOptions, type PromiseTappable } from './maybe-sync.js'

/** The message of anything thrown: an `Error`'s `message`, else the value as a string (for logs, never callers). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
