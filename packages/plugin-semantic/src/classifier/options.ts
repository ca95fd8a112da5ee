import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../text/features.js'
import { semanticError } from '../errors.js'

/** How the embedded classifier learns. Every field has a default tuned by cross-validation. */
export interface ClassifierOptions {
  /**
   * Inverse regularisation strength of both SVMs: higher fits the examples more closely.
   * @default 1
   */
  c?: number
  /**
   * Upper bound of passes over the examples, per SVM (training usually converges sooner).
   * @default 20
   */
  maxPasses?: number
  /**
   * A feature must occur in at least this many examples to be kept.
   * @default 1
   */
  minDocumentFrequency?: number
  /**
   * How text is cut into features (word n-grams, character n-grams inside words).
   * @default { wordNgrams: 3, charMin: 2, charMax: 4, edgeBigrams: true, maxChars: 1000 }
   */
  features?: Partial<FeatureConfig>
  /**
   * Weight (L2 norm) of the word block of a vector.
   * @default 1
   */
  wordWeight?: number
  /**
   * Weight (L2 norm) of the character block of a vector. With few examples per intent, word features are
   * sparse and character n-grams ("refund" in "refunded", typos) generalise better: measured over 10-shot
   * BANKING77, HWU64 and CLINC150 (+0.95, +0.2, +0.56 points of top-1), while at full data 1.5 cost
   * BANKING77 0.4 points.
   * @default 1, or `FEW_SHOT_CHAR_WEIGHT` (1.5) under `FEW_EXAMPLES_PER_INTENT` (30) examples per intent on average
   */
  charWeight?: number
  /**
   * Weights whose typical contribution to a score is below this are dropped: a smaller, faster model.
   * `0` keeps every non-zero weight.
   * @default 0.001
   */
  pruneBelow?: number
  /**
   * Which trainer fits the weights. `'exact'`: one SVM per intent over every example plus the multiclass
   * ranking SVM — the most accurate; time and memory grow with intents × examples and intents × features.
   * `'sparse'`: one SVM per intent against the examples that come close to it (retrieved hard negatives and
   * a few random ones), ranking by the same scores — time and memory grow about linearly with the
   * examples, for thousands of intents. `'auto'` picks `'sparse'` when intents × features exceeds
   * `SPARSE_TRAINING_ABOVE` (30 million: about 600 intents of ten examples each).
   * @default 'auto'
   */
  trainer?: 'auto' | 'exact' | 'sparse'
  /**
   * Seed of the training order: the same examples, options and seed give the same model.
   * @default 1
   */
  seed?: number
  /**
   * Label of examples that belong to no intent (e.g. `oos`). They train a rejection class, which is never
   * returned as an intent: a text closest to it is out of scope.
   * @default undefined
   */
  outOfScopeLabel?: string
  /**
   * Folds of the cross-validation that calibrates confidences and the out-of-scope threshold at training
   * (each fold also leaves some intents out, as stand-ins for out-of-scope text). `0` keeps
   * `DEFAULT_CALIBRATION` — for when `calibrate()` will run on held-out data anyway.
   * @default 3
   */
  calibrationFolds?: number
  /**
   * Largest share (above 0, at most 1) of right answers the threshold found by that cross-validation may
   * turn away: of the held-out examples answered with the right intent, at most this many fall under it.
   * The stand-ins for out-of-scope text are a guess; this keeps the guess from costing an app its own
   * sentences. The guess is worth less the fewer distinct intents stood in, so under 20 of them the share
   * shrinks in proportion (a 7-intent domain has 3 stand-ins: 0.3% by default). It needs 1 / `maxTurnedAway`
   * right answers (50 by default) to be estimated; with fewer, and with `1`, the threshold stays where
   * held-out accuracy is best. Thresholds from `calibrate()` (real held-out data) are not bound.
   * @default 0.02
   */
  maxTurnedAway?: number
  /**
   * Called while training, for progress reports.
   * @default undefined
   */
  onProgress?: (progress: TrainingProgress) => void
}

