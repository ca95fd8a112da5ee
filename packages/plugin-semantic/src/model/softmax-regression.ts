/**
 * Multinomial logistic regression over sparse rows, trained by stochastic gradient descent with L2 weight
 * decay. Weights are feature-major (`weights[feature * classes + class]`) so that scoring a sparse vector
 * walks contiguous memory. Weight decay is a global scale factor, so a step touches only the features of
 * one example, and classes whose gradient is negligible are skipped.
 */
import { Random } from './random.js'
import type { SparseMatrix } from './vocabulary.js'

export interface SoftmaxTrainingOptions {
  epochs: number
  /** Initial learning rate. */
  learningRate: number
  /** L2 regularisation strength (per example). */
  l2: number
  /** Seed of the example order. */
  seed: number
  /** Gradient entries smaller than this are skipped (they barely move the weights and cost the most). */
  gradientFloor: number
  /** Called after every epoch (progress reports). */
  onEpoch?: (epoch: number) => void
}

export interface SoftmaxWeights {
  classes: number
  features: number
  weights: Float32Array
  bias: Float32Array
}

export function trainSoftmax(
  matrix: SparseMatrix,
  labels: Int32Array,
  features: number,
  classes: number,
  options: SoftmaxTrainingOptions,
): SoftmaxWeights {
  const { rowStart, columns, values } = matrix
  const weights = new Float32Array(features * classes)
  const bias = new Float32Array(classes)
  const scores = new Float64Array(classes)
  const active = new Int32Array(classes)
  const random = new Random(options.seed)
  const order = new Int32Array(matrix.rows)
  for (let i = 0; i < order.length; i++) order[i] = i
  // Weights are stored divided by `scale`; decaying all of them is one multiplication of `scale`.
  let scale = 1
  const total = options.epochs * matrix.rows
  let step = 0
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    random.shuffle(order)
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!
      const start = rowStart[i]!
      const end = rowStart[i + 1]!
      const label = labels[i]!
      // Linearly decaying learning rate: big steps first, fine ones at the end.
      const eta = options.learningRate * (1 - step / total) + 1e-4
      step++
      for (let c = 0; c < classes; c++) scores[c] = bias[c]!
      for (let j = start; j < end; j++) {
        const base = columns[j]! * classes
        const x = values[j]! * scale
        for (let c = 0; c < classes; c++) scores[c] = scores[c]! + x * weights[base + c]!
      }
      let max = -Infinity
      for (let c = 0; c < classes; c++) if (scores[c]! > max) max = scores[c]!
      let sum = 0
      for (let c = 0; c < classes; c++) {
        const e = Math.exp(scores[c]! - max)
        scores[c] = e
        sum += e
      }
      let nActive = 0
      for (let c = 0; c < classes; c++) {
        const g = scores[c]! / sum - (c === label ? 1 : 0)
        scores[c] = g
        if (g > options.gradientFloor || g < -options.gradientFloor) active[nActive++] = c
      }
      for (let a = 0; a < nActive; a++) {
        const c = active[a]!
        bias[c] = bias[c]! - eta * scores[c]!
      }
      scale *= 1 - eta * options.l2
      const update = eta / scale
      for (let j = start; j < end; j++) {
        const base = columns[j]! * classes
        const x = values[j]! * update
        for (let a = 0; a < nActive; a++) {
          const c = active[a]!
          weights[base + c] = weights[base + c]! - x * scores[c]!
        }
      }
      if (scale < 1e-6) {
        for (let w = 0; w < weights.length; w++) weights[w] = weights[w]! * scale
        scale = 1
      }
    }
    options.onEpoch?.(epoch + 1)
  }
  if (scale !== 1) for (let w = 0; w < weights.length; w++) weights[w] = weights[w]! * scale
  return { classes, features, weights, bias }
}

/** Raw class scores (logits) of one sparse vector, written into `out`. */
export function scoreSoftmax(
  model: SoftmaxWeights,
  rows: Int32Array,
  values: Float32Array,
  nnz: number,
  out: Float64Array,
): void {
  const { classes, weights, bias } = model
  for (let c = 0; c < classes; c++) out[c] = bias[c]!
  for (let j = 0; j < nnz; j++) {
    const base = rows[j]! * classes
    const x = values[j]!
    for (let c = 0; c < classes; c++) out[c] = out[c]! + x * weights[base + c]!
  }
}
