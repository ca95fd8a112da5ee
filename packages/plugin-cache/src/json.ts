/**
 * JSON for cache keys and cached values. Only plain JSON is accepted: a Date, a Map, a class instance, a
 * function, `NaN` or a cycle would come back different from the cache than it went in, so such values are
 * reported (with their path) and not cached.
 */

/** Why a value cannot be cached, located by a dotted path (`''` for the root). */
export interface Unserialisable {
  path: string
  reason: string
}

export type JsonOutcome = { ok: true; json: string } | { ok: false; problem: Unserialisable }

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`
}

function describe(value: unknown): string | undefined {
  switch (typeof value) {
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    case 'bigint':
      return 'a bigint'
    case 'number':
      return Number.isFinite(value) ? undefined : `the number ${value}`
    default:
      return undefined
  }
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function nameOf(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name ? `a ${name}` : 'an object with a custom prototype'
}

/** The first thing in `value` that plain JSON cannot carry, or `undefined` when it round-trips. */
export function findUnserialisable(
  value: unknown,
  path = '',
  seen = new Set<object>(),
): Unserialisable | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined
  const scalar = describe(value)
  if (scalar) return { path, reason: scalar }
  if (typeof value !== 'object') return value === undefined ? { path, reason: 'undefined' } : undefined
  if (seen.has(value)) return { path, reason: 'a circular reference' }
  seen.add(value)
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = findUnserialisable(value[i], join(path, i), seen)
        if (problem) return problem
      }
      return undefined
    }
    if (!isPlain(value)) return { path, reason: nameOf(value) }
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key]
      // An undefined property is dropped by JSON and reads back as undefined: nothing is lost.
      if (item === undefined) continue
      const problem = findUnserialisable(item, join(path, key), seen)
      if (problem) return problem
    }
    return undefined
  } finally {
    seen.delete(value)
  }
}

/** JSON of `value` in its own key order, or why it cannot be cached. */
export function serialise(value: unknown): JsonOutcome {
  const problem = findUnserialisable(value)
  if (problem) return { ok: false, problem }
  return { ok: true, json: JSON.stringify(value) }
}

function canonicalOf(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw { path, reason: `the number ${value}` } satisfies Unserialisable
      return JSON.stringify(value)
    case 'object':
      break
    default:
      throw { path, reason: describe(value) ?? String(typeof value) } satisfies Unserialisable
  }
  const object = value as object
  if (seen.has(object)) throw { path, reason: 'a circular reference' } satisfies Unserialisable
  seen.add(object)
  try {
    if (Array.isArray(object)) {
      const items: string[] = []
      for (let i = 0; i < object.length; i++) {
        const item: unknown = object[i]
        if (item === undefined) throw { path: join(path, i), reason: 'undefined' } satisfies Unserialisable
        items.push(canonicalOf(item, join(path, i), seen))
      }
      return `[${items.join(',')}]`
    }
    if (!isPlain(object)) throw { path, reason: nameOf(object) } satisfies Unserialisable
    const record = object as Record<string, unknown>
    const parts: string[] = []
    for (const key of Object.keys(record).sort()) {
      const item = record[key]
      if (item === undefined) continue
      parts.push(`${JSON.stringify(key)}:${canonicalOf(item, join(path, key), seen)}`)
    }
    return `{${parts.join(',')}}`
  } finally {
    seen.delete(object)
  }
}

/**
 * Canonical JSON: object keys sorted (so `{a,b}` and `{b,a}` are one key), arrays in order, undefined
 * properties dropped. Two values give the same string exactly when they are equal as JSON.
 */
export function canonicalJson(value: unknown): JsonOutcome {
  try {
    return { ok: true, json: canonicalOf(value, '', new Set()) }
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'reason' in error && 'path' in error) {
      return { ok: false, problem: error as Unserialisable }
    }
    throw error
  }
}
