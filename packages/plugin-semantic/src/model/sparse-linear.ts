/**
 * The inference form of a linear model: per feature, only the classes whose weight matters. Trained
 * weights are mostly zero or negligible (a character n-gram speaks for a handful of intents), so scoring a
 * query touches a few thousand numbers instead of features × classes.
 */
import type { LinearWeights } from './multiclass-svm.js'
import type { SparseMatrix } from './vocabulary.js'

export interface SparseLinearModel {
  classes: number
  features: number
  /** Entries of feature `f` are `rowStart[f]` to `rowStart[f + 1]`. */
  rowStart: Int32Array
  classIndex: Uint16Array
  weights: Float32Array
  bias: Float32Array
}

/**
 * Keeps the weights of the first `classes` classes of each weight set whose typical contribution to a
 * score, `|weight| × typicalValue[feature]`, is at least `pruneBelow`: a large weight on a feature that
 * always has a tiny value moves no decision. The sets are stacked: set `s`'s class `k` becomes class
 * `s × classes + k`, so one pass over a query's features scores them all. Reads class-major weights,
 * writes feature-major rows.
 */
export function sparsify(
  sets: readonly LinearWeights[],
  classes: number,
  typicalValue: Float32Array,
  pruneBelow: number,
): SparseLinearModel {
  const features = sets[0]!.features
  const kept = (w: number, f: number) => w !== 0 && (w < 0 ? -w : w) * typicalValue[f]! >= pruneBelow
  // Two class-major sweeps (count per feature, then place): contiguous reads, ascending classes per row.
  const rowStart = new Int32Array(features + 1)
  for (const { weights } of sets)
    for (let k = 0; k < classes; k++) {
      const base = k * features
      for (let f = 0; f < features; f++) if (kept(weights[base + f]!, f)) rowStart[f + 1]!++
    }
  for (let f = 0; f < features; f++) rowStart[f + 1] = rowStart[f + 1]! + rowStart[f]!
  const total = rowStart[features]!
  const classIndex = new Uint16Array(total)
  const values = new Float32Array(total)
  const fill = rowStart.slice(0, features)
  const bias = new Float32Array(sets.length * classes)
  sets.forEach(({ weights, bias: setBias }, set) => {
    bias.set(setBias.subarray(0, classes), set * classes)
    for (let k = 0; k < classes; k++) {
      const base = k * features
      for (let f = 0; f < features; f++) {
        const w = weights[base + f]!
        if (kept(w, f)) {
          const p = fill[f]!
          classIndex[p] = set * classes + k
          values[p] = w
          fill[f] = p + 1
        }
      }
    }
  })
  return { classes: sets.length * classes, features, rowStart, classIndex, weights: values, bias }
}

/** Class scores of one sparse vector, written into `out`. */
export function scoreSparse(
  model: SparseLinearModel,
  rows: Int32Array,
  values: Float32Array,
  nnz: number,
  out: Float64Array,
): void {
  const { rowStart, classIndex, weights, bias, classes } = model
  for (let c = 0; c < classes; c++) out[c] = bias[c]!
  for (let j = 0; j < nnz; j++) {
    const f = rows[j]!
    const x = values[j]!
    const end = rowStart[f + 1]!
    for (let p = rowStart[f]!; p < end; p++) {
      const c = classIndex[p]!
      out[c] = out[c]! + x * weights[p]!
    }
  }
}

/** The mean non-zero value of every feature (column) of a matrix. */
export function meanColumnValues(matrix: SparseMatrix, features: number): Float32Array {
  const sum = new Float64Array(features)
  const count = new Int32Array(features)
  for (let j = 0; j < matrix.columns.length; j++) {
    const f = matrix.columns[j]!
    sum[f] = sum[f]! + matrix.values[j]!
    count[f]!++
  }
  const mean = new Float32Array(features)
  for (let f = 0; f < features; f++) mean[f] = count[f]! > 0 ? sum[f]! / count[f]! : 0
  return mean
}
