/**
 * The embedded intent classifier: hashed word and character n-gram TF-IDF features, one linear SVM per
 * intent, a shared confidence sigmoid and an out-of-scope threshold. No model weights to download, no Node
 * built-ins: it trains in the engine's process and runs on edge runtimes.
 *
 * One class (~420 lines) on purpose: training, cross-validated calibration and classification share the
 * model's private parts; the held-out bookkeeping and top-k ranking live in held-out.ts.
 */
import { semanticError } from '../errors.js'
import {
  concatHeldOut,
  emptyHeldOut,
  inScopePairs,
  PAIRS,
  topClasses,
  type HeldOutScores,
} from './held-out.js'
import type { FeatureConfig } from '../text/features.js'
import { scoreSparse, type SparseLinearModel } from '../model/sparse-linear.js'
import { Vectorizer } from '../model/vectorizer.js'
import { buildVocabulary, vectorizeAll } from '../model/vocabulary.js'
import type { FeatureTable } from '../text/feature-table.js'
import {
  chooseThreshold,
  confidenceOf,
  DEFAULT_CALIBRATION,
  fitSigmoid,
  thresholdTurningAway,
  type Calibration,
} from './calibration.js'
import {
  FEW_EXAMPLES_PER_INTENT,
  FEW_SHOT_CHAR_WEIGHT,
  resolveClassifierOptions,
  SPARSE_TRAINING_ABOVE,
  type ClassifierOptions,
  type ResolvedClassifierOptions,
} from './options.js'
import { Random } from '../model/random.js'
import { checkExamples, type IntentExample } from './examples.js'
import { decodeClassifier, encodeClassifier, type SerializedClassifier } from './serialize.js'
import { trainExact, trainSparse } from './trainers.js'

export interface RankedIntent {
  intent: string
  confidence: number
}

export interface Classification {
  /** The best intent, or `null` when the text is out of scope. */
  intent: string | null
  /** Confidence of the best intent (0–1), also when it was judged out of scope. */
  confidence: number
  /** `true` when no intent is confident enough, or the text is closest to the out-of-scope examples. */
  outOfScope: boolean
  /**
   * Why the text is out of scope: the best confidence is under the threshold, the text is closest to the
   * out-of-scope examples, or it has no word or word part the classifier knows. `null` when in scope.
   */
  rejectedBy: 'threshold' | 'out-of-scope-examples' | 'unknown-words' | null
  /** The best intents, most confident first (the best one included). */
  ranking: RankedIntent[]
}

export interface CalibrationOptions {
  /** Label of the held-out examples that belong to no intent. @default the classifier's `outOfScopeLabel` */
  outOfScopeLabel?: string
  /**
   * Worth of one correctly rejected out-of-scope example relative to one correctly answered in-scope example.
   * @default 1
   */
  outOfScopeWeight?: number
}

export interface CalibrationReport extends Calibration {
  /** Held-out examples used. */
  examples: number
  /** Of which out of scope. */
  outOfScope: number
  /** How the threshold was set. */
  thresholdFrom: 'held-out out-of-scope examples' | 'fitted probability 0.5'
}

export interface ClassifierStats {
  intents: number
  examples: number
  features: number
  weights: number
  trainMs: number
}

/** Internal parts of a classifier, shared with serialisation. @internal */
export interface ClassifierParts {
  labels: string[]
  rejectLabel: string | undefined
  features: FeatureConfig
  wordWeight: number
  charWeight: number
  table: FeatureTable
  idf: Float32Array
  model: SparseLinearModel
  calibration: Calibration
  stats: ClassifierStats
}

export class IntentClassifier {
  readonly #parts: ClassifierParts
  readonly #vectorizer: Vectorizer
  /** Per-intent scores (confidence) of the last text, then, from `#rankFrom`, its ranking scores. */
  readonly #scores: Float64Array
  readonly #rankFrom: number
  readonly #intents: readonly string[]
  readonly #rejectIndex: number
  #calibration: Calibration

