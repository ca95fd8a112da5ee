/** How an app declares its own entities, and checks of that declaration. */
import { semanticError } from '../errors.js'
import type { LookupEntry } from './lookup.js'
import { isSystemEntity, SYSTEM_ENTITIES } from './system.js'

/** An entity of the app: known values (with synonyms) and/or a pattern. */
export interface EntityDefinition {
  /** Known values: `'Seattle'` or `{ value: 'New York', synonyms: ['NYC', 'the big apple'] }`. */
  lookup?: LookupEntry[]
  /** A regular expression every value matches (`/TE-\d{3}/`, or its source). Flags other than `i`, `u` are ignored. */
  pattern?: string | RegExp
}

export function checkEntityDefinitions(entities: unknown): void {
  if (entities === undefined) return
  if (typeof entities !== 'object' || entities === null || Array.isArray(entities))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `'entities' must be an object { name: { lookup?, pattern? } }`,
    })
  for (const [name, definition] of Object.entries(entities as Record<string, unknown>)) {
    const where = `'entities.${name}'`
    if (isSystemEntity(name))
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `${where}: '${name}' is a system entity (${SYSTEM_ENTITIES.join(', ')}); choose another name`,
      })
    if (typeof definition !== 'object' || definition === null)
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `${where} must be an object { lookup?, pattern? }`,
      })
    const { lookup, pattern } = definition as EntityDefinition
    if (lookup === undefined && pattern === undefined)
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `${where} needs a 'lookup' list or a 'pattern'`,
      })
    if (
      lookup !== undefined &&
      (!Array.isArray(lookup) ||
        !lookup.every(
          (entry) =>
            typeof entry === 'string' ||
            (typeof entry === 'object' &&
              entry !== null &&
              typeof entry.value === 'string' &&
              (entry.synonyms === undefined ||
                (Array.isArray(entry.synonyms) && entry.synonyms.every((s) => typeof s === 'string')))),
        ))
    )
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `${where}.lookup must be an array of strings or { value, synonyms: string[] } objects`,
      })
    if (pattern !== undefined) {
      if (typeof pattern === 'string') {
        try {
          new RegExp(pattern, 'u')
        } catch (error) {
          throw semanticError('SEMANTIC_INVALID_OPTIONS', {
            problem: `${where}.pattern is not a valid regular expression: ${(error as Error).message}`,
          })
        }
      } else if (!(pattern instanceof RegExp))
        throw semanticError('SEMANTIC_INVALID_OPTIONS', {
          problem: `${where}.pattern must be a RegExp or its source string`,
        })
    }
  }
}

/** A global, sticky-free copy of an entity pattern, for `matchAll`. */
export function globalPattern(pattern: string | RegExp): RegExp {
  if (typeof pattern === 'string') return new RegExp(pattern, 'gu')
  const flags = [
    'g',
    ...(pattern.flags.includes('i') ? ['i'] : []),
    ...(pattern.flags.includes('u') ? ['u'] : []),
  ]
  return new RegExp(pattern.source, flags.join(''))
}
