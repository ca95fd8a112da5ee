/**
 * Copies a parameters value before schema validation: drops (or reports) properties the schema does not
 * declare, refuses prototype-polluting keys anywhere, and bounds the depth. The caller's object is never
 * mutated by the engine, and handlers see this copy whenever something was dropped. Runs on every render, so it allocates only the copy:
 * locations are tracked as a key stack and turned into paths only when there is a problem to report. A flat
 * value with nothing to drop is not copied at all (handlers must treat their parameters as read-only).
 */
import type { ValidationIssue } from '../errors.js'
import { isPlainObject } from '../tree/values.js'
import type { JsonSchema } from '../types.js'

/**
 * Whether a key can reach an object's prototype chain when copied naively (`__proto__`, `constructor`,
 * `prototype`). Comparisons rather than a set lookup: this runs for every key of every render's parameters.
 */
export function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype'
}

/** What the copy needs to know of a schema, precomputed once per intent. */
export interface Shape {
  /** Declared properties; `undefined` when the schema does not list them (anything is kept). */
  properties?: Map<string, Shape>
  /** Whether undeclared properties are handled by policy (the schema left `additionalProperties` unset). */
  closed: boolean
  /** Shape of array items. */
  items?: Shape
}

const OPEN: Shape = { closed: false }

/** Precomputes the {@link Shape} of a JSON Schema. */
export function shapeOf(schema: unknown): Shape {
  if (typeof schema !== 'object' || schema === null) return OPEN
  const s = schema as JsonSchema
  const shape: Shape = { closed: false }
  if (typeof s.properties === 'object' && s.properties !== null) {
    shape.properties = new Map(
      Object.entries(s.properties as Record<string, unknown>).map(([key, value]) => [key, shapeOf(value)]),
    )
    shape.closed = s.additionalProperties === undefined && s.patternProperties === undefined
  }
  if (typeof s.items === 'object' && s.items !== null && !Array.isArray(s.items))
    shape.items = shapeOf(s.items)
  return shape
}

export interface SanitizeOptions {
  /** `strip` drops undeclared properties; `reject` reports them. */
  additionalProperties: 'strip' | 'reject'
  /** Deepest nesting accepted. */
  maxDepth: number
}

/** `list.includes(key)` for a few names, without the call into the engine's general `includes`. */
function includes(list: readonly string[], key: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === key) return true
  return false
}

function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** One sanitizing pass; `issues` is created only when there is something to report. */
class Sanitizer {
  issues: ValidationIssue[] | undefined
  readonly #keys: (string | number)[] = []

  constructor(private readonly options: SanitizeOptions) {}

  /** Ready for a new value (a getter that threw may have left keys behind). */
  reset(): void {
    this.issues = undefined
    // Setting an array's length is a runtime call: only when a getter threw midway is there anything to cut.
    if (this.#keys.length !== 0) this.#keys.length = 0
  }

  /** Records a problem at the current location, or at its property `key` when given. */
  #report(keyword: string, message: string, params: Record<string, unknown>, key?: string): void {
    const keys = key === undefined ? this.#keys : [...this.#keys, key]
    ;(this.issues ??= []).push({
      path: [...keys],
      pointer: keys.map((segment) => `/${escapeSegment(segment)}`).join(''),
      keyword,
      message,
      params,
    })
  }

