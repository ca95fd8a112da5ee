/**
 * What a plugin left on an engine while its `apply` ran — the taps it added to watched hooks (the engine's and
 * extensions'), the definitions and health checks it registered — so that `engine.unuse(name)` removes exactly
 * those, even when two plugins use the same tap name.
 *
 * Attribution is by time: while a plugin's `apply` runs (until its promise settles), what is added to this
 * engine is that plugin's. Plugins are applied one at a time, so only application code racing an async
 * `apply` on the same engine could be counted in; what a plugin adds later (in a `ready` tap, per request)
 * is for its teardown to undo.
 */
import type { PortableHook } from '../hooks/portable.js'
import { removeTaps } from '../hooks/remove-tap.js'

type TapMethod = (this: PortableHook, options: unknown, fn: unknown) => void

/** Everything one plugin added during its `apply`. */
export class Footprint {
  readonly taps = new Map<PortableHook, Set<unknown>>()
  readonly undos: (() => void)[] = []

  /** Removes the recorded taps and runs the recorded undos (unregister functions), newest first. */
  erase(): void {
    for (const [hook, taps] of this.taps) removeTaps(hook, taps)
    this.taps.clear()
    for (const undo of this.undos.splice(0).reverse()) undo()
  }
}

export class FootprintRecorder {
  #current: Footprint | undefined
  readonly #watched = new WeakSet<object>()

  /** Wraps the tap methods of `hook` (once) so taps added while a plugin applies are recorded for it. */
  watch(hook: PortableHook): void {
    if (this.#watched.has(hook)) return
    this.#watched.add(hook)
    const methods = hook as unknown as Record<string, TapMethod>
    for (const method of ['tap', 'tapAsync', 'tapPromise']) {
      const original = methods[method]
      if (typeof original !== 'function') continue
      const recorder = this
      methods[method] = function (this: PortableHook, options, fn) {
        const footprint = recorder.#current
        if (footprint === undefined) return original.call(this, options, fn)
        const before = new Set(hook.taps)
        original.call(this, options, fn)
        const added = hook.taps.filter((tap) => !before.has(tap))
        const taps = footprint.taps.get(hook) ?? new Set()
        for (const tap of added) taps.add(tap)
        footprint.taps.set(hook, taps)
      }
    }
  }

  /** Records `undo` for the plugin applying now, if any; returns it unchanged. */
  own<T extends () => void>(undo: T): T {
    this.#current?.undos.push(undo)
    return undo
  }

  /** Records what is added into `footprint` from now until {@link stop} (a plugin's apply runs between). */
  start(footprint: Footprint): void {
    this.#current = footprint
  }

  stop(footprint: Footprint): void {
    if (this.#current === footprint) this.#current = undefined
  }
}