  private constructor(parts: ClassifierParts) {
    this.#parts = parts
    this.#vectorizer = new Vectorizer(parts.features, parts.table, parts.idf, {
      word: parts.wordWeight,
      char: parts.charWeight,
    })
    this.#scores = new Float64Array(parts.model.classes)
    // A model with one score per label (format version 1) ranks by its confidence scores.
    this.#rankFrom = parts.model.classes > parts.labels.length ? parts.labels.length : 0
    this.#rejectIndex = parts.rejectLabel === undefined ? -1 : parts.labels.indexOf(parts.rejectLabel)
    this.#intents = Object.freeze(parts.labels.filter((_, i) => i !== this.#rejectIndex))
    this.#calibration = { ...parts.calibration }
  }

  /** Trains a classifier on labelled examples. Deterministic for the same examples, options and seed. */
  static train(examples: readonly IntentExample[], options: ClassifierOptions = {}): IntentClassifier {
    const settings = resolveClassifierOptions(options)
    checkExamples(examples)
    const started = performance.now()
    const labels = [...new Set(examples.map((example) => example.intent))].sort()
    const inScope = labels.filter((label) => label !== settings.outOfScopeLabel)
    if (inScope.length === 0)
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
        problem: 'Training needs examples of at least one intent',
      })
    const rejectLabel = labels.length > inScope.length ? settings.outOfScopeLabel : undefined
    // Fold models of the calibration inherit the choice (it is set in `settings`).
    if (options.charWeight === undefined && examples.length < FEW_EXAMPLES_PER_INTENT * labels.length)
      settings.charWeight = FEW_SHOT_CHAR_WEIGHT
    const index = new Map(labels.map((label, i) => [label, i]))
    const texts = examples.map((example) => example.text)
    const progress = settings.onProgress
    progress?.({ phase: 'features', done: 0, total: examples.length })
    const vocabulary = buildVocabulary(texts, settings.features, settings.minDocumentFrequency)
    const vectorizer = new Vectorizer(settings.features, vocabulary.table, vocabulary.idf, {
      word: settings.wordWeight,
      char: settings.charWeight,
    })
    const matrix = vectorizeAll(vectorizer, vocabulary.extracted)
    progress?.({ phase: 'features', done: examples.length, total: examples.length })
    const targets = Int32Array.from(examples, (example) => index.get(example.intent)!)
    // With a single label there is nothing to separate: a second, empty class gives the SVM a negative side.
    const classes = Math.max(labels.length, 2)
    const features = vocabulary.table.size
    // The sparse trainer needs two real labels (it ranks by its one score set, which must hold only labels).
    const sparse =
      labels.length >= 2 &&
      (settings.trainer === 'sparse' ||
        (settings.trainer === 'auto' && classes * features > SPARSE_TRAINING_ABOVE))
    const model = sparse
      ? trainSparse(matrix, targets, features, classes, settings)
      : trainExact(matrix, targets, features, classes, labels.length, settings)
    const classifier = new IntentClassifier({
      labels,
      rejectLabel,
      features: settings.features,
      wordWeight: settings.wordWeight,
      charWeight: settings.charWeight,
      table: vocabulary.table,
      idf: vocabulary.idf,
      model,
      calibration: { ...DEFAULT_CALIBRATION },
      stats: {
        intents: inScope.length,
        examples: examples.length,
        features,
        weights: model.weights.length,
        trainMs: 0,
      },
    })
    classifier.#crossCalibrate(examples, settings, sparse ? 'sparse' : 'exact')
    classifier.#parts.stats.trainMs = performance.now() - started
    return classifier
  }

  /** Reads a classifier saved with {@link IntentClassifier.toJSON}; throws `SEMANTIC_INVALID_MODEL` when it cannot. */
  static fromJSON(json: unknown): IntentClassifier {
    return new IntentClassifier(decodeClassifier(json))
  }

  /** The intents this classifier knows (the out-of-scope label excluded), sorted. */
  get intents(): readonly string[] {
    return this.#intents
  }

  get calibration(): Readonly<Calibration> {
    return this.#calibration
  }

  /** Replaces the confidence sigmoid and the threshold (e.g. values found by `calibrate` elsewhere). */
  setCalibration(calibration: Partial<Calibration>): void {
    const next = { ...this.#calibration, ...calibration }
    if (!(next.slope > 0) || !Number.isFinite(next.offset) || !(next.threshold >= 0 && next.threshold <= 1))
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: 'Calibration needs slope > 0, a finite offset and a threshold between 0 and 1',
      })
    this.#calibration = next
  }

  get stats(): Readonly<ClassifierStats> {
    return this.#parts.stats
  }

  /** Classifies one text: the best intents with their confidences, and whether it is out of scope. */
  classify(text: string, limit = 3): Classification {
    const scores = this.#scores
    const nnz = this.#vectorizer.vectorize(text)
    scoreSparse(this.#parts.model, this.#vectorizer.rows, this.#vectorizer.values, nnz, scores)
    const labels = this.#parts.labels
    const reject = this.#rejectIndex
    const count = Math.max(1, Math.min(limit, this.#intents.length))
    const top = topClasses(scores, this.#rankFrom, labels.length, reject, count)
    const calibration = this.#calibration
    // The order is the ranking model's; a confidence is the intent's own, capped by the one ranked above
    // it, so that the list reads best first when the two models disagree on a runner-up.
    let cap = 1
    const ranking = top.map((c) => {
      cap = Math.min(cap, confidenceOf(scores[c]!, calibration))
      return { intent: labels[c]!, confidence: cap }
    })
    const best = ranking[0]!
    // A text with no known feature carries no evidence for any intent.
    const rejectedBy =
      nnz === 0
        ? 'unknown-words'
        : reject >= 0 && scores[reject]! > scores[top[0]!]!
          ? 'out-of-scope-examples'
          : best.confidence < calibration.threshold
            ? 'threshold'
            : null
    const outOfScope = rejectedBy !== null
    return {
      intent: outOfScope ? null : best.intent,
      confidence: best.confidence,
      outOfScope,
      rejectedBy,
      ranking,
    }
  }

  /**
   * Fits the confidence sigmoid on held-out examples (Platt scaling over each example's best intents) and
   * sets the out-of-scope threshold: where held-out accuracy is best when out-of-scope examples are given,
   * else at a fitted probability of 0.5.
   */
  calibrate(heldOut: readonly IntentExample[], options: CalibrationOptions = {}): CalibrationReport {
    checkExamples(heldOut)
    const oosLabel = options.outOfScopeLabel ?? this.#parts.rejectLabel
    const weight = options.outOfScopeWeight ?? 1
    if (!(weight > 0 && Number.isFinite(weight)))
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `'outOfScopeWeight' must be a positive number`,
      })
    const known = new Set(this.#intents)
    const usable = heldOut.filter((example) => example.intent === oosLabel || known.has(example.intent))
    if (usable.length === 0)
      throw semanticError('SEMANTIC_INVALID_EXAMPLES', {
        problem:
          'None of the held-out examples has an intent this classifier knows (or the out-of-scope label)',
      })
    const scores = this.#heldOutScores(usable, (example) => example.intent === oosLabel)
    return this.#fit(scores, weight)
  }

  /** Scores held-out examples for calibration. */
  #heldOutScores(
    examples: readonly IntentExample[],
    isOutOfScope: (example: IntentExample) => boolean,
  ): HeldOutScores {
    const n = examples.length
    const labels = this.#parts.labels
    const reject = this.#rejectIndex
    const held = emptyHeldOut(n)
    const scores = this.#scores
    for (let i = 0; i < n; i++) {
      const example = examples[i]!
      const nnz = this.#vectorizer.vectorize(example.text)
      scoreSparse(this.#parts.model, this.#vectorizer.rows, this.#vectorizer.values, nnz, scores)
      const order = topClasses(scores, this.#rankFrom, labels.length, reject, PAIRS)
      const oos = isOutOfScope(example)
      for (let p = 0; p < PAIRS; p++) {
        const c = order[p]
        held.pairScores[i * PAIRS + p] = c === undefined ? -10 : scores[c]!
        held.pairTargets[i * PAIRS + p] = !oos && c !== undefined && labels[c] === example.intent ? 1 : 0
      }
      held.bestScore[i] = scores[order[0]!]!
      held.correct[i] = !oos && labels[order[0]!] === example.intent ? 1 : 0
      held.outOfScope[i] = oos ? 1 : 0
      held.rejected[i] = nnz === 0 || (reject >= 0 && scores[reject]! > held.bestScore[i]!) ? 1 : 0
    }
    return held
  }

  /**
   * Fits the sigmoid and the threshold to held-out scores. `turnedAway`, for stand-in out-of-scope
   * examples, bounds the share of right answers the threshold may turn away (once there are `minAnswers`).
   */
  #fit(
    held: HeldOutScores,
    outOfScopeWeight: number,
    sigmoidFromInScope = false,
    turnedAway?: { share: number; minAnswers: number },
  ): CalibrationReport {
    const fitted = sigmoidFromInScope
      ? fitSigmoid(...inScopePairs(held))
      : fitSigmoid(held.pairScores, held.pairTargets)
    const sigmoid = fitted ?? { slope: this.#calibration.slope, offset: this.#calibration.offset }
    const oosCount = held.outOfScope.reduce((sum, flag) => sum + flag, 0)
    let threshold = 0.5
    if (oosCount > 0) {
      const confidence = held.bestScore.map((score) => confidenceOf(score, { ...sigmoid, threshold: 0 }))
      threshold = chooseThreshold(confidence, held.correct, held.outOfScope, held.rejected, outOfScopeWeight)
      if (turnedAway)
        threshold = Math.min(
          threshold,
          thresholdTurningAway(confidence, held.correct, held.outOfScope, held.rejected, turnedAway),
        )
    }
    this.#calibration = { ...sigmoid, threshold }
    return {
      ...this.#calibration,
      examples: held.bestScore.length,
      outOfScope: oosCount,
      thresholdFrom: oosCount > 0 ? 'held-out out-of-scope examples' : 'fitted probability 0.5',
    }
  }

  /**
   * Calibration without held-out data: k-fold cross-validation over the training examples, where each fold
   * also leaves some intents out entirely. Their examples, scored by a model that never saw them, stand in
   * for out-of-scope text; the other held-out examples are the in-scope side.
   */
  #crossCalibrate(
    examples: readonly IntentExample[],
    settings: ResolvedClassifierOptions,
    trainer: 'exact' | 'sparse',
  ): CalibrationReport | undefined {
    const folds = settings.calibrationFolds
    const intents = this.#intents
    if (folds < 2 || intents.length < 2) return undefined
    const random = new Random(settings.seed ^ 0x5eed)
    const foldOf = new Int32Array(examples.length)
    const perIntent = new Map<string, number[]>()
    examples.forEach((example, i) => {
      const list = perIntent.get(example.intent) ?? []
      list.push(i)
      perIntent.set(example.intent, list)
    })
    // Spread every intent's examples over the folds, from a random fold onwards.
    for (const indices of perIntent.values()) {
      const offset = random.int(folds)
      random.shuffle(indices)
      indices.forEach((index, k) => (foldOf[index] = (k + offset) % folds))
    }
    const shuffled = random.shuffle(Int32Array.from(intents.keys()))
    const leaveOut = Math.max(1, Math.round(intents.length * 0.15))
    const parts: HeldOutScores[] = []
    const standIns = new Set<string>()
    // A large intent set (the sparse trainer's) gives plenty of held-out evidence in one fold; the others
    // would triple the training time for no better fit.
    const total = trainer === 'sparse' ? 1 : folds
    for (let fold = 0; fold < total; fold++) {
      settings.onProgress?.({ phase: 'calibration', done: fold, total })
      const absent = new Set<string>()
      for (let k = 0; k < leaveOut && k < intents.length - 1; k++)
        absent.add(intents[shuffled[(fold * leaveOut + k) % intents.length]!]!)
      const train = examples.filter((example, i) => foldOf[i] !== fold && !absent.has(example.intent))
      let test = examples.filter(
        (example, i) =>
          (foldOf[i] === fold || absent.has(example.intent)) && example.intent !== settings.outOfScopeLabel,
      )
      // Scoring a held-out text costs more with every intent; a few thousand of them fit the sigmoid and
      // the threshold as well as all of them.
      if (trainer === 'sparse' && test.length > MAX_SPARSE_HELD_OUT) {
        const order = random.shuffle(Int32Array.from(test.keys())).subarray(0, MAX_SPARSE_HELD_OUT).sort()
        const all = test
        test = Array.from(order, (i) => all[i]!)
      }
      if (test.length === 0 || !train.some((example) => example.intent !== settings.outOfScopeLabel)) continue
      const model = IntentClassifier.train(train, {
        ...settings,
        trainer,
        calibrationFolds: 0,
        onProgress: undefined,
      })
      for (const intent of absent) standIns.add(intent)
      parts.push(model.#heldOutScores(test, (example) => absent.has(example.intent)))
    }
    settings.onProgress?.({ phase: 'calibration', done: total, total })
    if (parts.length === 0) return undefined
    const held = concatHeldOut(parts)
    const oos = held.outOfScope.reduce((sum, flag) => sum + flag, 0)
    const inScope = held.outOfScope.length - oos
    // Intents left out are harder to tell apart than most real out-of-scope text (same domain, same
    // phrasing), so together they weigh a quarter of the in-scope side: the threshold stays lenient.
    // The stand-ins are not real traffic: they set the threshold but not the confidence curve, and the
    // threshold may not turn away more than `maxTurnedAway` of the right answers (a closed domain, whose
    // left-out intents are easy to confuse with the rest, would otherwise lose 5% of its own sentences).
    // How much the stand-ins say about out-of-scope text grows with how many distinct intents stood in: three
    // of a 7-intent domain (SNIPS) are three samples of it, so the bound tightens in proportion under
    // `FULL_BOUND_STAND_INS` (0.3% of right answers at most for SNIPS; every set of 20+ intents left out keeps 2%).
    const bound = settings.maxTurnedAway * Math.min(1, standIns.size / FULL_BOUND_STAND_INS)
    return this.#fit(
      held,
      oos > 0 ? (STAND_IN_SHARE * inScope) / oos : 1,
      true,
      settings.maxTurnedAway < 1 ? { share: bound, minAnswers: 1 / settings.maxTurnedAway } : undefined,
    )
  }

  /** A JSON-safe, versioned snapshot: `IntentClassifier.fromJSON(JSON.parse(JSON.stringify(c)))` predicts the same. */
  toJSON(): SerializedClassifier {
    return encodeClassifier({ ...this.#parts, calibration: { ...this.#calibration } })
  }
}

/** Held-out examples scored for calibration when the sparse trainer (a large intent set) is used. */
const MAX_SPARSE_HELD_OUT = 4000
const STAND_IN_SHARE = 0.25
/** Distinct stand-in intents from which the threshold may turn away the whole `maxTurnedAway` share. */
const FULL_BOUND_STAND_INS = 20

export type { IntentExample }
