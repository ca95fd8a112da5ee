/**
 * Exact stage: the text is an intent's name (`order_status`, "order status"), one of its aliases, or one of
 * its examples word for word. Such a text needs no statistics: confidence 1.
 */
import type { IntentDefinition } from '@ixp/core'
import { normalizePhrase } from './normalize.js'
import { exampleText } from '../slots/annotations.js'
import type { ResolverStage } from './types.js'

export interface ExactStageOptions {
  /**
   * Also match an intent's examples word for word (ignoring case and end punctuation).
   * @default true
   */
  examples?: boolean
}

/** Aliases of an intent: `aliases` on the definition, or `metadata.aliases`. */
export function aliasesOf(intent: IntentDefinition): string[] {
  const own = intent.aliases
  const fromMetadata = intent.metadata?.aliases
  return [...(Array.isArray(own) ? own : []), ...(Array.isArray(fromMetadata) ? fromMetadata : [])].filter(
    (alias): alias is string => typeof alias === 'string' && alias.trim() !== '',
  )
}

export function exactStage(options: ExactStageOptions = {}): ResolverStage {
  const useExamples = options.examples ?? true
  let phrases = new Map<string, string | null>()
  return {
    name: 'exact',
    prepare(intents) {
      const next = new Map<string, string | null>()
      const add = (phrase: string, intent: string) => {
        const key = normalizePhrase(phrase)
        if (!key) return
        const existing = next.get(key)
        // A phrase claimed by two intents proves nothing; the classifier decides those.
        next.set(key, existing === undefined || existing === intent ? intent : null)
      }
      for (const intent of intents) {
        add(intent.name, intent.name)
        for (const alias of aliasesOf(intent)) add(alias, intent.name)
        if (useExamples) for (const example of intent.examples ?? []) add(exampleText(example), intent.name)
      }
      phrases = next
    },
    resolve(input) {
      const intent = phrases.get(normalizePhrase(input.text))
      if (!intent || !input.intents.has(intent)) return undefined
      return { candidates: [{ intent, confidence: 1 }], source: 'exact' }
    },
  }
}
