import { describe, expect, it } from 'vitest'
import { trainMulticlassSvm, type SvmTrainingOptions } from '../src/model/multiclass-svm.js'
import { Random } from '../src/model/random.js'
import type { SparseMatrix } from '../src/model/vocabulary.js'
import { separableDataset as dataset } from './helpers.js'

const OPTIONS: SvmTrainingOptions = { c: 1, tolerance: 0.01, maxPasses: 200, biasFeature: 1, seed: 1 }

function scores(weights: ReturnType<typeof trainMulticlassSvm>, matrix: SparseMatrix, i: number): number[] {
  const out = Array.from(weights.bias)
  for (let j = matrix.rowStart[i]!; j < matrix.rowStart[i + 1]!; j++)
    for (let k = 0; k < weights.classes; k++)
      out[k]! += weights.weights[k * weights.features + matrix.columns[j]!]! * matrix.values[j]!
  return out
}

describe('trainMulticlassSvm', () => {
  it('puts every training example of separable data ahead of every other class by about the margin', () => {
    const { matrix, labels, features, classes } = dataset(6, 12)
    const model = trainMulticlassSvm(matrix, labels, features, classes, { ...OPTIONS, c: 10 })
    for (let i = 0; i < matrix.rows; i++) {
      const s = scores(model, matrix, i)
      const label = labels[i]!
      const runnerUp = Math.max(...s.filter((_, k) => k !== label))
      expect(s[label]! - runnerUp).toBeGreaterThan(0.9)
    }
  })

  it('keeps the weights of each feature summing to zero over the classes (the dual constraint)', () => {
    const { matrix, labels, features, classes } = dataset(5, 10)
    const model = trainMulticlassSvm(matrix, labels, features, classes, OPTIONS)
    let largest = 0
    for (let f = 0; f < features; f++) {
      let sum = 0
      for (let k = 0; k < classes; k++) {
        sum += model.weights[k * features + f]!
        largest = Math.max(largest, Math.abs(model.weights[k * features + f]!))
      }
      expect(Math.abs(sum)).toBeLessThan(1e-4)
    }
    expect(largest).toBeGreaterThan(0.1)
    expect(Math.abs(model.bias.reduce((a, b) => a + b, 0))).toBeLessThan(1e-4)
  })

  it('regularises: a smaller c gives smaller weights', () => {
    const { matrix, labels, features, classes } = dataset(4, 10)
    const norm = (c: number) =>
      trainMulticlassSvm(matrix, labels, features, classes, { ...OPTIONS, c }).weights.reduce(
        (sum, w) => sum + w * w,
        0,
      )
    expect(norm(0.05)).toBeLessThan(norm(1) * 0.5)
  })

  it('is deterministic for a seed, and reports its passes, ending at the bound', () => {
    const { matrix, labels, features, classes } = dataset(5, 8)
    const passes: [number, number][] = []
    const a = trainMulticlassSvm(matrix, labels, features, classes, {
      ...OPTIONS,
      onPass: (done, total) => passes.push([done, total]),
    })
    const b = trainMulticlassSvm(matrix, labels, features, classes, OPTIONS)
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights))
    expect(passes.length).toBeGreaterThan(1)
    expect(passes.at(-1)).toEqual([OPTIONS.maxPasses, OPTIONS.maxPasses])
    expect(passes.slice(0, -1).every(([done], i) => done === i + 1)).toBe(true)
  })

  it('stops at maxPasses on a problem it cannot finish', () => {
    const { matrix, labels, features, classes } = dataset(6, 30)
    // Labels that contradict the features: no separation, the gap stays wide.
    const shuffled = new Random(9).shuffle(Int32Array.from(labels))
    const passes: number[] = []
    trainMulticlassSvm(matrix, shuffled, features, classes, {
      ...OPTIONS,
      tolerance: 1e-9,
      maxPasses: 5,
      onPass: (done) => passes.push(done),
    })
    expect(passes).toEqual([1, 2, 3, 4, 5, 5])
  })
})
