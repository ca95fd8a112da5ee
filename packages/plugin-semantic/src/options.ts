import type { Calibration } from './classifier/calibration.js'
import type { IntentClassifier } from './classifier/classifier.js'
import type { ClassifierOptions } from './classifier/options.js'
import type { SerializedClassifier } from './classifier/serialize.js'
import type { EmbeddingProvider } from './embeddings/provider.js'
import { semanticError } from './errors.js'
import { checkEntityDefinitions, type EntityDefinition } from './slots/entities.js'
import type { ContextStageOptions } from './stages/context.js'
import type { EmbeddingStageOptions } from './stages/embedding.js'
import type { ResolverStage } from './stages/types.js'

/** Options of `semantic()`. */
export interface SemanticOptions {
  /**
   * The resolver stages, in order. Replaces the default pipeline entirely (build on `exactStage()`,
   * `classifierStage()`, `embeddingStage()`, `contextStage()` or stages of your own).
   * @default [exactStage(), classifierStage({ training: classifier, model, calibration }), embeddingStage (with `embeddings`), contextStage(context)]
   */
  stages?: ResolverStage[]
  /**
   * How the embedded classifier trains (ignored with `stages`).
   * @default {}
   */
  classifier?: ClassifierOptions
  /**
   * A pre-trained classifier or its JSON (from `ixp semantic train`): no training at `ready()`.
   * @default undefined
   */
  model?: IntentClassifier | SerializedClassifier
  /**
   * Confidence sigmoid and out-of-scope threshold of the classifier.
   * @default the classifier's (DEFAULT_CALIBRATION, or the model's own)
   */
  calibration?: Partial<Calibration>
  /**
   * Texts the resolver must refuse (chit-chat, questions for another product): a text closest to them is
   * out of scope, whatever its confidence.
   * @default []
   */
  outOfScopeExamples?: string[]
  /**
   * When annotated examples mark names (entities whose values hardly repeat: titles, artists, places), a
   * second classifier learns from the sentences with their names masked and votes with the first (ignored
   * with `stages` or `model`).
   * @default true
   */
  maskNames?: boolean
  /**
   * An embedding provider: adds an embedding stage after the classifier.
   * @default undefined
   */
  embeddings?: EmbeddingProvider
  /**
   * Options of that embedding stage (weight, similarity sigmoid).
   * @default {}
   */
  embedding?: Omit<EmbeddingStageOptions, 'provider'>
  /**
   * Context stage options: boosts for the previous and related intents, a user-profile hook.
   * @default {}
   */
  context?: ContextStageOptions
  /**
   * A stage whose best candidate reaches this confidence ends the run.
   * @default 0.95
   */
  earlyExit?: number
  /**
   * Minimum confidence of an answer, overriding the classifier's calibrated threshold.
   * @default undefined (the classifier's threshold)
   */
  threshold?: number
  /**
   * Alternatives returned when the query does not say.
   * @default 3
   */
  limit?: number
  /**
   * The app's entities: lookup tables (values and synonyms) and patterns, by name. A parameter of the same
   * name (or whose schema says `'x-entity': name`) is filled from them. System entities (`date`, `time`,
   * `datetime`, `number`, `ordinal`, `duration`, `money`, `email`, `url`, `phone`) need no declaration.
   * @default {}
   */
  entities?: Record<string, EntityDefinition>
  /**
   * Width of the confidence band under the threshold (a fraction of it) where the answer is
   * `reason: 'ambiguous'` with the plausible intents as alternatives, rather than out of scope. `0` turns it off.
   * @default 0.1
   */
  clarifyBand?: number
  /**
   * Fill the matched intent's parameters from the text and report missing required ones.
   * @default true
   */
  extractParameters?: boolean
  /**
   * After an intent is registered, replaced or removed, retrain once no change came for this long.
   * @default 100
   */
  retrainDelayMs?: number
}

export function checkSemanticOptions(options: SemanticOptions): void {
  if (typeof options !== 'object' || options === null)
    throw semanticError('SEMANTIC_INVALID_OPTIONS', { problem: 'semantic() options must be an object' })
  const delay = options.retrainDelayMs
  if (delay !== undefined && !(typeof delay === 'number' && delay >= 0 && Number.isFinite(delay)))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', { problem: `'retrainDelayMs' must be a number ≥ 0` })
  checkEntityDefinitions(options.entities)
  if (options.embeddings !== undefined && typeof options.embeddings?.embed !== 'function')
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `'embeddings' must be an embedding provider with an embed(texts) method`,
    })
  if (
    options.outOfScopeExamples !== undefined &&
    (!Array.isArray(options.outOfScopeExamples) ||
      !options.outOfScopeExamples.every((text) => typeof text === 'string'))
  )
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `'outOfScopeExamples' must be an array of strings`,
    })
  if (options.maskNames !== undefined && typeof options.maskNames !== 'boolean')
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `'maskNames' must be true or false (got ${JSON.stringify(options.maskNames)})`,
    })
  if (
    options.stages !== undefined &&
    (options.classifier ||
      options.model ||
      options.embeddings ||
      options.context ||
      options.outOfScopeExamples ||
      options.maskNames !== undefined)
  )
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `'stages' replaces the default pipeline: configure 'classifier', 'model', 'outOfScopeExamples', 'maskNames', 'embeddings' and 'context' on the stages themselves`,
    })
}
