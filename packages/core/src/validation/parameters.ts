/**
 * Parameter validation: each intent's schema is compiled once at registration into a function that copies,
 * sanitizes and checks a parameters value. TypeBox compiles to fast code where code generation is allowed
 * and falls back to its interpreter on edge runtimes by itself.
 */
import Schema from 'typebox/schema'
import { validationError, type ValidationIssue } from '../errors.js'
import type { JsonSchema } from '../types.js'
import { pointerToPath } from './pointer.js'
import { ParameterSanitizer, shapeOf, type SanitizeOptions } from './sanitize.js'

export type ValidationOutcome =
  { ok: true; value: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] }

/** An intent's compiled parameter check. */
export interface ParameterValidator {
  (value: unknown): ValidationOutcome
  /**
   * The validated parameters, or throws `INVALID_REQUEST` with the issues: what a render calls (no outcome
   * object per call).
   */
  parse(value: unknown): Record<string, unknown>
}

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
  /** The parameters to use, or what is wrong with them (an array: parameters are never one). */
  const check = (value: unknown): Record<string, unknown> | ValidationIssue[] => {
    if (value === undefined) return [{ path: [], pointer: '', keyword: 'required', message: 'Required' }]
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const received = describeType(value)
      return [
        {
          path: [],
          pointer: '',
          keyword: 'type',
          message: `Expected object, received ${received}`,
          params: { type: 'object', received },
        },
      ]
    }
    const copy = sanitizer.copy(value as Record<string, unknown>)
    const issues = sanitizer.issues
    if (issues) return issues
    if (validator.Check(copy)) return copy
    const [, errors] = validator.Errors(copy)
    return toIssues(errors as unknown as SchemaError[])
  }
  const validate = ((value: unknown): ValidationOutcome => {
    const checked = check(value)
    return Array.isArray(checked) ? { ok: false, issues: checked } : { ok: true, value: checked }
  }) as ParameterValidator
  validate.parse = (value) => {
    const checked = check(value)
    if (Array.isArray(checked)) throw validationError(checked)
    return checked
  }
  return validate
}
