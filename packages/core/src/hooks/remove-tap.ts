/**
 * Undoing a tap. tapable has no API for it, but a hook is only its `taps` array plus callers compiled from
 * it, and tapable itself discards those callers (`_resetCompilation`) whenever the taps change.
 */
import { coreError } from '../errors.js'
import type { PortableHook } from './portable.js'

interface TapList {
  taps: { name: string }[]
  _resetCompilation?: () => void
}

/**
 * Removes every tap named `name` from a tapable hook and returns how many were removed. The hook gets a new
 * `taps` array, so a call already running finishes with the taps it started with; the next call is
 * rebuilt without them.
 */
export function removeTap(hook: PortableHook, name: string): number {
  const list = hook as unknown as TapList
  if (typeof list._resetCompilation !== 'function' || !Array.isArray(list.taps)) {
    throw coreError('INTERNAL_ERROR', {
      reason: 'removeTap() needs a tapable hook (taps and _resetCompilation)',
    })
  }
  const kept = list.taps.filter((tap) => tap.name !== name)
  const removed = list.taps.length - kept.length
  if (removed > 0) {
    list.taps = kept
    list._resetCompilation()
  }
  return removed
}

/** Removes exactly the given tap objects (as found in `hook.taps`) from a tapable hook; returns how many. */
export function removeTaps(hook: PortableHook, taps: ReadonlySet<unknown>): number {
  const list = hook as unknown as TapList
  const kept = list.taps.filter((tap) => !taps.has(tap))
  const removed = list.taps.length - kept.length
  if (removed > 0) {
    list.taps = kept
    list._resetCompilation?.()
  }
  return removed
}
