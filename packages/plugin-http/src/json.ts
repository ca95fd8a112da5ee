/**
 * Safe JSON bodies: a linear pre-scan bounds the nesting before `JSON.parse` runs (no parser recursion is ever
 * reached on a hostile body), the top level must be an object, and `__proto__` / `constructor` / `prototype`
 * keys are refused anywhere. Every check is iterative: 100 000 levels of nesting cost a scan, not a stack.
 */
import { coreError, isForbiddenKey, isObject, type IxpError } from '@ixp/core'

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

function tooDeep(maxDepth: number): IxpError {
  return coreError(
    'INVALID_REQUEST',
    { reason: `The JSON body is nested deeper than ${maxDepth} levels` },
    { details: { maxDepth } },
  )
}

/** Whether `text` holds at most `limit` of `{` and `[` together (found with indexOf, which is fast). */
function fewBrackets(text: string, limit: number): boolean {
  let count = 0
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1))
    if (++count > limit) return false
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1))
    if (++count > limit) return false
  return true
}

/** Throws when arrays and objects in `text` nest deeper than `maxDepth` (strings are skipped correctly). */
export function assertJsonDepth(text: string, maxDepth: number): void {
  // Nesting deeper than maxDepth needs more than maxDepth brackets: most bodies are cleared by counting them.
  if (text.length <= maxDepth || fewBrackets(text, maxDepth)) return
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) throw tooDeep(maxDepth)
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
}

/** A JSON object: not `null`, not an array. */
/** Core's one object check, under the name this package's routes use. */
export const isPlainObject = isObject

interface Frame {
  value: object
  depth: number
  key: string | number | undefined
  parent: Frame | undefined
}

function pathOf(frame: Frame): string {
  const parts: (string | number)[] = []
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) parts.push(at.key)
  const path = parts.reverse().join('.')
  return path.length > 120 ? `${path.slice(0, 120)}…` : path
}

/**
 * Walks a parsed value without recursion: refuses forbidden keys and nesting deeper than `maxDepth`.
 * Used on every body parsed here and on bodies a framework parsed before us (`express.json()`).
 */
export function assertSafeValue(root: unknown, maxDepth: number): void {
  if (typeof root !== 'object' || root === null) return
  const stack: Frame[] = [{ value: root, depth: 1, key: undefined, parent: undefined }]
  while (stack.length > 0) {
    const frame = stack.pop()!
    const { value, depth } = frame
    if (depth > maxDepth) throw tooDeep(maxDepth)
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i]
        if (typeof item === 'object' && item !== null)
          stack.push({ value: item, depth: depth + 1, key: i, parent: frame })
      }
      continue
    }
    for (const key of Object.keys(value)) {
      if (isForbiddenKey(key)) {
        throw coreError(
          'INVALID_REQUEST',
          { reason: `The key '${key}' is not allowed in a request body` },
          { details: { key, path: pathOf(frame) } },
        )
      }
      const item: unknown = (value as Record<string, unknown>)[key]
      if (typeof item === 'object' && item !== null)
        stack.push({ value: item, depth: depth + 1, key, parent: frame })
    }
  }
}

/**
 * Could the raw text spell a forbidden key (directly, or through `\u` escapes)? Substring searches, which are
 * faster than one regular expression with four alternatives.
 */
function mayHoldForbiddenKey(text: string): boolean {
  return (
    text.includes('__proto__') ||
    text.includes('constructor') ||
    text.includes('prototype') ||
    text.includes('\\u')
  )
}

/**
 * Parses a request body that must be a JSON object. Throws `INVALID_REQUEST` (400) for an empty body,
 * malformed JSON, a top level other than an object, excessive nesting or a forbidden key.
 */
export function parseJsonObject(text: string, maxDepth: number): Record<string, unknown> {
  assertJsonDepth(text, maxDepth)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    if (text.trim() === '')
      throw coreError('INVALID_REQUEST', { reason: 'The request body is empty; send a JSON object' })
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'invalid JSON'
    throw coreError('INVALID_REQUEST', { reason: `The request body is not valid JSON: ${reason}` })
  }
  const parsed = requireObject(value)
  if (mayHoldForbiddenKey(text)) assertSafeValue(parsed, maxDepth)
  return parsed
}

/** The body's top level must be a JSON object (not an array, string, number, boolean or null). */
export function requireObject(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
    throw coreError('INVALID_REQUEST', { reason: `The request body must be a JSON object, not ${kind}` })
  }
  return value
}
