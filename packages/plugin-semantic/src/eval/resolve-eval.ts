/**
 * Evaluation through a real engine: the training examples become intents (annotated examples included), every
 * test sentence goes through `engine.resolve()`, and the report gives intent accuracy (a turned-away sentence
 * counts as wrong; out-of-scope rows only count in the out-of-scope recall), closed-set top-1 (the best intent whether or not it passed the threshold) and, when the test
 * rows carry entities, slot precision, recall and F1 over (entity, value) pairs.
 */
import { createEngine, type IntentDefinition } from '@ixp/core'
import type { IntentExample } from '../classifier/examples.js'
import type { ClassifierOptions } from '../classifier/options.js'
import { semantic } from '../plugin.js'
import '../augment.js'

export interface ResolveEvaluation {
  /** Matched with the right intent (0–1). */
  accuracy: number
  /** The best-ranked intent is right, matched or not (0–1). */
  top1: number
  /** Turned away (out of scope or ambiguous) (0–1). */
  rejected: number
  /** Turned away as ambiguous with the right intent among the alternatives (0–1 of all queries). */
  ambiguousWithRight: number
  /** Slot figures, when the test rows carry entities. */
  slots: { precision: number; recall: number; f1: number; gold: number; predicted: number } | null
  testExamples: number
  /** Out-of-scope test rows turned away (0–1); `null` without such rows. They count in no other figure. */
  oosRecall: number | null
  oosExamples: number
  trainMs: number
  medianMicros: number
}

const normal = (value: string) => value.toLowerCase().replace(/\s+/g, ' ').trim()

/** Intents to register for a set of labelled examples (annotated ones keep their entities). */
export function intentsOf(examples: readonly IntentExample[]): IntentDefinition[] {
  const byIntent = new Map<string, IntentDefinition>()
  for (const example of examples) {
    let intent = byIntent.get(example.intent)
    if (!intent) {
      intent = {
        name: example.intent,
        description: example.intent.replace(/[_\-.]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2'),
        component: 'Eval',
        parameters: { type: 'object', properties: {} },
        examples: [],
      }
      byIntent.set(example.intent, intent)
    }
    intent.examples!.push(
      example.entities ? { text: example.text, entities: example.entities } : example.text,
    )
  }
  return [...byIntent.values()]
}

export async function evaluateResolve(
  train: readonly IntentExample[],
  test: readonly IntentExample[],
  options: {
    classifier?: ClassifierOptions
    /** Intent label of out-of-scope test rows. @default 'oos' */
    outOfScopeLabel?: string
    onProgress?: (done: number, total: number) => void
  } = {},
): Promise<ResolveEvaluation> {
  const engine = createEngine({ plugins: [semantic({ classifier: options.classifier, retrainDelayMs: 0 })] })
  engine.registerComponent({ name: 'Eval', render: () => ({ type: 'div', props: {}, children: [] }) })
  for (const intent of intentsOf(train)) engine.registerIntent(intent)
  const started = performance.now()
  await engine.ready()
  const trainMs = performance.now() - started
  let right = 0
  let top1 = 0
  let rejected = 0
  let ambiguousWithRight = 0
  let gold = 0
  let predicted = 0
  let truePositives = 0
  let oos = 0
  let oosRejected = 0
  const oosLabel = options.outOfScopeLabel ?? 'oos'
  const withEntities = test.some((example) => example.entities !== undefined)
  const micros = new Float64Array(test.length)
  for (let i = 0; i < test.length; i++) {
    const example = test[i]!
    const begun = performance.now()
    const outcome = await engine.resolve({ text: example.text, limit: 3 })
    micros[i] = (performance.now() - begun) * 1000
    if (example.intent === oosLabel) {
      oos++
      if (!outcome.matched) oosRejected++
      continue
    }
    const best = outcome.matched ? outcome.intent : outcome.alternatives[0]?.intent
    if (best === example.intent) top1++
    if (outcome.matched && outcome.intent === example.intent) right++
    if (!outcome.matched) {
      rejected++
      if (outcome.reason === 'ambiguous' && outcome.alternatives.some((a) => a.intent === example.intent))
        ambiguousWithRight++
    }
    if (withEntities) {
      const wanted = new Map<string, number>()
      for (const entity of example.entities ?? []) {
        const key = `${entity.entity}\u0000${normal(example.text.slice(entity.start, entity.end))}`
        wanted.set(key, (wanted.get(key) ?? 0) + 1)
        gold++
      }
      for (const slot of outcome.matched ? (outcome.slots ?? []) : []) {
        predicted++
        const key = `${slot.entity}\u0000${normal(slot.text)}`
        const left = wanted.get(key) ?? 0
        if (left > 0) {
          truePositives++
          wanted.set(key, left - 1)
        }
      }
    }
    if ((i + 1) % 500 === 0) options.onProgress?.(i + 1, test.length)
  }
  await engine.close()
  micros.sort()
  const n = Math.max(1, test.length - oos)
  const precision = predicted > 0 ? truePositives / predicted : 0
  const recall = gold > 0 ? truePositives / gold : 0
  return {
    accuracy: right / n,
    top1: top1 / n,
    rejected: rejected / n,
    ambiguousWithRight: ambiguousWithRight / n,
    slots: withEntities
      ? {
          precision,
          recall,
          f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
          gold,
          predicted,
        }
      : null,
    testExamples: test.length - oos,
    oosRecall: oos > 0 ? oosRejected / oos : null,
    oosExamples: oos,
    trainMs,
    medianMicros: micros.length > 0 ? micros[Math.floor((micros.length - 1) / 2)]! : 0,
  }
}
