/**
 * `@ixp/core/plugin-kit` — what IXP packages share and applications rarely need: small helpers (object and
 * promise checks, a timeout race, an abortable wait, an error's message), the classes of error codes for
 * reporting, the message bus plugins offer one another, and the check of plugins' `core` ranges, which importing
 * this module installs (a plugin that declares `core` imports it). A separate entry so the engine's root entry
 * does not carry them for apps that never load a plugin. The package's `sideEffects` field lists it.
 */
import { installCoreRangeCheck } from '../plugins.js'
import { checkCoreRange } from './core-range.js'

installCoreRangeCheck(checkCoreRange)

export { isObject, isPlainObject } from '../objects.js'
export { delay, isPromiseLike, withTimeout, type TimerFunctions } from './async.js'
export {
  classifyError,
  ERROR_CLASSES,
  type ErrorCategory,
  type ErrorClass,
  type ErrorSeverity,
} from '../error-categories.js'
export { sharedBus, type BusOffer, type MessageBus, type SharedBus } from '../message-bus.js'
export { tapMaybeSync, type MaybeSyncTapOptions, type PromiseTappable } from './maybe-sync.js'
export { queryNotResolved } from '../errors.js'

/** The message of anything thrown: an `Error`'s `message`, else the value as a string (for logs, never callers). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
