/**
 * One-vs-rest linear support vector machines (squared hinge loss) trained by dual coordinate descent
 * (Hsieh et al., 2008). Each says how much a text looks like one intent's examples rather than anything
 * else, an absolute score: the classifier's confidences come from these. Trained in two phases chosen for
 * the memory layout each one wants:
 *
 * 1. The first pass runs example by example over every class at once: the scores of one example against
 *    all classes are a walk over contiguous feature-major rows. Pairs (example, class) already outside the
 *    margin leave the problem here — after one pass that is most of them.
 * 2. The remaining passes run class by class over that class's surviving examples, against one weight
 *    vector that fits in cache, with the usual shrinking.
 *
 * The class problems are independent, so the result is the same kind of solution as training them one
 * after another; it is deterministic for a given seed.
 */
import { addExampleToClasses, addRowScores, toClassMajor } from './feature-major.js'
import { Random } from './random.js'
import type { LinearWeights } from './multiclass-svm.js'
import type { SparseMatrix } from './vocabulary.js'

export interface OneVsRestOptions {
  /** Inverse regularisation strength. */
  c: number
  /** A class stops when its projected-gradient spread falls below this. */
  tolerance: number
  /** Upper bound of passes over the examples (the first, shared pass included). */
  maxPasses: number
  /** Value of the constant feature that carries the bias. */
  biasFeature: number
  /** A non-support pair outside the margin by more than this leaves the problem. */
  shrinkMargin: number
  /** Seed of the example order. */
  seed: number
  /** Called as classes finish (progress reports). */
  onClass?: (done: number, total: number) => void
}

export function trainOneVsRestSvm(
  matrix: SparseMatrix,
  labels: Int32Array,
  features: number,
  classes: number,
  options: OneVsRestOptions,
): LinearWeights {
  const { rowStart, columns, values } = matrix
  const n = matrix.rows
  const C = classes
  const diag = 1 / (2 * options.c)
  const { biasFeature, shrinkMargin, tolerance } = options
  const qii = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let sum = biasFeature * biasFeature + diag
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) sum += values[j]! * values[j]!
    qii[i] = sum
  }
  const random = new Random(options.seed)
  const bias = new Float64Array(C)

  // Phase 1: one pass, example by example, every class at once.
  const featureMajor = new Float32Array(features * C)
  const dots = new Float64Array(C)
  const deltas = new Float64Array(C)
  const changed = new Int32Array(C)
  // Surviving pairs, appended in example order, then grouped by class.
  let pairClass = new Int32Array(n * 4)
  let pairExample = new Int32Array(n * 4)
  let pairAlpha = new Float64Array(n * 4)
  let pairs = 0
  const keep = (k: number, i: number, alpha: number) => {
    if (pairs === pairClass.length) {
      const grow = <T extends Int32Array | Float64Array>(old: T, next: T): T => {
        next.set(old)
        return next
      }
      pairClass = grow(pairClass, new Int32Array(pairs * 2))
      pairExample = grow(pairExample, new Int32Array(pairs * 2))
      pairAlpha = grow(pairAlpha, new Float64Array(pairs * 2))
    }
    pairClass[pairs] = k
    pairExample[pairs] = i
    pairAlpha[pairs] = alpha
    pairs++
  }
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  random.shuffle(order)
  for (let s = 0; s < n; s++) {
    const i = order[s]!
    const label = labels[i]!
    const start = rowStart[i]!
    const end = rowStart[i + 1]!
    dots.fill(0)
    addRowScores(featureMajor, C, columns, values, start, end, dots)
    let nChanged = 0
    for (let k = 0; k < C; k++) {
      const y = k === label ? 1 : -1
      const g = y * (dots[k]! + bias[k]! * biasFeature) - 1
      if (g < 0) {
        const alpha = -g / qii[i]!
        const delta = alpha * y
        bias[k] = bias[k]! + delta * biasFeature
        deltas[nChanged] = delta
        changed[nChanged++] = k
        keep(k, i, alpha)
      } else if (g <= shrinkMargin) keep(k, i, 0)
    }
    addExampleToClasses(featureMajor, C, columns, values, start, end, changed, deltas, nChanged)
  }

  // Phase 2: class by class over the surviving pairs.
  const weights = toClassMajor(featureMajor, features, C)
  const classStart = new Int32Array(C + 1)
  for (let p = 0; p < pairs; p++) classStart[pairClass[p]! + 1]!++
  for (let k = 0; k < C; k++) classStart[k + 1] = classStart[k + 1]! + classStart[k]!
  const groupedExample = new Int32Array(pairs)
  const groupedAlpha = new Float64Array(pairs)
  const fill = classStart.slice(0, C)
  for (let p = 0; p < pairs; p++) {
    const at = fill[pairClass[p]!]!++
    groupedExample[at] = pairExample[p]!
    groupedAlpha[at] = pairAlpha[p]!
  }
  for (let k = 0; k < C; k++) {
    const w = weights.subarray(k * features, (k + 1) * features)
    const index = groupedExample.subarray(classStart[k]!, classStart[k + 1]!)
    const alpha = groupedAlpha.subarray(classStart[k]!, classStart[k + 1]!)
    // Position in `index` → position in `alpha`, kept in step by swapping both.
    let b = bias[k]!
    let activeSize = index.length
    let maxOld = Infinity
    for (let pass = 1; pass < options.maxPasses && activeSize > 0; pass++) {
      let maxPg = -Infinity
      let minPg = Infinity
      for (let s = activeSize - 1; s > 0; s--) {
        const t = random.int(s + 1)
        const ti = index[s]!
        index[s] = index[t]!
        index[t] = ti
        const ta = alpha[s]!
        alpha[s] = alpha[t]!
        alpha[t] = ta
      }
      for (let s = 0; s < activeSize; s++) {
        const i = index[s]!
        const y = labels[i] === k ? 1 : -1
        const start = rowStart[i]!
        const end = rowStart[i + 1]!
        // Two accumulators: the gathers of consecutive features overlap.
        let dot0 = b * biasFeature
        let dot1 = 0
        let j = start
        for (; j + 1 < end; j += 2) {
          dot0 += w[columns[j]!]! * values[j]!
          dot1 += w[columns[j + 1]!]! * values[j + 1]!
        }
        if (j < end) dot0 += w[columns[j]!]! * values[j]!
        const dot = dot0 + dot1
        const a = alpha[s]!
        const g = y * dot - 1 + diag * a
        let pg = 0
        if (a === 0) {
          if (g > maxOld || g > shrinkMargin) {
            activeSize--
            index[s] = index[activeSize]!
            index[activeSize] = i
            alpha[s] = alpha[activeSize]!
            alpha[activeSize] = a
            s--
            continue
          }
          if (g < 0) pg = g
        } else pg = g
        if (pg > maxPg) maxPg = pg
        if (pg < minPg) minPg = pg
        if (pg > 1e-12 || pg < -1e-12) {
          const next = Math.max(a - g / qii[i]!, 0)
          const delta = (next - a) * y
          alpha[s] = next
          for (let j = start; j < end; j++) w[columns[j]!] = w[columns[j]!]! + delta * values[j]!
          b += delta * biasFeature
        }
      }
      if (maxPg - minPg <= tolerance) break
      maxOld = maxPg > 0 ? maxPg : Infinity
    }
    bias[k] = b
    options.onClass?.(k + 1, C)
  }
  const outBias = new Float32Array(C)
  for (let k = 0; k < C; k++) outBias[k] = bias[k]! * biasFeature
  return { classes: C, features, weights, bias: outBias }
}
