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
import { exampleText } from '../slots/annotations.js'
import { aliasesOf } from './exact.js'
import type { ResolverStage, StageCandidate } from './types.js'

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
  /** Called after every (re)training with the classifier's figures. @default undefined */
  onTrained?: (classifier: IntentClassifier) => void
}

/** Training examples of a set of intents: their examples, and optionally description, name and aliases. */
export function examplesOf(intents: readonly IntentDefinition[], useDescriptions = true): IntentExample[] {
  const examples: IntentExample[] = []
  for (const intent of intents) {
    for (const example of intent.examples ?? []) {
      const text = exampleText(example)
      if (text.trim()) examples.push({ text, intent: intent.name })
    }
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
  return {
    name: 'classifier',
    get classifier() {
      return classifier
    },
    prepare(intents) {
      if (fixed) return
      const examples = examplesOf(intents, options.useDescriptions ?? true)
      if (examples.length === 0) {
        classifier = undefined
        return
      }
      const rejected = (options.outOfScopeExamples ?? []).filter(
        (text) => typeof text === 'string' && text.trim(),
      )
      for (const text of rejected) examples.push({ text, intent: OUT_OF_SCOPE_LABEL })
      const next = IntentClassifier.train(examples, {
        ...options.training,
        ...(rejected.length > 0 ? { outOfScopeLabel: OUT_OF_SCOPE_LABEL } : {}),
      })
      if (options.calibration) next.setCalibration(options.calibration)
      classifier = next
      options.onTrained?.(next)
    },
    resolve(input) {
      if (!classifier) return undefined
      const result = classifier.classify(input.text, Math.max(input.limit, 1) + 2)
      const candidates: StageCandidate[] = result.ranking.filter((entry) => input.intents.has(entry.intent))
      if (candidates.length === 0) return undefined
      return {
        candidates: candidates.slice(0, input.limit),
        threshold: classifier.calibration.threshold,
        rejected: result.rejectedBy === 'out-of-scope-examples' || result.rejectedBy === 'unknown-words',
        source: 'classifier',
      }
    },
  }
}
