/**
 * A multiclass linear support vector machine (Crammer & Singer, 2001) trained by sequential dual
 * coordinate descent (Keerthi et al., 2008). Unlike one SVM per class, each trained against all the others,
 * it asks for one thing: the right class must beat every other class by a margin. On fine-grained intent
 * sets (many intents that differ by a word or two) that is the question that matters: ranking by it is
 * worth about a third of a point of accuracy on BANKING77 and HWU64. Its scores are only relative (each
 * feature's weights sum to zero over the classes), so the classifier takes confidences elsewhere.
 *
 * Each step takes one example and solves its small problem exactly: how much of the example to add to its
 * own class's weights and to take from the classes that come too close. Classes that stay far behind an
 * example leave its problem ("shrinking"), so after the first passes a step touches a handful of classes
 * instead of all of them. Weights are kept feature-major, so the scores of one example against its active
 * classes are reads from a few contiguous rows.
 */
import { addExampleToClasses, addRowScores, toClassMajor } from './feature-major.js'
import { Random } from './random.js'
import type { SparseMatrix } from './vocabulary.js'

export interface SvmTrainingOptions {
  /** Inverse regularisation strength. */
  c: number
  /** Training stops when no example's optimality gap exceeds this. */
  tolerance: number
  /** Upper bound of passes over the (active) examples. */
  maxPasses: number
  /** Value of the constant feature that carries the bias. */
  biasFeature: number
  /** Seed of the example order. */
  seed: number
  /** Called after each pass with its number and `maxPasses`, and with `(maxPasses, maxPasses)` when done. */
  onPass?: (done: number, total: number) => void
}

export interface LinearWeights {
  classes: number
  features: number
  /** Class-major: `weights[class * features + feature]`. */
  weights: Float32Array
  bias: Float32Array
}

/** Gaps below this are rounding noise: the example is already optimal. */
const NO_GAP = 1e-12

