/**
 * Checks intent and component definitions at registration, reporting every problem with the path of the
 * offending field (`@ixp/core/reference-files` applies the same checks to the IXP reference's files).
 */
import { isObject } from './objects.js'
import { IxpError } from './errors.js'
import { intentKindIssues } from './invalidation.js'
import type { ComponentDefinition, RemoteComponentDefinition, SecurityPolicy } from './types.js'

/** One problem with a definition: the dotted path of the field and what is wrong with it. */
export interface DefinitionIssue {
  path: string
  message: string
}

export interface DefinitionRules {
  /** Longest accepted intent name. */
  maxNameLength: number
  /** Require every field the IXP reference requires in its files (`version`, `framework`, …). */
  reference: boolean
}

type Fields = Record<string, unknown>

const FRAMEWORKS = ['react', 'vue', 'vanilla']
const PROP_TYPES = ['string', 'number', 'boolean', 'object', 'array']
const CSP_DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'style-src',
  'img-src',
  'connect-src',
  'font-src',
  'object-src',
  'media-src',
  'frame-src',
  'worker-src',
  'manifest-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
])
const SIZE_PATTERN = /^\d+(\.\d+)?(KB|MB)$/
const TIME_PATTERN = /^\d+(\.\d+)?(ms|s)$/
// Control characters in a name would corrupt logs and headers that echo it.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

/** The rules `registerIntent` / `registerComponent` apply by default. */
const REFERENCE_RULES_LENIENT: DefinitionRules = { maxNameLength: 256, reference: false }

/** The default security policy of a remote component that declares none (as the IXP reference fills it). */
export const DEFAULT_SECURITY_POLICY: Readonly<SecurityPolicy> = Object.freeze({
  allowEval: false,
  sandboxed: true,
  maxBundleSize: '200KB',
})

/** A non-null, non-array object (what a definition, a request or options must be). */
export const isRecord: (value: unknown) => value is Fields = isObject

/** Collects issues for one definition with small typed checks. */
class Checker {
  readonly issues: DefinitionIssue[] = []
  constructor(
    private readonly fields: Fields,
    private readonly prefix: string,
  ) {}

  at(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key
  }

  fail(key: string, message: string): void {
    this.issues.push({ path: this.at(key), message })
  }

  nonEmptyString(key: string, required: boolean): void {
    const value = this.fields[key]
    if (value === undefined && !required) return
    if (typeof value !== 'string' || value.trim() === '') this.fail(key, 'must be a non-empty string')
  }

  optional(key: string, type: 'boolean' | 'string' | 'function' | 'object'): void {
    const value = this.fields[key]
    if (value === undefined) return
    const ok = type === 'object' ? isRecord(value) : typeof value === type
    if (!ok) this.fail(key, `must be ${type === 'object' ? 'an object' : `a ${type}`}`)
  }

  stringArray(key: string, required: boolean): void {
    const value = this.fields[key]
    if (value === undefined && !required) return
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      this.fail(key, 'must be an array of strings')
    }
  }

  /** Examples: strings, or `{ text, entities: [{ start, end, entity }] }` with spans inside the text. */
  examples(key: string): void {
    const value = this.fields[key]
    if (value === undefined) return
    if (!Array.isArray(value))
      return this.fail(key, 'must be an array of strings or { text, entities } objects')
    value.forEach((example: unknown, i) => {
      if (typeof example === 'string') return
      const at = `${key}.${i}`
      if (!isRecord(example) || typeof example.text !== 'string')
        return this.fail(at, "must be a string or an object with a string 'text'")
      const { text, entities } = example
      if (entities === undefined) return
      if (!Array.isArray(entities)) return this.fail(`${at}.entities`, 'must be an array')
      entities.forEach((entity: unknown, j) => {
        const where = `${at}.entities.${j}`
        if (!isRecord(entity)) return this.fail(where, 'must be an object { start, end, entity }')
        if (typeof entity.entity !== 'string' || entity.entity.trim() === '')
          this.fail(`${where}.entity`, 'must be a non-empty string')
        const { start, end } = entity
        if (!Number.isInteger(start) || (start as number) < 0)
          return this.fail(`${where}.start`, 'must be an integer ≥ 0')
        if (!Number.isInteger(end) || (end as number) <= (start as number) || (end as number) > text.length)
          this.fail(
            `${where}.end`,
            `must be an integer after start and at most the text's length (${text.length})`,
          )
      })
    })
  }

  objectSchema(key: string, required: boolean): void {
    const value = this.fields[key]
    if (value === undefined && !required) return
    if (!isRecord(value)) return this.fail(key, 'must be a JSON Schema object')
    if (value.type !== 'object') this.fail(`${key}.type`, "must be 'object'")
  }
}

function checkName(check: Checker, fields: Fields, rules: DefinitionRules): void {
  check.nonEmptyString('name', true)
  const name = fields.name
  if (typeof name !== 'string') return
  if (name.length > rules.maxNameLength)
    check.fail('name', `must be at most ${rules.maxNameLength} characters`)
  if (CONTROL_CHARACTERS.test(name)) check.fail('name', 'must not contain control characters')
}

/** Every problem with an intent definition; an empty list means it is valid. */
export function checkIntent(
  definition: unknown,
  rules: DefinitionRules = REFERENCE_RULES_LENIENT,
  prefix = '',
): DefinitionIssue[] {
  if (!isRecord(definition)) return [{ path: prefix, message: 'must be an object' }]
  const check = new Checker(definition, prefix)
  checkName(check, definition, rules)
  check.nonEmptyString('description', true)
  check.nonEmptyString('component', true)
  check.objectSchema('parameters', true)
  check.nonEmptyString('version', rules.reference)
  check.optional('deprecated', 'boolean')
  check.optional('crawlable', 'boolean')
  check.optional('handler', 'function')
  check.optional('metadata', 'object')
  check.examples('examples')
  check.stringArray('tags', false)
  const ttl = definition.ttl
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)) {
    check.fail('ttl', 'must be a non-negative number of seconds')
  }
  check.issues.push(...intentKindIssues(definition, (key) => check.at(key)))
  return check.issues
}

