/**
 * Checks intent and component definitions at registration, reporting every problem with the path of the
 * offending field (`@ixp/core/reference-files` applies the same checks to the IXP reference's files). Remote
 * components (no render function) are checked by what `@ixp/core/remote` installs; until it is imported they
 * are refused, never registered unchecked.
 */
import { isObject } from './objects.js'
import { coreError, type IxpError } from './errors.js'
import { INTENT_KINDS, tagProblem } from './invalidation.js'
import type { ComponentDefinition, RemoteComponentDefinition } from './types.js'

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

export type Fields = Record<string, unknown>

// Control characters in a name would corrupt logs and headers that echo it.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

/** The checks and defaults of remote components, installed by `@ixp/core/remote`. */
export interface RemoteChecks {
  check(check: Checker, fields: Fields, rules: DefinitionRules): void
  withDefaults(definition: RemoteComponentDefinition): ComponentDefinition
}

let remote: RemoteChecks | undefined

/** Installs the remote-component checks (the first installed stays). */
export function installRemoteChecks(checks: RemoteChecks): void {
  remote ??= checks
}

/** The rules `registerIntent` / `registerComponent` apply by default. */
const REFERENCE_RULES_LENIENT: DefinitionRules = { maxNameLength: 256, reference: false }

/** A non-null, non-array object (what a definition, a request or options must be). */
export const isRecord: (value: unknown) => value is Fields = isObject

/** Collects issues for one definition with small typed checks. */
export class Checker {
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

  /** A tag field (`cacheTags`, `invalidates`): tags, or a function computing them per render. */
  tags(key: string): void {
    const value = this.fields[key]
    if (value === undefined || typeof value === 'function') return
    if (!Array.isArray(value)) {
      return this.fail(key, 'must be an array of tags or a function (params, data, ctx) => tags')
    }
    value.forEach((tag: unknown, index) => {
      const problem = tagProblem(tag)
      if (problem) this.fail(`${key}.${index}`, problem)
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
  const kind = definition.kind
  if (kind !== undefined && !INTENT_KINDS.includes(kind as never)) {
    check.fail('kind', "must be 'query' or 'command'")
  }
  check.tags('cacheTags')
  check.tags('invalidates')
  if (definition.invalidates !== undefined && kind !== 'command') {
    check.fail('invalidates', "is only applied by commands: add kind: 'command'")
  }
  check.optional('retrySafe', 'boolean')
  return check.issues
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
    if (remote) remote.check(check, definition, rules)
    else check.fail('render', "must be a function; for a remote component, import '@ixp/core/remote' first")
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
  return coreError(
    'INVALID_DEFINITION',
    { reason: `Invalid ${kind}: ${listed}${more}` },
    { details: { issues } },
  )
}

/** Fills what a remote component leaves out the way the IXP reference does. */
export function withComponentDefaults(definition: ComponentDefinition): ComponentDefinition {
  return typeof definition.render === 'function' || !remote
    ? definition
    : remote.withDefaults(definition as RemoteComponentDefinition)
}
