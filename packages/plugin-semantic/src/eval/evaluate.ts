/**
 * Scores a classifier on labelled test examples the standard way for out-of-scope benchmarks: in-scope
 * accuracy counts a rejected in-scope example as wrong; out-of-scope recall is the share of out-of-scope
 * examples rejected. Every query is timed on its own, after one warm-up pass.
 */
import type { IntentClassifier } from '../classifier/classifier.js'
import type { IntentExample } from '../classifier/examples.js'

export interface EvaluationReport {
  /** In-scope examples answered with the right intent (0–1). */
  inScopeAccuracy: number
  /** Out-of-scope examples rejected (0–1); `null` when the test set has none. */
  oosRecall: number | null
  /** In-scope examples wrongly rejected (0–1). */
  inScopeRejected: number
  inScopeExamples: number
  oosExamples: number
  /** Test examples whose intent the classifier does not know (counted as in-scope errors). */
  unknownIntents: number
  medianMicros: number
  p95Micros: number
}

export function evaluate(
  classifier: IntentClassifier,
  test: readonly IntentExample[],
  options: { outOfScopeLabel?: string; onProgress?: (done: number, total: number) => void } = {},
): EvaluationReport {
  const oosLabel = options.outOfScopeLabel
  const known = new Set(classifier.intents)
  for (const example of test) classifier.classify(example.text)
  const micros = new Float64Array(test.length)
  let correct = 0
  let rejectedIn = 0
  let inScope = 0
  let oos = 0
  let oosRejected = 0
  let unknown = 0
  for (let i = 0; i < test.length; i++) {
    const example = test[i]!
    const started = performance.now()
    const result = classifier.classify(example.text, 1)
    micros[i] = (performance.now() - started) * 1000
    if (oosLabel !== undefined && example.intent === oosLabel) {
      oos++
      if (result.outOfScope) oosRejected++
      continue
    }
    inScope++
    if (!known.has(example.intent)) unknown++
    if (result.outOfScope) rejectedIn++
    else if (result.intent === example.intent) correct++
    if ((i + 1) % 500 === 0) options.onProgress?.(i + 1, test.length)
  }
  options.onProgress?.(test.length, test.length)
  micros.sort()
  return {
    inScopeAccuracy: inScope > 0 ? correct / inScope : 0,
    oosRecall: oos > 0 ? oosRejected / oos : null,
    inScopeRejected: inScope > 0 ? rejectedIn / inScope : 0,
    inScopeExamples: inScope,
    oosExamples: oos,
    unknownIntents: unknown,
    medianMicros: quantile(micros, 0.5),
    p95Micros: quantile(micros, 0.95),
  }
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}
