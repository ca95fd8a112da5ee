/**
 * The engine's two registries (intents, components). The engine writes; everyone else reads through
 * {@link ReadonlyRegistry}, which lists, looks up, finds by criteria and summarises.
 */
import type { ComponentDefinition, IntentDefinition } from './types.js'

/** Exact-match criteria on definition fields, plus `tag` (one of `tags`) and `text` (in name or description). */
export interface FindCriteria {
  tag?: string
  text?: string
  [field: string]: unknown
}

export interface ReadonlyRegistry<T extends { name: string }, Stats> {
  /** How many definitions are registered. */
  readonly size: number
  get(name: string): T | undefined
  has(name: string): boolean
  /** Every definition, in registration order. */
  list(): T[]
  /** Definitions matching every given criterion, or the predicate. */
  find(criteria: FindCriteria | ((definition: T) => boolean)): T[]
  stats(): Stats
  [Symbol.iterator](): IterableIterator<T>
}

export interface IntentStats {
  total: number
  deprecated: number
  crawlable: number
  withHandler: number
  byComponent: Record<string, number>
  byTag: Record<string, number>
}

export interface ComponentStats {
  total: number
  server: number
  remote: number
  deprecated: number
  byFramework: Record<string, number>
}

function matches<T extends { name: string }>(definition: T, criteria: FindCriteria): boolean {
  const fields = definition as unknown as Record<string, unknown>
  for (const [key, expected] of Object.entries(criteria)) {
    if (expected === undefined) continue
    if (key === 'tag') {
      const tags = fields.tags
      if (!Array.isArray(tags) || !tags.includes(expected)) return false
    } else if (key === 'text') {
      const needle = String(expected).toLowerCase()
      const haystack = `${definition.name} ${typeof fields.description === 'string' ? fields.description : ''}`
      if (!haystack.toLowerCase().includes(needle)) return false
    } else if (key === 'deprecated' || key === 'crawlable') {
      if ((fields[key] === true) !== expected) return false
    } else if (fields[key] !== expected) {
      return false
    }
  }
  return true
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1
}

/** A name-keyed store of entries; `E` holds the definition plus what the engine precomputes for it. */
export class Registry<
  T extends { name: string },
  E extends { definition: T },
  Stats,
> implements ReadonlyRegistry<T, Stats> {
  readonly #entries = new Map<string, E>()
  readonly #summarise: (definitions: T[]) => Stats

  constructor(summarise: (definitions: T[]) => Stats) {
    this.#summarise = summarise
  }

  get size(): number {
    return this.#entries.size
  }

  /** The entry with its precomputed data (engine-internal). */
  entry(name: string): E | undefined {
    return this.#entries.get(name)
  }

  set(entry: E): void {
    this.#entries.set(entry.definition.name, entry)
  }

  delete(name: string, entry: E): boolean {
    // Only the entry that was registered may be removed by its unregister function, not a replacement.
    if (this.#entries.get(name) !== entry) return false
    return this.#entries.delete(name)
  }

  /** Every entry with its precomputed data (engine-internal). */
  entries(): E[] {
    return Array.from(this.#entries.values())
  }

  get(name: string): T | undefined {
    return this.#entries.get(name)?.definition
  }

  has(name: string): boolean {
    return this.#entries.has(name)
  }

  list(): T[] {
    return Array.from(this.#entries.values(), (entry) => entry.definition)
  }

  find(criteria: FindCriteria | ((definition: T) => boolean)): T[] {
    const predicate = typeof criteria === 'function' ? criteria : (d: T) => matches(d, criteria)
    return this.list().filter(predicate)
  }

  stats(): Stats {
    return this.#summarise(this.list())
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.list()[Symbol.iterator]()
  }
}

export function summariseIntents(intents: IntentDefinition[]): IntentStats {
  const stats: IntentStats = {
    total: 0,
    deprecated: 0,
    crawlable: 0,
    withHandler: 0,
    byComponent: {},
    byTag: {},
  }
  for (const intent of intents) {
    stats.total++
    if (intent.deprecated) stats.deprecated++
    if (intent.crawlable) stats.crawlable++
    if (intent.handler) stats.withHandler++
    count(stats.byComponent, intent.component)
    for (const tag of intent.tags ?? []) count(stats.byTag, tag)
  }
  return stats
}

export function summariseComponents(components: ComponentDefinition[]): ComponentStats {
  const stats: ComponentStats = { total: 0, server: 0, remote: 0, deprecated: 0, byFramework: {} }
  for (const component of components) {
    stats.total++
    if (typeof component.render === 'function') stats.server++
    else {
      stats.remote++
      count(stats.byFramework, String(component.framework ?? 'unknown'))
    }
    if (component.deprecated) stats.deprecated++
  }
  return stats
}
