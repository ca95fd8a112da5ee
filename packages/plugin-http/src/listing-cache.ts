/**
 * The listing documents (`GET /intents`, `/components`, `/openapi.json`), built once per registry version and
 * caller visibility, with a weak ETag so a client that already has the document gets `304 Not Modified`.
 *
 * A listing's tag names what it was built from: the registry version (bumped on every `registry:changed`) and,
 * when a discovery filter (plugin-auth) decides what the caller sees, the identity of each visible
 * definition. Without a filter, a request neither lists nor serialises anything after the first one; with a
 * filter, it filters and hashes identities but serialises nothing it served before.
 */
import type { Engine } from '@ixp/core'

/** Documents kept per listing kind: visibility classes (anonymous, each role mix) are few. */
const MAX_DOCUMENTS = 32

export class ListingCache {
  #version = 0
  #nextId = 1
  #ids = new WeakMap<object, number>()
  readonly #documents = new Map<string, string>()

  constructor(engine: Engine) {
    engine.events.on('registry:changed', () => {
      this.#version++
      this.#documents.clear()
    })
  }

  /** The tag of a listing everyone sees alike (no discovery filter). */
  unfiltered(kind: string): string {
    return `W/"${kind}-${this.#version}"`
  }

  /** The tag of a filtered listing: the version and a hash of the visible objects' identities, in order. */
  filtered(kind: string, items: readonly object[], extra?: object): string {
    let hash = 0x811c9dc5
    for (let i = 0; i < items.length; i++) hash = Math.imul(hash ^ this.#idOf(items[i]!), 0x01000193)
    if (extra !== undefined) hash = Math.imul(hash ^ this.#idOf(extra), 0x01000193)
    return `W/"${kind}-${this.#version}-${items.length}-${(hash >>> 0).toString(36)}"`
  }

  /** The document of `tag`, built by `build` the first time. */
  document(tag: string, build: () => string): string {
    let document = this.#documents.get(tag)
    if (document === undefined) {
      document = build()
      if (this.#documents.size >= MAX_DOCUMENTS) {
        this.#documents.delete(this.#documents.keys().next().value as string)
      }
      this.#documents.set(tag, document)
    }
    return document
  }

  #idOf(item: object): number {
    let id = this.#ids.get(item)
    if (id === undefined) {
      id = this.#nextId++
      this.#ids.set(item, id)
    }
    return id
  }
}

/** Whether a request's `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = tag.slice(2)
  for (const candidate of ifNoneMatch.split(',')) {
    const trimmed = candidate.trim()
    if ((trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === opaque) return true
  }
  return false
}
