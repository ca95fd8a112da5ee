/**
 * Classifier stage: the embedded statistical classifier, trained on every intent's examples, its
 * description and its name, or loaded pre-trained. Its calibrated threshold becomes the result's; a text
 * closest to the out-of-scope examples, or made only of words it never saw, is rejected outright.
 */
import type { IntentDefinition } from '@ixp/core'
import { IntentClassifier } from '../classifier/classifier.js'
import type { Calibration } from '../classifier/calibration.js'
import type { IntentExample } from '../classifier/examples.js'
import type { ClassifierOptions } from '../classifier/options.js'
import type { SerializedClassifier } from '../classifier/serialize.js'
import { exampleText, parsedExamples } from '../slots/annotations.js'
import { NameMasker } from '../slots/name-masker.js'
import { aliasesOf } from './exact.js'
import { sortCandidates, type ResolverStage, type StageCandidate } from './types.js'

export interface ClassifierStageOptions {
  /** Training options (see {@link ClassifierOptions}). @default {} */
  training?: ClassifierOptions
  /**
   * A pre-trained classifier (or its JSON): used as is, never retrained; the intents it knows but the engine
   * does not are never answered. @default undefined (train on the registered intents)
   */
  model?: IntentClassifier | SerializedClassifier
  /**
   * Calibration to apply after training (e.g. found with `ixp semantic train --val` on a similar intent set).
   * @default the classifier's own (see `DEFAULT_CALIBRATION`)
   */
  calibration?: Partial<Calibration>
  /**
   * Learn from each intent's description, name and aliases as well as its examples.
   * @default true
   */
  useDescriptions?: boolean
  /**
   * Texts the resolver must not answer (chit-chat, other products): they train a rejection class, and a
   * text closest to them is out of scope. @default []
   */
  outOfScopeExamples?: string[]
  /**
   * When annotated examples mark names (entities whose values hardly repeat: titles, artists, places), also
   * train a classifier on the sentences with their names masked, and let both vote (see `NameMasker`).
   * @default true
   */
  maskNames?: boolean
  /** Called after every (re)training with the classifier's figures. @default undefined */
  onTrained?: (classifier: IntentClassifier) => void
}

/**
 * Training examples of a set of intents: their examples, and optionally description, name and aliases. With a
 * name masker, annotated examples come with their names masked.
 */
export function examplesOf(
  intents: readonly IntentDefinition[],
  useDescriptions = true,
  masker?: NameMasker,
): IntentExample[] {
  const examples: IntentExample[] = []
  for (const intent of intents) {
    const texts = masker
      ? parsedExamples(intent).map((example) => masker.maskAnnotated(example.text, example.entities))
      : (intent.examples ?? []).map(exampleText)
    for (const text of texts) if (text.trim()) examples.push({ text, intent: intent.name })
    if (!useDescriptions) continue
    if (typeof intent.description === 'string' && intent.description.trim())
      examples.push({ text: intent.description, intent: intent.name })
    examples.push({ text: intent.name.replace(/[_\-.]+/g, ' '), intent: intent.name })
    for (const alias of aliasesOf(intent)) examples.push({ text: alias, intent: intent.name })
  }
  return examples
}

/** The classifier stage; `stage.classifier` is the current model (undefined before the first training). */
/** The label under which `outOfScopeExamples` train (never an intent name the engine accepts). */
export const OUT_OF_SCOPE_LABEL = '\u0000out-of-scope'

export interface ClassifierStage extends ResolverStage {
  readonly classifier: IntentClassifier | undefined
  /** The name masker and the classifier of masked sentences, when the examples annotate names. */
  readonly names: { masker: NameMasker; classifier: IntentClassifier } | undefined
}

export function classifierStage(options: ClassifierStageOptions = {}): ClassifierStage {
  const fixed =
    options.model === undefined
      ? undefined
      : options.model instanceof IntentClassifier
        ? options.model
        : IntentClassifier.fromJSON(options.model)
  if (fixed && options.calibration) fixed.setCalibration(options.calibration)
  let classifier = fixed
  // With annotated names: a second classifier over the sentences with their names masked (see NameMasker).
  let named: { masker: NameMasker; classifier: IntentClassifier } | undefined
  return {
    name: 'classifier',
    get classifier() {
      return classifier
    },
    get names() {
      return named
    },
    prepare(intents) {
      if (fixed) return
      const useDescriptions = options.useDescriptions ?? true
      const examples = examplesOf(intents, useDescriptions)
      named = undefined
      if (examples.length === 0) {
        classifier = undefined
        return
      }
      const rejected = (options.outOfScopeExamples ?? []).filter(
        (text) => typeof text === 'string' && text.trim(),
      )
      const train = (texts: IntentExample[]) => {
        for (const text of rejected) texts.push({ text, intent: OUT_OF_SCOPE_LABEL })
        const next = IntentClassifier.train(texts, {
          ...options.training,
          ...(rejected.length > 0 ? { outOfScopeLabel: OUT_OF_SCOPE_LABEL } : {}),
        })
        if (options.calibration) next.setCalibration(options.calibration)
        return next
      }
      const next = train(examples)
      const masker =
        (options.maskNames ?? true)
          ? // Only intents that annotate their examples say where names are (elsewhere they are unmarked).
            NameMasker.train(
              intents
                .map((intent) => parsedExamples(intent))
                .filter((parsed) => parsed.some((example) => example.entities.length > 0))
                .flat(),
            )
          : undefined
      if (masker) named = { masker, classifier: train(examplesOf(intents, useDescriptions, masker)) }
      classifier = next
      options.onTrained?.(next)
    },
    resolve(input) {
      if (!classifier) return undefined
      const want = Math.max(input.limit, 1) + 2
      const result = classifier.classify(input.text, want)
      let ranking = result.ranking
      let threshold = classifier.calibration.threshold
      if (named) {
        // The two readings vote: an intent's confidence is the mean of its confidences in both (0 in a
        // model that does not rank it among its best), and so is the threshold.
        const masked = named.classifier.classify(named.masker.mask(input.text), want)
        const sums = new Map<string, number>()
        for (const entry of result.ranking) sums.set(entry.intent, entry.confidence / 2)
        for (const entry of masked.ranking)
          sums.set(entry.intent, (sums.get(entry.intent) ?? 0) + entry.confidence / 2)
        ranking = sortCandidates([...sums].map(([intent, confidence]) => ({ intent, confidence })))
        threshold = (threshold + named.classifier.calibration.threshold) / 2
      }
      const candidates: StageCandidate[] = ranking.filter((entry) => input.intents.has(entry.intent))
      if (candidates.length === 0) return undefined
      return {
        candidates: candidates.slice(0, input.limit),
        threshold,
        rejected: result.rejectedBy === 'out-of-scope-examples' || result.rejectedBy === 'unknown-words',
        source: 'classifier',
      }
    },
  }
}