  copy(value: unknown, shape: Shape, depth: number): unknown {
    if (typeof value !== 'object' || value === null) return value
    if (depth >= this.options.maxDepth) {
      this.#report('maxDepth', `Nested deeper than ${this.options.maxDepth} levels`, {
        limit: this.options.maxDepth,
      })
      return undefined
    }
    const keys = this.#keys
    if (Array.isArray(value)) {
      const itemShape = shape.items ?? OPEN
      const copy = new Array<unknown>(value.length)
      for (let i = 0; i < value.length; i++) {
        keys.push(i)
        copy[i] = this.copy(value[i], itemShape, depth + 1)
        keys.pop()
      }
      return copy
    }
    // Class instances (dates, buffers handed in by programmatic callers) are kept as they are.
    if (!isPlainObject(value)) return value
    const copy: Record<string, unknown> = {}
    const { properties, closed } = shape
    for (const key of Object.keys(value)) {
      if (isForbiddenKey(key)) {
        this.#report('forbiddenKey', `Key '${key}' is not allowed`, { key }, key)
        continue
      }
      const declared = properties?.get(key)
      if (closed && declared === undefined) {
        if (this.options.additionalProperties === 'reject') {
          const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key
          this.#report('additionalProperties', `Unknown parameter '${shown}'`, { property: key }, key)
        }
        continue
      }
      const item = value[key]
      // Most parameters are strings and numbers: copied without a call or a key on the path stack.
      if (typeof item !== 'object' || item === null) copy[key] = item
      else {
        keys.push(key)
        copy[key] = this.copy(item, declared ?? OPEN, depth + 1)
        keys.pop()
      }
    }
    return copy
  }
}

/**
 * Sanitizes with one reusable pass object per validator (renders are synchronous here, so one is enough; a
 * nested call — a getter that validates — gets its own). `issues` is `undefined` when there are none.
 */
export class ParameterSanitizer {
  readonly #shape: Shape
  readonly #options: SanitizeOptions
  readonly #pass: Sanitizer
  /**
   * The declared keys of a closed schema with few of them, for the clean check: comparing a key with a handful
   * of names costs less than hashing it. `undefined`: use `properties` (open schema, or many properties).
   */
  readonly #few: readonly string[] | undefined
  #busy = false

  /** What was wrong with the value of the last {@link ParameterSanitizer.copy} (read it right after the call). */
  issues: ValidationIssue[] | undefined

  constructor(shape: Shape, options: SanitizeOptions) {
    this.#shape = shape
    this.#options = options
    this.#pass = new Sanitizer(options)
    const declared = shape.closed ? Array.from(shape.properties!.keys()) : []
    this.#few = declared.length > 0 && declared.length <= 8 ? declared : undefined
  }

  /**
   * The sanitized copy of `value`; its problems are in `issues`. A flat value with nothing to drop (the usual
   * `{ productId: 'p-1', quantity: 2 }`) is returned as it is: copying it would change nothing, and the copy
   * was a fifth of a small render.
   */
  copy(value: Record<string, unknown>): Record<string, unknown> {
    if (this.#alreadyClean(value)) {
      this.issues = undefined
      return value
    }
    const pass = this.#busy ? new Sanitizer(this.#options) : this.#pass
    const outer = !this.#busy
    this.#busy = true
    try {
      pass.reset()
      const copy = pass.copy(value, this.#shape, 0) as Record<string, unknown>
      this.issues = pass.issues
      return copy
    } finally {
      if (outer) this.#busy = false
    }
  }

  /**
   * Whether the copy would equal `value`: every key declared (or the schema keeps undeclared ones), none
   * forbidden, no value an object or array. Reads each key once and allocates nothing. Two checks the copy
   * makes are not needed here: a class instance is kept as it is by the copy too, and a key `for…in` inherits
   * from a polluted `Object.prototype` reads the same on `value` as on a copy (which has the same prototype).
   */
  #alreadyClean(value: Record<string, unknown>): boolean {
    if (this.#options.maxDepth < 1) return false
    const { properties, closed } = this.#shape
    const few = this.#few
    try {
      for (const key in value) {
        if (isForbiddenKey(key)) return false
        if (few !== undefined ? !includes(few, key) : closed && !properties!.has(key)) return false
        const item = value[key]
        if (typeof item === 'object' && item !== null) return false
      }
    } catch {
      // A proxy's trap threw: the copy reports what it can.
      return false
    }
    return true
  }
}
