/**
 * Parameter validation: each intent's schema is compiled once at registration into a function that copies,
 * sanitizes and checks a parameters value. TypeBox compiles to fast code where code generation is allowed
 * and falls back to its interpreter on edge runtimes by itself.
 */
import Schema from 'typebox/schema'
import type { ValidationIssue } from '../errors.js'
import type { JsonSchema } from '../types.js'
import { pointerToPath } from './pointer.js'
import { ParameterSanitizer, shapeOf, type SanitizeOptions } from './sanitize.js'

export type ValidationOutcome =
  { ok: true; value: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] }

export type ParameterValidator = (value: unknown) => ValidationOutcome

interface SchemaError {
  keyword: string
  instancePath: string
  params?: Record<string, unknown>
  message: string
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** Turns TypeBox's errors into located issues; a missing property is reported at its own path. */
function toIssues(errors: readonly SchemaError[]): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  for (const error of errors) {
    const missing = error.keyword === 'required' ? error.params?.requiredProperties : undefined
    if (Array.isArray(missing)) {
      for (const property of missing as string[]) {
        const pointer = `${error.instancePath}/${property}`
        issues.push({ path: pointerToPath(pointer), pointer, keyword: 'required', message: 'Required' })
      }
      continue
    }
    const issue: ValidationIssue = {
      path: pointerToPath(error.instancePath),
      pointer: error.instancePath,
      keyword: error.keyword,
      message: error.message.charAt(0).toUpperCase() + error.message.slice(1),
    }
    if (error.params !== undefined) issue.params = error.params
    issues.push(issue)
  }
  return issues
}

/** Compiles an intent's parameter schema. Throws when the schema itself cannot be compiled. */
export function compileParameters(schema: JsonSchema, options: SanitizeOptions): ParameterValidator {
  const validator = Schema.Compile(schema as never)
  const sanitizer = new ParameterSanitizer(shapeOf(schema), options)
  return (value) => {
    if (value === undefined) {
      return { ok: false, issues: [{ path: [], pointer: '', keyword: 'required', message: 'Required' }] }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const received = describeType(value)
      return {
        ok: false,
        issues: [
          {
            path: [],
            pointer: '',
            keyword: 'type',
            message: `Expected object, received ${received}`,
            params: { type: 'object', received },
          },
        ],
      }
    }
    const copy = sanitizer.copy(value as Record<string, unknown>)
    const issues = sanitizer.issues
    if (issues) return { ok: false, issues }
    if (validator.Check(copy)) return { ok: true, value: copy }
    const [, errors] = validator.Errors(copy)
    return { ok: false, issues: toIssues(errors as unknown as SchemaError[]) }
  }
}
