import { describe, expect, it } from 'vitest'
import { IntentClassifier } from '../src/index.js'
import { decodeFloat32 } from '../src/model/base64.js'
import { scoreSparse, type SparseLinearModel } from '../src/model/sparse-linear.js'
import { trainSparseOneVsRest, type SparseOneVsRestOptions } from '../src/model/sparse-one-vs-rest.js'
import type { SparseMatrix } from '../src/model/vocabulary.js'
import { separableDataset as dataset } from './helpers.js'

function options(features: number, overrides: Partial<SparseOneVsRestOptions> = {}): SparseOneVsRestOptions {
  return {
    c: 1,
    tolerance: 0.01,
    maxPasses: 50,
    biasFeature: 1,
    seed: 1,
    candidates: 4,
    randomNegatives: 8,
    maxPostings: 32,
    pruneBelow: 0,
    typicalValue: new Float32Array(features).fill(1),
    ...overrides,
  }
}

function scoresOf(model: SparseLinearModel, matrix: SparseMatrix, i: number): Float64Array {
  const out = new Float64Array(model.classes)
  const from = matrix.rowStart[i]!
  const to = matrix.rowStart[i + 1]!
  scoreSparse(model, matrix.columns.subarray(from, to), matrix.values.subarray(from, to), to - from, out)
  return out
}

describe('trainSparseOneVsRest', () => {
  it('ranks every training example of separable data under its own class, with a positive score', () => {
    const { matrix, labels, features, classes } = dataset(40, 8)
    // Every feature informs retrieval here (the shared noise features are in all 40 centroids).
    const model = trainSparseOneVsRest(
      matrix,
      labels,
      features,
      classes,
      options(features, { maxPostings: 64 }),
    )
    for (let i = 0; i < matrix.rows; i++) {
      const scores = scoresOf(model, matrix, i)
      const label = labels[i]!
      expect(scores[label]!).toBeGreaterThan(0)
      for (let k = 0; k < classes; k++) if (k !== label) expect(scores[k]!).toBeLessThan(scores[label]!)
    }
  })

  it('gives text with none of a class’s features a negative score for it (the bias learns from negatives)', () => {
    const { matrix, labels, features, classes } = dataset(40, 8)
    const model = trainSparseOneVsRest(matrix, labels, features, classes, options(features))
    const empty = new Float64Array(classes)
    scoreSparse(model, new Int32Array(0), new Float32Array(0), 0, empty)
    for (let k = 0; k < classes; k++) expect(empty[k]!).toBeLessThan(0)
  })

  it('keeps rows in feature order with classes ascending, and is deterministic for a seed', () => {
    const { matrix, labels, features, classes } = dataset(30, 6)
    const a = trainSparseOneVsRest(matrix, labels, features, classes, options(features))
    const b = trainSparseOneVsRest(matrix, labels, features, classes, options(features))
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights))
    expect(Array.from(a.classIndex)).toEqual(Array.from(b.classIndex))
    expect(a.rowStart[features]).toBe(a.weights.length)
    for (let f = 0; f < features; f++)
      for (let p = a.rowStart[f]! + 1; p < a.rowStart[f + 1]!; p++)
        expect(a.classIndex[p]!).toBeGreaterThan(a.classIndex[p - 1]!)
  })

  it('drops weights whose typical contribution is under pruneBelow', () => {
    const { matrix, labels, features, classes } = dataset(30, 6)
    const all = trainSparseOneVsRest(matrix, labels, features, classes, options(features))
    const pruned = trainSparseOneVsRest(
      matrix,
      labels,
      features,
      classes,
      options(features, { pruneBelow: 0.05 }),
    )
    expect(pruned.weights.length).toBeLessThan(all.weights.length)
    for (const w of pruned.weights) expect(Math.abs(w)).toBeGreaterThanOrEqual(0.05)
  })
})

describe("IntentClassifier with trainer: 'sparse'", () => {
  const examples = [
    ...['where is my order', 'track my package', 'has my order shipped', 'when will my parcel arrive'].map(
      (text) => ({
        intent: 'order_status',
        text,
      }),
    ),
    ...['what time do you open', 'store opening hours', 'are you open on sunday', 'when do you close'].map(
      (text) => ({ intent: 'store_hours', text }),
    ),
    ...[
      'i want a refund',
      'give me my money back',
      'return this item for a refund',
      'refund my purchase',
    ].map((text) => ({ intent: 'refund', text })),
  ]

  it('classifies like the exact trainer on a small set and survives a JSON round trip', () => {
    const sparse = IntentClassifier.train(examples, { trainer: 'sparse', calibrationFolds: 0 })
    for (const [text, intent] of [
      ['where is my package', 'order_status'],
      ['what are your opening hours', 'store_hours'],
      ['can i get a refund', 'refund'],
    ] as const)
      expect(sparse.classify(text).ranking[0]!.intent).toBe(intent)
    const restored = IntentClassifier.fromJSON(JSON.parse(JSON.stringify(sparse)))
    expect(restored.classify('track my parcel')).toEqual(sparse.classify('track my parcel'))
  })

  it('stores one score per label (its scores also rank), where the exact trainer stores two', () => {
    const scoresPerLabel = (trainer: 'exact' | 'sparse') => {
      const json = IntentClassifier.train(examples, { trainer, calibrationFolds: 0 }).toJSON()
      return decodeFloat32(json.arrays.bias)!.length / json.labels.length
    }
    expect(scoresPerLabel('sparse')).toBe(1)
    expect(scoresPerLabel('exact')).toBe(2)
    // 'auto' trains small sets exactly.
    const auto = IntentClassifier.train(examples, { calibrationFolds: 0 }).toJSON()
    expect(decodeFloat32(auto.arrays.bias)!.length).toBe(2 * auto.labels.length)
  })

  it('refuses an unknown trainer with SEMANTIC_INVALID_OPTIONS', () => {
    expect(() => IntentClassifier.train(examples, { trainer: 'fast' as 'exact' })).toThrow(
      expect.objectContaining({
        code: 'SEMANTIC_INVALID_OPTIONS',
        message: expect.stringContaining("'trainer'"),
      }),
    )
  })
})
