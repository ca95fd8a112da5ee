import { semanticError } from '../errors.js'
import type { IntentExample } from '../classifier/examples.js'
import { parseExample, type EntitySpan } from '../slots/annotations.js'

/**
 * Parses JSON Lines of `{ "text": "…", "intent": "…" }`, optionally with `"entities": [{ start, end, entity }]`
 * (blank lines skipped). `source` names the input
 * in error messages, which give the line number at fault.
 */
export function parseJsonl(content: string, source = 'input'): IntentExample[] {
  const examples: IntentExample[] = []
  const lines = content.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', { problem: `${source}:${i + 1}: not valid JSON` })
    }
    const record = value as { text?: unknown; intent?: unknown } | null
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record.text !== 'string' ||
      typeof record.intent !== 'string' ||
      !record.intent
    )
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
        problem: `${source}:${i + 1}: expected {"text": "…", "intent": "…"} with a non-empty intent`,
      })
    const entities = (record as { entities?: unknown }).entities
    if (entities !== undefined) {
      const issues: { path: string; message: string }[] = []
      parseExample({ text: record.text, entities: entities as EntitySpan[] }, 'entities', issues)
      if (issues.length > 0)
        throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
          problem: `${source}:${i + 1}: ${issues[0]!.path} ${issues[0]!.message}`,
        })
      examples.push({ text: record.text, intent: record.intent, entities: entities as EntitySpan[] })
    } else examples.push({ text: record.text, intent: record.intent })
  }
  if (examples.length === 0)
    throw semanticError('SEMANTIC_INVALID_EXAMPLES', { problem: `${source}: no examples` })
  return examples
}
