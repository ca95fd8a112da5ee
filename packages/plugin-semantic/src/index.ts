/**
 * @ixp/plugin-semantic — natural-language intent resolution for IXP Engine: an embedded, trained
 * classifier with calibrated confidences and out-of-scope detection, a pipeline of stages (exact names,
 * classifier, embeddings, context), and parameters read from the text. Also usable without an engine.
 */
import './augment.js'

export { semantic, defaultStages, PLUGIN_NAME, type SemanticPlugin } from './plugin.js'
export type { SemanticOptions } from './options.js'
export { SemanticErrorCodes, type SemanticErrorCode } from './errors.js'

export {
  IntentClassifier,
  type Classification,
  type RankedIntent,
  type CalibrationOptions,
  type CalibrationReport,
  type ClassifierStats,
} from './classifier/classifier.js'
export { DEFAULT_CALIBRATION, type Calibration } from './classifier/calibration.js'
export type { ClassifierOptions, TrainingProgress } from './classifier/options.js'
export type { IntentExample } from './classifier/examples.js'
export { MODEL_FORMAT, MODEL_VERSION, type SerializedClassifier } from './classifier/serialize.js'
export type { FeatureConfig } from './text/features.js'

export { ResolverPipeline, type PipelineOptions, type PipelineDecision } from './pipeline.js'
export type { ResolverStage, StageCandidate, StageInput, StageResult, IntentLookup } from './stages/types.js'
export { exactStage, type ExactStageOptions } from './stages/exact.js'
export {
  classifierStage,
  examplesOf,
  type ClassifierStage,
  type ClassifierStageOptions,
} from './stages/classifier.js'
export { embeddingStage, type EmbeddingStageOptions } from './stages/embedding.js'
export { contextStage, defaultRelated, type ContextStageOptions } from './stages/context.js'

export type { EmbeddingProvider } from './embeddings/provider.js'
export { transformersEmbeddings, type TransformersEmbeddingOptions } from './embeddings/transformers.js'

export { extractParameters, type ExtractedParameters, type ExtractOptions } from './params/extract.js'
export { SlotFiller, type Slot, type FilledSlots } from './slots/filler.js'
export type { EntityDefinition } from './slots/entities.js'
export type { LookupEntry } from './slots/lookup.js'
export { SYSTEM_ENTITIES, findSystem, type SystemEntity, type SystemMatch } from './slots/system.js'
export { parseExample, exampleText, type ParsedExample, type EntitySpan } from './slots/annotations.js'
export { SequenceTagger, type TaggedSpan, type TaggerOptions } from './slots/tagger.js'
export { NameMasker, NAME_PLACEHOLDER, type NameMaskerOptions } from './slots/name-masker.js'
export { parseJsonl } from './eval/dataset.js'
export { evaluate, type EvaluationReport } from './eval/evaluate.js'
