import type { EntitySpan } from '../slots/annotations.js'
import { semanticError } from '../errors.js'

/** One labelled utterance: the text a user typed and the intent it means. */
export interface IntentExample {
  text: string
  intent: string
  /** Annotated entities (slot-filling data such as SNIPS); the classifier ignores them. */
  entities?: EntitySpan[]
}

/** Throws `SEMANTIC_INVALID_EXAMPLES` naming the first malformed example. */
export function checkExamples(examples: readonly IntentExample[]): void {
  if (!Array.isArray(examples) || examples.length === 0)
    throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
      problem: 'Expected a non-empty array of { text, intent } examples',
    })
  for (let i = 0; i < examples.length; i++) {
    const example = examples[i] as Partial<IntentExample> | null
    if (typeof example !== 'object' || example === null)
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
        problem: `Example ${i} is not an object { text, intent }`,
      })
    if (typeof example.text !== 'string')
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', { problem: `Example ${i} has no 'text' string` })
    if (typeof example.intent !== 'string' || example.intent === '')
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
        problem: `Example ${i} has no 'intent' (a non-empty string)`,
      })
  }
}
