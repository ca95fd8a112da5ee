/**
 * Copies a parameters value before schema validation: drops (or reports) properties the schema does not
 * declare, refuses prototype-polluting keys anywhere, and bounds the depth. The caller's object is never
 * mutated, and handlers only ever see this copy.
 */
import type { ValidationIssue } from '../errors.js'
import type { JsonSchema } from '../types.js'
import { childPointer, pointerToPath } from './pointer.js'

/** Keys that can reach an object's prototype chain when copied naively. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** Returns the sanitized copy; problems are pushed to `issues`. */
export function sanitize(
  value: unknown,
  shape: Shape,
  options: SanitizeOptions,
  issues: ValidationIssue[],
  pointer = '',
  depth = 0,
): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (depth >= options.maxDepth) {
    issues.push({
      path: pointerToPath(pointer),
      pointer,
      keyword: 'maxDepth',
      message: `Nested deeper than ${options.maxDepth} levels`,
      params: { limit: options.maxDepth },
    })
    return undefined
  }
  if (Array.isArray(value)) {
    const itemShape = shape.items ?? OPEN
    const copy = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      copy[i] = sanitize(value[i], itemShape, options, issues, childPointer(pointer, i), depth + 1)
    }
    return copy
  }
  // Class instances (dates, buffers handed in by programmatic callers) are kept as they are.
  if (!isPlainObject(value)) return value
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const keyPointer = childPointer(pointer, key)
    if (FORBIDDEN_KEYS.has(key)) {
      issues.push({
        path: pointerToPath(keyPointer),
        pointer: keyPointer,
        keyword: 'forbiddenKey',
        message: `Key '${key}' is not allowed`,
        params: { key },
      })
      continue
    }
    const declared = shape.properties?.get(key)
    if (shape.closed && declared === undefined) {
      if (options.additionalProperties === 'reject') {
        issues.push({
          path: pointerToPath(keyPointer),
          pointer: keyPointer,
          keyword: 'additionalProperties',
          message: `Unknown parameter '${key.length > 64 ? `${key.slice(0, 64)}…` : key}'`,
          params: { property: key },
        })
      }
      continue
    }
    copy[key] = sanitize(value[key], declared ?? OPEN, options, issues, keyPointer, depth + 1)
  }
  return copy
}
