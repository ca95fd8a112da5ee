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

/** An object made by `{}` or `Object.create(null)`: what JSON parses to and canonical JSON accepts. */
export function isPlain(value: object): boolean {
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

/** Deepest nesting canonical JSON accepts; also what stops a circular structure. */
export const MAX_CANONICAL_DEPTH = 100

/** Thrown while walking; collects the path on the way out (only on failure, so the walk stays cheap). */
class Problem {
  readonly segments: (string | number)[] = []
  constructor(readonly reason: string) {}
}

/**
 * Sorts keys in place by code unit, as `Array.prototype.sort()` does for strings. An insertion sort: objects
 * of parameters have a handful of keys, often already in order (schema order), and for those it costs a few
 * comparisons where the built-in sort costs more than the rest of the key.
 */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    if (keys[j]! <= key) continue
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!
      j--
    }
    keys[j + 1] = key
  }
}

/**
 * A string JSON writes with no escape between its quotes: no quote, backslash, control character or
 * surrogate (pairs are written as they are and lone ones escaped; both take the slow path here).
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** `JSON.stringify(text)`, without its cost for the usual string that needs no escape. */
function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"'
}

function canonicalOf(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quoted(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new Problem(`the number ${value}`)
      // A finite number's JSON is its String() (both write -0 as 0).
      return String(value)
    case 'object':
      if (value === null) return 'null'
      break
    default:
      throw new Problem(describe(value) ?? String(typeof value))
  }
  if (depth > MAX_CANONICAL_DEPTH) {
    throw new Problem(`a circular reference or nesting deeper than ${MAX_CANONICAL_DEPTH} levels`)
  }
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      try {
        if (item === undefined) throw new Problem('undefined')
        out += (i === 0 ? '' : ',') + canonicalOf(item, depth + 1)
      } catch (error) {
        if (error instanceof Problem) error.segments.push(i)
        throw error
      }
    }
    return `${out}]`
  }
  if (!isPlain(value as object)) throw new Problem(nameOf(value as object))
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  sortKeys(keys)
  let out = '{'
  let first = true
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const item = record[key]
    if (item === undefined) continue
    try {
      out += (first ? '' : ',') + quoted(key) + ':' + canonicalOf(item, depth + 1)
    } catch (error) {
      if (error instanceof Problem) error.segments.push(key)
      throw error
    }
    first = false
  }
  return `${out}}`
}

/**
 * Canonical JSON: object keys sorted (so `{a,b}` and `{b,a}` are one key), arrays in order, undefined
 * properties dropped. Two values give the same string exactly when they are equal as JSON.
 */
export function canonicalJson(value: unknown): JsonOutcome {
  try {
    return { ok: true, json: canonicalOf(value, 0) }
  } catch (error) {
    if (!(error instanceof Problem)) throw error
    const segments = error.segments.reverse()
    const path = segments.length > 10 ? `${segments.slice(0, 10).join('.')}.…` : segments.join('.')
    return { ok: false, problem: { path, reason: error.reason } }
  }
}

/**
 * The key material of a render: a one-letter kind, then the canonical JSON of its parts, each part after the
 * first introduced by `|` and a letter. Each canonical JSON is a complete JSON value, so the concatenation
 * still names exactly one list of parts. Missing parts are left out.
 */
export function keyMaterial(kind: 'p' | 'k', main: unknown, vary: unknown, options?: unknown): JsonOutcome {
  let json = canonicalJson(main)
  if (!json.ok) return json
  let material = `${kind}${json.json}`
  if (options !== undefined) {
    json = canonicalJson(options)
    if (!json.ok)
      return { ok: false, problem: Object.assign({}, json.problem, { path: `options.${json.problem.path}` }) }
    material += `|o${json.json}`
  }
  if (vary !== undefined) {
    json = canonicalJson(vary)
    if (!json.ok)
      return { ok: false, problem: Object.assign({}, json.problem, { path: `varyBy.${json.problem.path}` }) }
    material += `|v${json.json}`
  }
  return { ok: true, json: material }
}

/**
 * A deep copy of a value that came from `JSON.parse` (plain objects, arrays, scalars): several times cheaper
 * than parsing the JSON again, which is what a cache hit would otherwise do to hand out its own copy.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = cloneJson(value[i])
    return copy as T
  }
  const source = value as Record<string, unknown>
  const copy: Record<string, unknown> = {}
  // for-in with the own-property check V8 folds away (the enum cache), not Object.keys: no key array per
  // object, about a third less per clone. The check keeps enumerable properties of a prototype out.
  for (const key in source) {
    if (!Object.prototype.hasOwnProperty.call(source, key)) continue
    const item = source[key]
    const cloned = typeof item !== 'object' || item === null ? item : cloneJson(item)
    // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype instead.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: cloned,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else copy[key] = cloned
  }
  return copy as T
}
