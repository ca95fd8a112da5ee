import type { JsonSchema } from '../../types.js'
import { isPlainObject, setOwn } from '../values.js'

/** Keys an object schema may have and still be merged property by property. */
const mergeableKeys = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'title',
  'description',
])

/**
 * Merges two props schemas. Two plain object schemas (`type: 'object'` with only `properties`, `required`,
 * `additionalProperties`, `title`, `description`) merge into one: the union of their properties and of their
 * required names. `additionalProperties` is dropped, since each part accepts only its own properties while the
 * merge holds everyone's; titles and descriptions are dropped too. A property present in both merges the same
 * way when both sides are object schemas, stays as is when both are equal, and otherwise becomes
 * `{ allOf: [a, b] }` (a value must satisfy both parts). Any other pair of schemas becomes `allOf` as well.
 */
export function mergeSchemas(a: JsonSchema | undefined, b: JsonSchema | undefined): JsonSchema | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  if (isMergeableObject(a) && isMergeableObject(b)) return mergeObjects(a, b)
  if (deepEqual(a, b)) return a
  return { allOf: [...allOfMembers(a), ...allOfMembers(b)] }
}

function mergeObjects(a: JsonSchema, b: JsonSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {}
  for (const side of [a, b]) {
    const sideProperties = (side.properties ?? {}) as Record<string, JsonSchema>
    for (const key of Object.keys(sideProperties)) {
      const merged = Object.prototype.hasOwnProperty.call(properties, key)
        ? mergeSchemas(properties[key], sideProperties[key])
        : sideProperties[key]
      setOwn(properties, key, merged)
    }
  }
  const required = [...new Set([...requiredOf(a), ...requiredOf(b)])]
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties }
}

function isMergeableObject(schema: JsonSchema): boolean {
  return (
    schema.type === 'object' &&
    Object.keys(schema).every((key) => mergeableKeys.has(key)) &&
    (schema.properties === undefined || isPlainObject(schema.properties)) &&
    (schema.required === undefined || Array.isArray(schema.required))
  )
}

function requiredOf(schema: JsonSchema): string[] {
  return Array.isArray(schema.required)
    ? schema.required.filter((name): name is string => typeof name === 'string')
    : []
}

/** Flattens an `allOf` this function made (a schema whose only key is `allOf`) so merges stay one level deep. */
function allOfMembers(schema: JsonSchema): JsonSchema[] {
  const keys = Object.keys(schema)
  return keys.length === 1 && keys[0] === 'allOf' && Array.isArray(schema.allOf)
    ? (schema.allOf as JsonSchema[])
    : [schema]
}

/** Structural equality of JSON values (key order ignored); gives up as "different" past a sane depth. */
export function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true
  if (depth > 64 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const aKeys = Object.keys(a)
  const bKeys = Object.keys(b)
  if (aKeys.length !== bKeys.length) return false
  return aKeys.every(
    (key) =>
      Object.prototype.hasOwnProperty.call(b, key) &&
      deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], depth + 1),
  )
}
