import type { JsonSchema } from '@ixp/core'
import type { TSchema } from 'typebox'

/**
 * A TypeBox schema as the JSON Schema an intent declares. TypeBox schemas are plain JSON Schema objects, but
 * their interfaces carry no index signature, so TypeScript wants the conversion spelled out.
 */
export function jsonSchema(schema: TSchema): JsonSchema {
  return schema as unknown as JsonSchema
}
