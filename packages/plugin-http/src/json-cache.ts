/**
 * Serialised definitions, reused across requests. The engine snapshots a definition at registration (its
 * validator is compiled then), so a registered object's JSON only changes when the registry changes — and
 * every registry change empties the cache.
 */
import type { Engine } from '@ixp/core'

export class JsonCache {
  #entries = new WeakMap<object, string>()

  constructor(engine: Engine) {
    engine.events.on('registry:changed', () => {
      this.#entries = new WeakMap()
    })
  }

  /** `JSON.stringify(value)`, computed once per object. */
  stringify(value: object): string {
    let json = this.#entries.get(value)
    if (json === undefined) {
      json = JSON.stringify(value)
      this.#entries.set(value, json)
    }
    return json
  }
}
