import type { JsonSchema } from '../../types.js'
import { isPlainObject, setOwn } from '../values.js'
import type { CompiledMapping } from './prop-mapping.js'
import { mergeSchemas } from './merge-schemas.js'

/**
 * The schema of the composed props one part needs. Without a mapping the part receives every prop, so its
 * own schema applies as is. With a path mapping each mapped prop's schema is placed at its path
 * (`{ city: 'user.address.city' }` needs `user.address.city`), required along the whole path when the part
 * requires the prop. A function mapping, a part schema without `properties`, and paths through array indexes
 * (`'items.0'`) say nothing: `undefined`.
 */
export function partSchema(schema: JsonSchema | undefined, mapping: CompiledMapping): JsonSchema | undefined {
  if (schema === undefined || mapping.kind === 'function') return undefined
  if (mapping.kind === 'all') return schema
  const properties = schema.properties
  if (!isPlainObject(properties)) return undefined
  const required = new Set(Array.isArray(schema.required) ? schema.required : [])
  let merged: JsonSchema | undefined
  for (const [partProp, path] of mapping.entries) {
    // A numeric segment most likely indexes an array, which an object schema would misdescribe.
    if (!Object.prototype.hasOwnProperty.call(properties, partProp) || path.some(isIndex)) continue
    const propSchema = properties[partProp] as JsonSchema
    merged = mergeSchemas(merged, nestAtPath(path, propSchema, required.has(partProp)))
  }
  return merged
}

function nestAtPath(path: readonly string[], leaf: JsonSchema, required: boolean): JsonSchema {
  let schema = leaf
  for (let index = path.length - 1; index >= 0; index--) {
    const properties: Record<string, unknown> = {}
    setOwn(properties, path[index]!, schema)
    schema = required
      ? { type: 'object', properties, required: [path[index]] }
      : { type: 'object', properties }
  }
  return schema
}

function isIndex(segment: string): boolean {
  return /^(0|[1-9]\d*)$/.test(segment)
}