function checkSecurityPolicy(check: Checker, policy: unknown): void {
  if (policy === undefined) return
  if (!isRecord(policy)) return check.fail('securityPolicy', 'must be an object')
  for (const key of ['allowEval', 'sandboxed'] as const) {
    if (policy[key] !== undefined && typeof policy[key] !== 'boolean') {
      check.fail(`securityPolicy.${key}`, 'must be a boolean')
    }
  }
  if (policy.maxBundleSize !== undefined && typeof policy.maxBundleSize !== 'string') {
    check.fail('securityPolicy.maxBundleSize', 'must be a string')
  }
  if (policy.csp === undefined) return
  if (!isRecord(policy.csp)) return check.fail('securityPolicy.csp', 'must be an object')
  for (const [directive, sources] of Object.entries(policy.csp)) {
    const path = `securityPolicy.csp.${directive}`
    if (!CSP_DIRECTIVES.has(directive)) check.fail(path, 'is not a known CSP directive')
    if (!Array.isArray(sources) || sources.some((source) => typeof source !== 'string')) {
      check.fail(path, 'must be an array of strings')
    } else if (directive === 'script-src' && sources.includes("'unsafe-eval'")) {
      check.fail(path, "must not allow 'unsafe-eval'")
    }
  }
}

function checkRemote(check: Checker, fields: Fields, rules: DefinitionRules): void {
  const remoteUrl = fields.remoteUrl
  if (typeof remoteUrl !== 'string' || remoteUrl === '') {
    check.fail(
      'remoteUrl',
      'must be a URL string (remote components need one, server components a render function)',
    )
  } else {
    try {
      new URL(remoteUrl, 'http://localhost')
    } catch {
      check.fail('remoteUrl', 'must be a valid URL')
    }
  }
  check.nonEmptyString('exportName', true)
  check.nonEmptyString('version', rules.reference)
  const framework = fields.framework
  if (framework !== undefined || rules.reference) {
    if (typeof framework !== 'string' || !FRAMEWORKS.includes(framework)) {
      check.fail('framework', `must be one of ${FRAMEWORKS.join(', ')}`)
    }
  }
  check.objectSchema('propsSchema', rules.reference)
  const properties = isRecord(fields.propsSchema) ? fields.propsSchema.properties : undefined
  if (isRecord(properties)) {
    for (const [key, schema] of Object.entries(properties)) {
      const type = isRecord(schema) ? schema.type : undefined
      if (typeof type !== 'string' || !PROP_TYPES.includes(type)) {
        check.fail(`propsSchema.properties.${key}.type`, `must be one of ${PROP_TYPES.join(', ')}`)
      }
    }
  }
  check.stringArray('allowedOrigins', rules.reference)
  const performance = fields.performance
  if (performance !== undefined) {
    if (!isRecord(performance)) {
      check.fail('performance', 'must be an object')
    } else {
      const { bundleSizeGzipped, tti } = performance
      if (
        bundleSizeGzipped !== undefined &&
        (typeof bundleSizeGzipped !== 'string' || !SIZE_PATTERN.test(bundleSizeGzipped))
      ) {
        check.fail('performance.bundleSizeGzipped', 'must match ^\\d+(\\.\\d+)?(KB|MB)$')
      }
      if (tti !== undefined && (typeof tti !== 'string' || !TIME_PATTERN.test(tti))) {
        check.fail('performance.tti', 'must match ^\\d+(\\.\\d+)?(ms|s)$')
      }
    }
  }
  checkSecurityPolicy(check, fields.securityPolicy)
}

/** Every problem with a component definition; an empty list means it is valid. */
export function checkComponent(
  definition: unknown,
  rules: DefinitionRules = REFERENCE_RULES_LENIENT,
  prefix = '',
): DefinitionIssue[] {
  if (!isRecord(definition)) return [{ path: prefix, message: 'must be an object' }]
  const check = new Checker(definition, prefix)
  checkName(check, definition, rules)
  check.optional('description', 'string')
  check.optional('deprecated', 'boolean')
  check.stringArray('allowedOrigins', false)
  if (definition.render !== undefined) {
    check.optional('render', 'function')
    check.optional('props', 'object')
    check.optional('version', 'string')
  } else {
    checkRemote(check, definition, rules)
  }
  return check.issues
}

/** Throws the `INVALID_DEFINITION` error for a list of issues. */
export function definitionError(
  kind: 'intent' | 'component' | 'intents file' | 'components file',
  issues: DefinitionIssue[],
): IxpError {
  const listed = issues
    .slice(0, 5)
    .map((issue) => `${issue.path || '(root)'} ${issue.message}`)
    .join('; ')
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
  return new IxpError('INVALID_DEFINITION', `Invalid ${kind}: ${listed}${more}`, { details: { issues } })
}

/** Fills what a remote component leaves out the way the IXP reference does. */
export function withComponentDefaults(definition: ComponentDefinition): ComponentDefinition {
  if (typeof definition.render === 'function' || definition.securityPolicy !== undefined) return definition
  return { ...(definition as RemoteComponentDefinition), securityPolicy: { ...DEFAULT_SECURITY_POLICY } }
}
