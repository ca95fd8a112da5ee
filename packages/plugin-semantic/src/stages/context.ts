/**
 * Context stage: a conversation has a topic. Candidates equal to the previous intent, or related to it,
 * gain confidence; a user-profile hook may add its own adjustment. Confidences stay within 0–1 and the
 * candidates are re-ranked, so a follow-up such as "and for tomorrow?" can tip towards the intent at hand.
 */
import type { IntentDefinition, IxpContext } from '@ixp/core'
import { sortCandidates, type ResolverStage, type StageCandidate, type StageInput } from './types.js'

export interface ContextStageOptions {
  /**
   * Added to the confidence of the previous intent.
   * @default 0.1
   */
  previousBoost?: number
  /**
   * Added to the confidence of an intent related to the previous one.
   * @default 0.05
   */
  relatedBoost?: number
  /**
   * Whether two intents are related. @default they share a tag, or one lists the other in `metadata.related`
   */
  related?: (candidate: IntentDefinition, previous: IntentDefinition) => boolean
  /**
   * The previous intent when the query does not say (`query.previousIntent` wins).
   * @default reads `context.previousIntent`
   */
  previousIntent?: (input: StageInput) => string | undefined
  /**
   * User-profile hook: an adjustment (−1 to 1) for a candidate, e.g. from the user's habits or role.
   * @default undefined
   */
  profile?: (candidate: IntentDefinition, context: IxpContext) => number | undefined
}

export function defaultRelated(candidate: IntentDefinition, previous: IntentDefinition): boolean {
  const listed = (intent: IntentDefinition, other: string) => {
    const related = intent.metadata?.related
    return Array.isArray(related) && related.includes(other)
  }
  if (listed(candidate, previous.name) || listed(previous, candidate.name)) return true
  const tags = new Set(previous.tags ?? [])
  return (candidate.tags ?? []).some((tag) => tags.has(tag))
}

function clamp(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value
}

export function contextStage(options: ContextStageOptions = {}): ResolverStage {
  const previousBoost = options.previousBoost ?? 0.1
  const relatedBoost = options.relatedBoost ?? 0.05
  const related = options.related ?? defaultRelated
  const previousOf =
    options.previousIntent ??
    ((input: StageInput) =>
      typeof input.context.previousIntent === 'string' ? input.context.previousIntent : undefined)
  return {
    name: 'context',
    resolve(input, current) {
      if (!current || current.candidates.length === 0) return undefined
      const previousName =
        typeof input.query.previousIntent === 'string' ? input.query.previousIntent : previousOf(input)
      const previous = previousName === undefined ? undefined : input.intents.get(previousName)
      if (!previous && !options.profile) return undefined
      const boosts: Record<string, number> = {}
      let changed = false
      const candidates: StageCandidate[] = current.candidates.map((candidate) => {
        const definition = input.intents.get(candidate.intent)
        if (!definition) return candidate
        let boost = 0
        if (previous) {
          if (candidate.intent === previous.name) boost += previousBoost
          else if (related(definition, previous)) boost += relatedBoost
        }
        const adjustment = options.profile?.(definition, input.context)
        if (typeof adjustment === 'number' && Number.isFinite(adjustment))
          boost += Math.max(-1, Math.min(1, adjustment))
        if (boost === 0) return candidate
        changed = true
        boosts[candidate.intent] = boost
        return { intent: candidate.intent, confidence: clamp(candidate.confidence + boost) }
      })
      if (!changed) return undefined
      return {
        ...current,
        candidates: sortCandidates(candidates),
        details: { ...current.details, contextBoost: boosts },
      }
    },
  }
}
