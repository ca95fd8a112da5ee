/**
 * Parameters from text: for a resolved intent, fills the parameters the text states — enum values it
 * mentions, numbers, quoted strings, identifiers next to the parameter's name ("order 1234") — checks each
 * against its property schema, and names the required parameters still missing so a client can ask.
 */
import type { JsonSchema } from '@ixp/core'
import { checkValue as check } from './check.js'
import { kindOf, nameWords, type PropertyKind } from './schema.js'
import { NUMBER_WORDS } from '../text/number-words.js'

export interface ExtractedParameters {
  /** Values stated in the text, each valid against its property schema. */
  parameters: Record<string, unknown>
  /** Required parameters the text did not state (and that have no default). */
  missing: string[]
}

interface Span {
  start: number
  end: number
  value: string | number
  /** The text as typed (numbers keep their digits for string properties). */
  raw: string
  type: 'quoted' | 'number' | 'token' | 'enum'
}

interface Option {
  property: string
  order: number
  span: Span
  value: unknown
  score: number
}

/** Name words too generic to tie a value to a parameter on their own. */
const GENERIC = new Set(['id', 'number', 'num', 'no', 'code', 'value', 'name', 'text', 'the', 'a'])
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function quotedSpans(text: string): Span[] {
  const spans: Span[] = []
  const pattern = /"([^"\n]+)"|“([^”\n]+)”|‘([^’\n]+)’|(?<![\p{L}\p{N}])'([^'\n]+)'(?![\p{L}\p{N}])/gu
  for (const match of text.matchAll(pattern)) {
    const inner = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').trim()
    if (inner)
      spans.push({
        start: match.index!,
        end: match.index! + match[0].length,
        value: inner,
        raw: inner,
        type: 'quoted',
      })
  }
  return spans
}

function numberSpans(text: string, taken: (start: number, end: number) => boolean): Span[] {
  const spans: Span[] = []
  const digits = /(?<![\p{L}\p{N}.,])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\p{L}\p{N}])/gu
  for (const match of text.matchAll(digits)) {
    const start = match.index!
    const end = start + match[0].length
    if (taken(start, end)) continue
    spans.push({ start, end, value: Number(match[0].replace(/,/g, '')), raw: match[0], type: 'number' })
  }
  const words = /[\p{L}]+/gu
  for (const match of text.matchAll(words)) {
    const value = NUMBER_WORDS[match[0].toLowerCase()]
    if (value === undefined || taken(match.index!, match.index! + match[0].length)) continue
    spans.push({
      start: match.index!,
      end: match.index! + match[0].length,
      value,
      raw: match[0],
      type: 'number',
    })
  }
  return spans
}

/** Identifiers mixing letters and digits (`A-1234`, `ord99`), kept as typed. */
function tokenSpans(text: string, taken: (start: number, end: number) => boolean): Span[] {
  const spans: Span[] = []
  const pattern =
    /(?<![\p{L}\p{N}])(?=[\p{L}\p{N}-]*\p{N})(?=[\p{L}\p{N}-]*\p{L})[\p{L}\p{N}][\p{L}\p{N}-]*(?<!-)(?![\p{L}\p{N}])/gu
  for (const match of text.matchAll(pattern)) {
    if (taken(match.index!, match.index! + match[0].length)) continue
    spans.push({
      start: match.index!,
      end: match.index! + match[0].length,
      value: match[0],
      raw: match[0],
      type: 'token',
    })
  }
  return spans
}

function enumSpans(text: string, values: (string | number)[]): Span[] {
  const spans: Span[] = []
  for (const value of values) {
    const words = String(value)
      .split(/[\s_\-]+/)
      .filter(Boolean)
      .map(escapeRegExp)
    if (words.length === 0) continue
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[\\s_\\-]+')}(?![\\p{L}\\p{N}])`, 'giu')
    for (const match of text.matchAll(pattern))
      spans.push({
        start: match.index!,
        end: match.index! + match[0].length,
        value,
        raw: match[0],
        type: 'enum',
      })
  }
  return spans
}