export function trainMulticlassSvm(
  matrix: SparseMatrix,
  labels: Int32Array,
  features: number,
  classes: number,
  options: SvmTrainingOptions,
): LinearWeights {
  const { rowStart, columns, values } = matrix
  const n = matrix.rows
  const C = classes
  const { c, tolerance, biasFeature } = options
  const biasRow = features * C
  // Feature-major weights, the bias feature's row last: `w[feature * C + class]`.
  const w = new Float32Array((features + 1) * C)
  // Dual variables by example and class. The label's is in [0, c], the others' ≤ 0, and they sum to 0.
  const alpha = new Float64Array(n * C)
  // Per example, its classes in an order that keeps the active ones first, and where its label sits.
  const order = new Uint16Array(n * C)
  const activeClasses = new Int32Array(n)
  const labelAt = new Int32Array(n)
  const squaredNorm = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < C; k++) order[i * C + k] = k
    activeClasses[i] = C
    labelAt[i] = labels[i]!
    let sum = biasFeature * biasFeature
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) sum += values[j]! * values[j]!
    squaredNorm[i] = sum
  }
  const examples = new Int32Array(n)
  for (let i = 0; i < n; i++) examples[i] = i
  let activeExamples = n

  // Scratch, in an example's class order: gradients, the sub-problem's linear terms, sorted copy, changes.
  const gradient = new Float64Array(C)
  const scores = new Float64Array(C)
  const linear = new Float64Array(C)
  const sorted = new Float64Array(C)
  const changedClass = new Int32Array(C)
  const changedDelta = new Float64Array(C)

  const random = new Random(options.seed)
  // Shrinking is tried against a looser gap first; at the end, every example and class is checked again.
  let shrinkTolerance = Math.max(10 * tolerance, 1)
  let checkedAll = true
  let pass = 0
  while (pass < options.maxPasses) {
    let widestGap = -Infinity
    for (let s = activeExamples - 1; s > 0; s--) {
      const t = random.int(s + 1)
      const swap = examples[s]!
      examples[s] = examples[t]!
      examples[t] = swap
    }
    for (let s = 0; s < activeExamples; s++) {
      const i = examples[s]!
      const base = i * C
      const label = labels[i]!
      const start = rowStart[i]!
      const end = rowStart[i + 1]!
      let active = activeClasses[i]!
      let at = labelAt[i]!
      // Gradient of each active class: its score, plus the margin it must keep below the label's.
      if (active * 2 > C) {
        // Most classes are active: score them all along contiguous rows, then pick.
        for (let k = 0; k < C; k++) scores[k] = biasFeature * w[biasRow + k]!
        addRowScores(w, C, columns, values, start, end, scores)
        for (let m = 0; m < active; m++) {
          const k = order[base + m]!
          gradient[m] = (k === label ? 0 : 1) + scores[k]!
        }
      } else {
        for (let m = 0; m < active; m++) {
          const k = order[base + m]!
          gradient[m] = (k === label ? 0 : 1) + biasFeature * w[biasRow + k]!
        }
        for (let j = start; j < end; j++) {
          const row = columns[j]! * C
          const x = values[j]!
          for (let m = 0; m < active; m++) gradient[m] = gradient[m]! + x * w[row + order[base + m]!]!
        }
      }
      let minGradient = Infinity
      let maxGradient = -Infinity
      for (let m = 0; m < active; m++) {
        const g = gradient[m]!
        if (alpha[base + order[base + m]!]! < 0 && g < minGradient) minGradient = g
        if (g > maxGradient) maxGradient = g
      }
      if (at < active && alpha[base + label]! < c && gradient[at]! < minGradient) minGradient = gradient[at]!
      // A class at its bound whose gradient is below every free one will not move: it leaves the problem.
      for (let m = 0; m < active; m++) {
        if (!staysPut(alpha[base + order[base + m]!]!, m === at ? c : 0, gradient[m]!, minGradient)) continue
        active--
        while (active > m) {
          if (
            !staysPut(
              alpha[base + order[base + active]!]!,
              active === at ? c : 0,
              gradient[active]!,
              minGradient,
            )
          ) {
            const k = order[base + m]!
            order[base + m] = order[base + active]!
            order[base + active] = k
            const g = gradient[m]!
            gradient[m] = gradient[active]!
            gradient[active] = g
            if (at === active) at = m
            else if (at === m) at = active
            break
          }
          active--
        }
      }
      activeClasses[i] = active
      labelAt[i] = at
      if (active <= 1) {
        activeExamples--
        examples[s] = examples[activeExamples]!
        examples[activeExamples] = i
        s--
        continue
      }
      const gap = maxGradient - minGradient
      if (gap <= NO_GAP) continue
      if (gap > widestGap) widestGap = gap
      const a = squaredNorm[i]!
      for (let m = 0; m < active; m++) {
        const b = gradient[m]! - a * alpha[base + order[base + m]!]!
        linear[m] = b
        sorted[m] = m === at ? b + a * c : b
      }
      const beta = subProblemThreshold(sorted.subarray(0, active), a, c)
      let changed = 0
      for (let m = 0; m < active; m++) {
        const k = order[base + m]!
        const bound = m === at ? c : 0
        const next = Math.min(bound, (beta - linear[m]!) / a)
        const delta = next - alpha[base + k]!
        if (delta > NO_GAP || delta < -NO_GAP) {
          alpha[base + k] = next
          changedClass[changed] = k
          changedDelta[changed++] = delta
        }
      }
      if (changed === 0) continue
      addExampleToClasses(w, C, columns, values, start, end, changedClass, changedDelta, changed)
      for (let u = 0; u < changed; u++) {
        const k = changedClass[u]!
        w[biasRow + k] = w[biasRow + k]! + biasFeature * changedDelta[u]!
      }
    }
    pass++
    options.onPass?.(pass, options.maxPasses)
    if (widestGap < shrinkTolerance) {
      if (widestGap < tolerance && checkedAll) break
      // Converged on what is still active: bring every example and class back and check once more.
      activeExamples = n
      activeClasses.fill(C)
      shrinkTolerance = Math.max(shrinkTolerance / 2, tolerance)
      checkedAll = true
    } else checkedAll = false
  }
  options.onPass?.(options.maxPasses, options.maxPasses)

  const weights = toClassMajor(w, features, C)
  const bias = new Float32Array(C)
  for (let k = 0; k < C; k++) bias[k] = w[biasRow + k]! * biasFeature
  return { classes: C, features, weights, bias }
}

/** A class at its bound whose gradient is below every free one's will not move this pass. */
function staysPut(alpha: number, bound: number, gradient: number, minGradient: number): boolean {
  return alpha === bound && gradient < minGradient
}

/**
 * The threshold β of one example's sub-problem: every class's new dual variable is
 * `min(bound, (β − linear) / a)`, and β makes them sum to zero (the label's at its bound `labelBound` when it
 * is no longer active). `terms` holds each active class's linear term, the label's raised by
 * `a × labelBound`; it is sorted in place.
 */
function subProblemThreshold(terms: Float64Array, a: number, labelBound: number): number {
  terms.sort()
  const last = terms.length - 1
  let beta = terms[last]! - a * labelBound
  let r = 1
  while (r <= last && beta < r * terms[last - r]!) {
    beta += terms[last - r]!
    r++
  }
  return beta / r
}
