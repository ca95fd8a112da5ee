/** What parameter extraction needs to know about a property's JSON Schema. */
import type { JsonSchema } from '@ixp/core'

export type PropertyKind =
  | { kind: 'enum'; values: (string | number)[] }
  | { kind: 'number'; integer: boolean }
  | { kind: 'string'; pattern: RegExp | undefined }
  | { kind: 'other' }

function typesOf(schema: JsonSchema): string[] {
  const type = schema.type
  return Array.isArray(type)
    ? type.filter((t): t is string => typeof t === 'string')
    : typeof type === 'string'
      ? [type]
      : []
}

function literal(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

export function kindOf(schema: unknown): PropertyKind {
  if (typeof schema !== 'object' || schema === null) return { kind: 'other' }
  const s = schema as JsonSchema
  if (Array.isArray(s.enum)) {
    const values = s.enum.filter(literal)
    if (values.length > 0) return { kind: 'enum', values }
  }
  if (literal(s.const)) return { kind: 'enum', values: [s.const] }
  // TypeBox unions of literals: { anyOf: [{ const: 'a' }, { const: 'b' }] }.
  const union = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as
    unknown[] | undefined
  if (union && union.length > 0 && union.every((member) => literal((member as JsonSchema | null)?.const)))
    return { kind: 'enum', values: union.map((member) => (member as { const: string | number }).const) }
  const types = typesOf(s)
  if (types.includes('integer')) return { kind: 'number', integer: true }
  if (types.includes('number')) return { kind: 'number', integer: false }
  if (types.includes('string')) {
    let pattern: RegExp | undefined
    if (typeof s.pattern === 'string') {
      try {
        pattern = new RegExp(s.pattern, 'u')
      } catch {
        pattern = undefined
      }
    }
    return { kind: 'string', pattern }
  }
  return { kind: 'other' }
}

/** The words of a property name: `orderId` → order, id; `delivery_speed` → delivery, speed. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}