/** How strongly the words around a span name the property (0 when they do not). */
function proximity(text: string, span: Span, words: string[]): number {
  const specific = words.filter((word) => !GENERIC.has(word))
  const wanted = specific.length > 0 ? specific : words
  const before = text
    .slice(Math.max(0, span.start - 40), span.start)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(-3)
  const after = text
    .slice(span.end, span.end + 30)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 2)
  let score = 0
  for (const word of wanted) {
    const stem = word.length > 4 ? word.slice(0, -1) : word
    const near = (candidate: string) =>
      candidate === word || (candidate.length > 3 && candidate.startsWith(stem))
    if (before.some(near)) score += 2
    else if (after.some(near)) score += 1
  }
  return score
}

export interface ExtractOptions {
  /** Parameters already filled (by slots): kept, and their text spans are not read again. */
  filled?: Record<string, unknown>
  /** Text spans already used (UTF-16 offsets). */
  taken?: readonly { start: number; end: number }[]
}

export function extractParameters(
  text: string,
  input: JsonSchema | object | undefined,
  given: ExtractOptions = {},
): ExtractedParameters {
  // A TypeBox schema is a JSON Schema object too.
  const schema = input as JsonSchema | undefined
  const parameters: Record<string, unknown> = { ...given.filled }
  const properties = (schema?.properties ?? {}) as Record<string, unknown>
  const required = Array.isArray(schema?.required)
    ? (schema!.required as unknown[]).filter((r): r is string => typeof r === 'string')
    : []
  const names = Object.keys(properties)
  if (names.length > 0 && typeof text === 'string' && text.length > 0) {
    const kinds = new Map<string, PropertyKind>(names.map((name) => [name, kindOf(properties[name])]))
    const quoted = quotedSpans(text)
    const inQuotes = (start: number, end: number) => quoted.some((q) => start < q.end && end > q.start)
    const numbers = numberSpans(text, inQuotes)
    const tokens = tokenSpans(text, inQuotes)
    const options: Option[] = []
    names.forEach((property, order) => {
      const kind = kinds.get(property)!
      const words = nameWords(property)
      const add = (span: Span, value: unknown, base: number) => {
        if (!check(properties[property], value)) return
        options.push({ property, order, span, value, score: base + proximity(text, span, words) })
      }
      if (kind.kind === 'enum') {
        for (const span of enumSpans(text, kind.values)) add(span, span.value, 10)
        for (const span of quoted) {
          const hit = kind.values.find(
            (value) => String(value).toLowerCase() === String(span.value).toLowerCase(),
          )
          if (hit !== undefined) add(span, hit, 11)
        }
      } else if (kind.kind === 'number') {
        for (const span of numbers)
          if (!kind.integer || Number.isInteger(span.value)) add(span, span.value, 1)
      } else if (kind.kind === 'string') {
        for (const span of quoted) add(span, span.value, 3)
        for (const span of [...numbers.filter((n) => /\d/.test(n.raw)), ...tokens]) {
          // A bare number or identifier is a string parameter's value only when the text names the parameter
          // next to it ("order 1234") or the schema's pattern accepts it.
          const matchesPattern = kind.pattern?.test(span.raw) ?? false
          if (matchesPattern || proximity(text, span, words) > 0) add(span, span.raw, matchesPattern ? 2 : 0)
        }
      }
    })
    // Best evidence first; a span and a property are used once.
    options.sort((a, b) => b.score - a.score || a.order - b.order || a.span.start - b.span.start)
    const used: { start: number; end: number }[] = [...(given.taken ?? [])]
    for (const option of options) {
      if (option.property in parameters) continue
      if (used.some((span) => option.span.start < span.end && option.span.end > span.start)) continue
      parameters[option.property] = option.value
      used.push(option.span)
    }
  }
  const missing = required.filter((name) => {
    if (name in parameters) return false
    const property = properties[name] as JsonSchema | undefined
    return !(property && 'default' in property)
  })
  return { parameters, missing }
}
