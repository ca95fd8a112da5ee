/**
 * Embedding stage: an embedding model's view of the text, for vocabularies the examples never used
 * ("parcel" for "package"). Each intent scores the best cosine similarity between the text and its
 * examples; that similarity becomes a confidence, blended with the current result when there is one.
 */
import type { IntentDefinition } from '@ixp/core'
import { semanticError } from '../errors.js'
import { embedChecked, normalizeVector, type EmbeddingProvider } from '../embeddings/provider.js'
import { examplesOf } from './classifier.js'
import { sortCandidates, type ResolverStage, type StageCandidate } from './types.js'

export interface EmbeddingStageOptions {
  provider: EmbeddingProvider
  /**
   * Share of the embedding confidence in the blend with the current result (1 = embeddings only).
   * @default 0.5
   */
  weight?: number
  /**
   * Slope of the sigmoid from cosine similarity to confidence.
   * @default 15
   */
  slope?: number
  /**
   * Cosine similarity at which the confidence is 0.5 (sentence-embedding paraphrases usually score above).
   * @default 0.6
   */
  offset?: number
  /**
   * Confidence under which the stage's own answer is out of scope, when no earlier stage set a threshold.
   * @default 0.5
   */
  threshold?: number
  /** Embed descriptions, names and aliases as well as examples. @default true */
  useDescriptions?: boolean
}

export function embeddingStage(options: EmbeddingStageOptions): ResolverStage {
  if (!options?.provider || typeof options.provider.embed !== 'function')
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `embeddingStage needs a 'provider' with an embed(texts) method`,
    })
  const weight = options.weight ?? 0.5
  const slope = options.slope ?? 15
  const offset = options.offset ?? 0.6
  const threshold = options.threshold ?? 0.5
  if (!(weight >= 0 && weight <= 1))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `embeddingStage 'weight' must be between 0 and 1`,
    })
  if (!(slope > 0))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', { problem: `embeddingStage 'slope' must be positive` })
  let vectors: Float32Array[] = []
  let owners: string[] = []
  const provider = options.provider

  return {
    name: 'embedding',
    async prepare(intents: readonly IntentDefinition[]) {
      const examples = examplesOf(intents, options.useDescriptions ?? true)
      const embedded =
        examples.length === 0
          ? []
          : await embedChecked(
              provider,
              examples.map((example) => example.text),
            )
      vectors = embedded.map(normalizeVector)
      owners = examples.map((example) => example.intent)
    },
    async resolve(input, current) {
      if (vectors.length === 0) return undefined
      const [query] = await embedChecked(provider, [input.text])
      const q = normalizeVector(query!)
      if (q.length !== vectors[0]!.length)
        throw semanticError('SEMANTIC_EMBEDDING_FAILED', {
          provider: provider.name,
          problem: `changed its vector length`,
        })
      const best = new Map<string, number>()
      for (let e = 0; e < vectors.length; e++) {
        const owner = owners[e]!
        if (!input.intents.has(owner)) continue
        const v = vectors[e]!
        let dot = 0
        for (let i = 0; i < v.length; i++) dot += v[i]! * q[i]!
        if (dot > (best.get(owner) ?? -Infinity)) best.set(owner, dot)
      }
      if (best.size === 0) return undefined
      const own = new Map<string, number>()
      for (const [intent, similarity] of best)
        own.set(intent, 1 / (1 + Math.exp(-slope * (similarity - offset))))
      const names = new Set<string>(current?.candidates.map((candidate) => candidate.intent) ?? [])
      for (const { intent } of sortCandidates(
        [...own].map(([intent, confidence]) => ({ intent, confidence })),
      ).slice(0, input.limit))
        names.add(intent)
      const previous = new Map(
        current?.candidates.map((candidate) => [candidate.intent, candidate.confidence]),
      )
      const candidates: StageCandidate[] = [...names].map((intent) => ({
        intent,
        confidence: current
          ? (1 - weight) * (previous.get(intent) ?? 0) + weight * (own.get(intent) ?? 0)
          : (own.get(intent) ?? 0),
      }))
      sortCandidates(candidates)
      const top = candidates[0]!
      const similarity = best.get(top.intent) ?? 0
      return {
        candidates: candidates.slice(0, input.limit),
        threshold: current?.threshold ?? threshold,
        // The model may know words the classifier never saw: a confident embedding match lifts a rejection.
        rejected: Boolean(current?.rejected) && (own.get(top.intent) ?? 0) < 0.5,
        source: current ? `${current.source}+embedding` : 'embedding',
        details: { ...current?.details, similarity },
      }
    },
    close() {
      return provider.close?.()
    },
  }
}