/** How far training is: `done` of `total` examples (`features`), training steps (`train`) or folds (`calibration`). */
export interface TrainingProgress {
  phase: 'features' | 'train' | 'calibration'
  done: number
  total: number
}

export type ResolvedClassifierOptions = Required<
  Omit<ClassifierOptions, 'outOfScopeLabel' | 'onProgress' | 'features' | 'trainer'>
> & {
  trainer: 'auto' | 'exact' | 'sparse'

  features: FeatureConfig
  outOfScopeLabel: string | undefined
  onProgress: ((progress: TrainingProgress) => void) | undefined
}

export const CLASSIFIER_DEFAULTS = {
  c: 1,
  maxPasses: 20,
  minDocumentFrequency: 1,
  wordWeight: 1,
  charWeight: 1,
  pruneBelow: 0.001,
  seed: 1,
  calibrationFolds: 3,
  maxTurnedAway: 0.02,
  trainer: 'auto',
} as const

/** Under this many training examples per label on average, the default `charWeight` is `FEW_SHOT_CHAR_WEIGHT`. */
export const FEW_EXAMPLES_PER_INTENT = 30
export const FEW_SHOT_CHAR_WEIGHT = 1.5

/** Above this many intents × features, `trainer: 'auto'` trains sparsely. */
export const SPARSE_TRAINING_ABOVE = 30_000_000

const TRAINERS: readonly string[] = ['auto', 'exact', 'sparse']

function positive(name: string, value: number, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  )
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option '${name}' must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`,
    })
  return value
}

export function resolveClassifierOptions(options: ClassifierOptions = {}): ResolvedClassifierOptions {
  const merged = { ...CLASSIFIER_DEFAULTS, ...options }
  const features = { ...DEFAULT_FEATURE_CONFIG, ...options.features }
  positive('c', merged.c)
  positive('maxPasses', merged.maxPasses, true)
  positive('minDocumentFrequency', merged.minDocumentFrequency, true)
  positive('wordWeight', merged.wordWeight)
  positive('charWeight', merged.charWeight)
  positive('features.maxChars', features.maxChars, true)
  if (typeof merged.pruneBelow !== 'number' || !(merged.pruneBelow >= 0))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'pruneBelow' must be a number ≥ 0`,
    })
  if (
    !Number.isInteger(merged.calibrationFolds) ||
    merged.calibrationFolds < 0 ||
    merged.calibrationFolds === 1
  )
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'calibrationFolds' must be 0 or an integer ≥ 2`,
    })
  if (typeof merged.maxTurnedAway !== 'number' || !(merged.maxTurnedAway > 0 && merged.maxTurnedAway <= 1))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'maxTurnedAway' must be a number above 0 and at most 1`,
    })
  if (!TRAINERS.includes(merged.trainer))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'trainer' must be 'auto', 'exact' or 'sparse', got ${JSON.stringify(merged.trainer)}`,
    })
  if (!Number.isInteger(merged.seed))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'seed' must be an integer`,
    })
  if (![1, 2, 3].includes(features.wordNgrams))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'features.wordNgrams' must be 1, 2 or 3`,
    })
  const charOff = features.charMax === 0
  if (
    !charOff &&
    (!Number.isInteger(features.charMin) ||
      !Number.isInteger(features.charMax) ||
      features.charMin < 1 ||
      features.charMax < features.charMin ||
      features.charMax > 8)
  )
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier options 'features.charMin'/'features.charMax' must satisfy 1 ≤ charMin ≤ charMax ≤ 8 (or charMax 0 to disable)`,
    })
  if (
    options.outOfScopeLabel !== undefined &&
    (typeof options.outOfScopeLabel !== 'string' || !options.outOfScopeLabel)
  )
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Classifier option 'outOfScopeLabel' must be a non-empty string`,
    })
  return {
    ...merged,
    features,
    outOfScopeLabel: options.outOfScopeLabel,
    onProgress: options.onProgress,
  }
}
