/**
 * Annotated examples: Rasa-style markup in a string (`play [Daft Punk](artist)`, `[NYC](city:New York)` for a
 * synonym) or `{ text, entities: [{ start, end, entity }] }` objects. Both become plain text plus entity spans;
 * a malformed annotation is reported with the example's path so the definition can be fixed.
 */
import type { IntentDefinition, IntentExample } from '@ixp/core'

export interface EntitySpan {
  start: number
  end: number
  entity: string
  /** The canonical value when the annotation gives one (a synonym); else the text itself. */
  value?: unknown
}

export interface ParsedExample {
  text: string
  entities: EntitySpan[]
}

export interface AnnotationIssue {
  path: string
  message: string
}

const ENTITY_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u
/** `[text](entity)` or `[text](entity:value)`. */
const MARKUP = /\[([^\[\]]*)\]\(([^()]*)\)/g

function parseMarkup(source: string, path: string, issues: AnnotationIssue[]): ParsedExample {
  const entities: EntitySpan[] = []
  let text = ''
  let last = 0
  for (const match of source.matchAll(MARKUP)) {
    const inner = match[1]!
    const label = match[2]!.trim()
    const colon = label.indexOf(':')
    const entity = (colon < 0 ? label : label.slice(0, colon)).trim()
    text += source.slice(last, match.index)
    last = match.index! + match[0].length
    if (!ENTITY_NAME.test(entity)) {
      issues.push({ path, message: `annotation '${match[0]}' must name an entity: [text](entity)` })
      text += inner
      continue
    }
    if (inner.trim() === '') {
      issues.push({ path, message: `annotation '${match[0]}' has no text between the brackets` })
      continue
    }
    const start = text.length
    text += inner
    const span: EntitySpan = { start, end: text.length, entity }
    if (colon >= 0 && label.slice(colon + 1).trim()) span.value = label.slice(colon + 1).trim()
    entities.push(span)
  }
  text += source.slice(last)
  if (/\]\(/.test(text)) issues.push({ path, message: `has an unclosed annotation: write [text](entity)` })
  return { text, entities }
}

/** The plain text and entity spans of one example; problems go to `issues` under `path`. */
export function parseExample(
  example: IntentExample,
  path = 'examples',
  issues: AnnotationIssue[] = [],
): ParsedExample {
  if (typeof example === 'string') return parseMarkup(example, path, issues)
  const text = typeof example?.text === 'string' ? example.text : ''
  if (typeof example?.text !== 'string') issues.push({ path, message: "must have a string 'text'" })
  const entities: EntitySpan[] = []
  const given = example?.entities ?? []
  if (!Array.isArray(given)) {
    issues.push({ path: `${path}.entities`, message: 'must be an array' })
    return { text, entities }
  }
  given.forEach((entity, j) => {
    const at = `${path}.entities.${j}`
    const { start, end, entity: name } = (entity ?? {}) as Partial<EntitySpan>
    if (typeof name !== 'string' || !ENTITY_NAME.test(name))
      return issues.push({ path: `${at}.entity`, message: 'must be an entity name (letters, digits, _ . -)' })
    if (
      !Number.isInteger(start) ||
      start! < 0 ||
      !Number.isInteger(end) ||
      end! <= start! ||
      end! > text.length
    )
      return issues.push({
        path: at,
        message: `start/end must be integers with 0 ≤ start < end ≤ ${text.length} (the text's length)`,
      })
    if (text.slice(start, end).trim() === '')
      return issues.push({ path: at, message: 'covers only white space' })
    const span: EntitySpan = { start: start!, end: end!, entity: name }
    if ((entity as EntitySpan).value !== undefined && (entity as EntitySpan).value !== text.slice(start, end))
      span.value = (entity as EntitySpan).value
    entities.push(span)
  })
  entities.sort((a, b) => a.start - b.start)
  for (let j = 1; j < entities.length; j++)
    if (entities[j]!.start < entities[j - 1]!.end)
      issues.push({
        path: `${path}.entities`,
        message: `entities '${entities[j - 1]!.entity}' and '${entities[j]!.entity}' overlap`,
      })
  return { text, entities }
}

/** The plain text of an example (markup removed). */
export function exampleText(example: IntentExample): string {
  return parseExample(example).text
}

/** Every annotation problem of an intent's examples, with paths such as `examples.3.entities.0`. */
export function annotationIssues(intent: Pick<IntentDefinition, 'examples'>): AnnotationIssue[] {
  const issues: AnnotationIssue[] = []
  const examples = intent.examples
  if (!Array.isArray(examples)) return issues
  examples.forEach((example, i) => parseExample(example, `examples.${i}`, issues))
  return issues
}

/** The parsed examples of an intent (malformed annotations dropped: registration already refused them). */
export function parsedExamples(intent: Pick<IntentDefinition, 'examples'>): ParsedExample[] {
  const out: ParsedExample[] = []
  for (const example of intent.examples ?? []) {
    const issues: AnnotationIssue[] = []
    const parsed = parseExample(example, '', issues)
    if (parsed.text.trim()) out.push(issues.length === 0 ? parsed : { text: parsed.text, entities: [] })
  }
  return out
}
