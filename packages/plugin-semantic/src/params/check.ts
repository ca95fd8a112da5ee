/** Checks a value against a JSON Schema (TypeBox's compiler, one compiled validator per schema object). */
import Schema from 'typebox/schema'

const validators = new WeakMap<object, (value: unknown) => boolean>()

export function checkValue(schema: unknown, value: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return true
  let validate = validators.get(schema)
  if (!validate) {
    try {
      const compiled = Schema.Compile(schema as never)
      validate = (candidate) => compiled.Check(candidate)
    } catch {
      validate = () => false
    }
    validators.set(schema, validate)
  }
  return validate(value)
}
