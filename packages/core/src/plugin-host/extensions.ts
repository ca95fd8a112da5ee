/**
 * Typed extensions: how a plugin offers hooks and APIs to other plugins (the design guide's inter-plugin
 * messaging, done with types instead of shared strings). A plugin defines a key once and exports it; any
 * plugin (or the application) asks an engine for it and gets that engine's instance, created on first use:
 *
 *   export const greetings = defineExtension('greetings', () => ({ greeting: new SyncWaterfallHook<[string]>(['text']) }))
 *   engine.extension(greetings).greeting.tap('shout', (text) => text.toUpperCase())
 */
import type { Engine } from '../engine.js'
import { coreError } from '../errors.js'

/** A typed key to a per-engine value, made by {@link defineExtension}. */
export interface Extension<T> {
  /** Names the extension in errors and listings (e.g. `@ixp/plugin-http.hooks`). */
  readonly name: string
  /** Builds the engine's instance; called once per engine, on the first `engine.extension(key)`. */
  readonly create: (engine: Engine) => T
}

/**
 * Defines an extension: `create(engine)` builds one engine's instance (typically an object of tapable hooks and
 * functions). Tapable hooks among the instance's own properties are made to run where code generation is
 * forbidden (as the engine's own hooks), and taps a plugin adds to them during its `apply` are removed by
 * `engine.unuse()`.
 */
export function defineExtension<T>(name: string, create: (engine: Engine) => T): Extension<T> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw coreError('INVALID_OPTIONS', {
      reason: 'defineExtension(name, create): name must be a non-empty string',
    })
  }
  if (typeof create !== 'function') {
    throw coreError('INVALID_OPTIONS', {
      reason: `defineExtension('${name}', create): create must be a function`,
    })
  }
  return Object.freeze({ name, create })
}

/** One engine's extension instances. */
export class Extensions {
  readonly #instances = new Map<Extension<unknown>, { value: unknown } | 'creating'>()
  readonly #prepare: (value: unknown) => void

  /** `prepare` sees each new instance once (the host makes its hooks portable and watched). */
  constructor(prepare: (value: unknown) => void) {
    this.#prepare = prepare
  }

  get<T>(engine: Engine, key: Extension<T>): T {
    const known = this.#instances.get(key as Extension<unknown>)
    if (known === 'creating') {
      throw coreError('PLUGIN_INVALID', {
        reason: `Extension '${key.name}' asked for itself while being created`,
      })
    }
    if (known !== undefined) return known.value as T
    if (typeof key !== 'object' || key === null || typeof key.create !== 'function') {
      throw coreError('PLUGIN_INVALID', {
        reason: 'engine.extension(key) needs a key made by defineExtension()',
      })
    }
    this.#instances.set(key as Extension<unknown>, 'creating')
    try {
      const value = key.create(engine)
      this.#prepare(value)
      this.#instances.set(key as Extension<unknown>, { value })
      return value
    } catch (error) {
      this.#instances.delete(key as Extension<unknown>)
      throw error
    }
  }
}
