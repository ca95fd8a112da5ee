/**
 * One-vs-rest linear SVMs for large intent sets (thousands of intents), trained without any
 * `features × classes` or `examples × classes` array: time and memory grow about linearly with the number
 * of examples.
 *
 * The exact trainer (`one-vs-rest-svm.ts`) lets every example take part in every intent's problem. With
 * 10,000 intents that is 10⁹ (example, intent) pairs and a dense weight table of tens of gigabytes, while
 * almost all of those pairs are examples of an unrelated intent that any bias keeps far outside the margin.
 * Here each intent trains against the examples that could come close to it:
 *
 * 1. **Hard negatives by retrieval.** Every intent's examples are summed into a centroid; each example is
 *    scored against the centroids through an inverted index over its informative features (features that
 *    occur in at most `maxPostings` intents — the common ones speak for nobody), and the `candidates`
 *    intents it comes closest to, its own excepted, take it as a negative.
 * 2. **Random negatives** (`randomNegatives` per intent) ground the bias on typical unrelated text, which
 *    is what an out-of-scope query looks like.
 * 3. **Per-intent dual coordinate descent** (Hsieh et al., 2008, squared hinge, as the exact trainer) on
 *    the intent's examples and its negatives, with a dense scratch weight vector reused across intents;
 *    the weights that matter are appended to the sparse model at once.
 *
 * Deterministic for a seed.
 */
import { Random } from './random.js'
import type { SparseLinearModel } from './sparse-linear.js'
import type { SparseMatrix } from './vocabulary.js'

export interface SparseOneVsRestOptions {
  /** Inverse regularisation strength. */
  c: number
  /** An intent's problem stops when its projected-gradient spread falls below this. */
  tolerance: number
  /** Upper bound of passes over an intent's examples. */
  maxPasses: number
  /** Value of the constant feature that carries the bias. */
  biasFeature: number
  /** Seed of the example order and the random negatives. */
  seed: number
  /** Intents (besides its own) that take each example as a hard negative. */
  candidates: number
  /** Random negatives per intent. */
  randomNegatives: number
  /** A feature in more intents' centroids than this is not used for retrieval. */
  maxPostings: number
  /** Weights whose typical contribution (`|w| × typicalValue[f]`) is below this are not kept. */
  pruneBelow: number
  /** The typical (mean non-zero) value of every feature. */
  typicalValue: Float32Array
  /** Called as intents finish (progress reports). */
  onClass?: (done: number, total: number) => void
}

/** Growable parallel arrays of (class, feature, weight) entries. */
class EntryList {
  cls = new Int32Array(1 << 16)
  feature = new Int32Array(1 << 16)
  weight = new Float32Array(1 << 16)
  size = 0

  push(cls: number, feature: number, weight: number): void {
    if (this.size === this.feature.length) {
      this.cls = grow(this.cls, new Int32Array(this.size * 2))
      this.feature = grow(this.feature, new Int32Array(this.size * 2))
      this.weight = grow(this.weight, new Float32Array(this.size * 2))
    }
    this.cls[this.size] = cls
    this.feature[this.size] = feature
    this.weight[this.size++] = weight
  }

  /** As feature-major rows (`start[f] … start[f + 1]`), classes ascending within a row when pushed so. */
  byFeature(features: number): { start: Int32Array; cls: Int32Array; weight: Float32Array } {
    const { start, items } = groupBy(
      features,
      this.size,
      (p) => this.feature[p]!,
      (p) => p,
    )
    const cls = new Int32Array(this.size)
    const weight = new Float32Array(this.size)
    for (let p = 0; p < this.size; p++) {
      cls[p] = this.cls[items[p]!]!
      weight[p] = this.weight[items[p]!]!
    }
    return { start, cls, weight }
  }
}

function grow<T extends Int32Array | Float32Array>(old: T, next: T): T {
  next.set(old)
  return next
}

/** Example indices grouped by a key in `[0, keys)`: `items[start[k] … start[k + 1]]` (counting sort). */
function groupBy(keys: number, count: number, keyOf: (p: number) => number, itemOf: (p: number) => number) {
  const start = new Int32Array(keys + 1)
  for (let p = 0; p < count; p++) start[keyOf(p) + 1]!++
  for (let k = 0; k < keys; k++) start[k + 1] = start[k + 1]! + start[k]!
  const items = new Int32Array(count)
  const fill = start.slice(0, keys)
  for (let p = 0; p < count; p++) items[fill[keyOf(p)]!++] = itemOf(p)
  return { start, items }
}

/** Each intent's examples summed, as feature-major postings `feature → (class, value)`. */
function centroidPostings(
  matrix: SparseMatrix,
  byClass: ReturnType<typeof groupBy>,
  features: number,
  classes: number,
) {
  const { rowStart, columns, values } = matrix
  const sum = new Float64Array(features)
  const stamp = new Int32Array(features).fill(-1)
  const touched = new Int32Array(features)
  const entries = new EntryList()
  for (let k = 0; k < classes; k++) {
    let nTouched = 0
    for (let p = byClass.start[k]!; p < byClass.start[k + 1]!; p++) {
      const i = byClass.items[p]!
      for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) {
        const f = columns[j]!
        if (stamp[f] !== k) {
          stamp[f] = k
          sum[f] = 0
          touched[nTouched++] = f
        }
        sum[f] = sum[f]! + values[j]!
      }
    }
    for (let t = 0; t < nTouched; t++) entries.push(k, touched[t]!, sum[touched[t]!]!)
  }
  const rows = entries.byFeature(features)
  return { start: rows.start, postingClass: rows.cls, postingValue: rows.weight }
}

/** For every example, the `candidates` intents (its own excepted) whose centroids score it highest. */
function hardNegatives(
  matrix: SparseMatrix,
  labels: Int32Array,
  classes: number,
  postings: ReturnType<typeof centroidPostings>,
  options: SparseOneVsRestOptions,
): { pairClass: Int32Array; pairExample: Int32Array; pairs: number } {
  const { rowStart, columns, values } = matrix
  const n = matrix.rows
  const K = options.candidates
  const score = new Float64Array(classes)
  const seen = new Uint8Array(classes)
  const touched = new Int32Array(classes)
  const topClass = new Int32Array(K)
  const topScore = new Float64Array(K)
  const pairClass = new Int32Array(n * K)
  const pairExample = new Int32Array(n * K)
  let pairs = 0
  for (let i = 0; i < n; i++) {
    let nTouched = 0
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) {
      const f = columns[j]!
      const from = postings.start[f]!
      const to = postings.start[f + 1]!
      if (to - from > options.maxPostings) continue
      const x = values[j]!
      for (let p = from; p < to; p++) {
        const k = postings.postingClass[p]!
        if (!seen[k]) {
          seen[k] = 1
          score[k] = 0
          touched[nTouched++] = k
        }
        score[k] = score[k]! + x * postings.postingValue[p]!
      }
    }
    // The best K by insertion into a short sorted list.
    let size = 0
    const label = labels[i]!
    for (let t = 0; t < nTouched; t++) {
      const k = touched[t]!
      seen[k] = 0
      if (k === label) continue
      const s = score[k]!
      if (size === K && s <= topScore[K - 1]!) continue
      let at = size < K ? size++ : K - 1
      while (at > 0 && topScore[at - 1]! < s) {
        topScore[at] = topScore[at - 1]!
        topClass[at] = topClass[at - 1]!
        at--
      }
      topScore[at] = s
      topClass[at] = k
    }
    for (let t = 0; t < size; t++) {
      pairClass[pairs] = topClass[t]!
      pairExample[pairs++] = i
    }
  }
  return { pairClass, pairExample, pairs }
}

export function trainSparseOneVsRest(
  matrix: SparseMatrix,
  labels: Int32Array,
  features: number,
  classes: number,
  options: SparseOneVsRestOptions,
): SparseLinearModel {
  const { rowStart, columns, values } = matrix
  const n = matrix.rows
  const { biasFeature, tolerance, pruneBelow, typicalValue } = options
  const diag = 1 / (2 * options.c)
  const random = new Random(options.seed)

  const byClass = groupBy(
    classes,
    n,
    (i) => labels[i]!,
    (i) => i,
  )
  const negatives = hardNegatives(
    matrix,
    labels,
    classes,
    centroidPostings(matrix, byClass, features, classes),
    options,
  )
  const negativesByClass = groupBy(
    classes,
    negatives.pairs,
    (p) => negatives.pairClass[p]!,
    (p) => negatives.pairExample[p]!,
  )

  const qii = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let sum = biasFeature * biasFeature + diag
    for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) sum += values[j]! * values[j]!
    qii[i] = sum
  }

  const w = new Float64Array(features)
  const stamp = new Int32Array(features).fill(-1)
  const touched = new Int32Array(features)
  const entries = new EntryList()
  const bias = new Float32Array(classes)
  let members = new Int32Array(64)
  let alpha = new Float64Array(64)
  for (let k = 0; k < classes; k++) {
    const positives = byClass.items.subarray(byClass.start[k]!, byClass.start[k + 1]!)
    const hard = negativesByClass.items.subarray(negativesByClass.start[k]!, negativesByClass.start[k + 1]!)
    const size = positives.length + hard.length + options.randomNegatives
    if (members.length < size) {
      members = new Int32Array(size * 2)
      alpha = new Float64Array(size * 2)
    }
    members.set(positives, 0)
    members.set(hard, positives.length)
    let m = positives.length + hard.length
    // Random negatives: examples of other intents (a class with every example is left without).
    for (let r = 0, tries = 0; r < options.randomNegatives && tries < options.randomNegatives * 4; tries++) {
      const i = random.int(n)
      if (labels[i] === k) continue
      members[m++] = i
      r++
    }
    alpha.fill(0, 0, m)
    let nTouched = 0
    for (let s = 0; s < m; s++) {
      const i = members[s]!
      for (let j = rowStart[i]!; j < rowStart[i + 1]!; j++) {
        const f = columns[j]!
        if (stamp[f] !== k) {
          stamp[f] = k
          w[f] = 0
          touched[nTouched++] = f
        }
      }
    }
    let b = 0
    for (let pass = 0; pass < options.maxPasses; pass++) {
      let maxPg = -Infinity
      let minPg = Infinity
      for (let s = m - 1; s > 0; s--) {
        const t = random.int(s + 1)
        const ti = members[s]!
        members[s] = members[t]!
        members[t] = ti
        const ta = alpha[s]!
        alpha[s] = alpha[t]!
        alpha[t] = ta
      }
      for (let s = 0; s < m; s++) {
        const i = members[s]!
        const y = labels[i] === k ? 1 : -1
        const start = rowStart[i]!
        const end = rowStart[i + 1]!
        let dot = b * biasFeature
        for (let j = start; j < end; j++) dot += w[columns[j]!]! * values[j]!
        const a = alpha[s]!
        const g = y * dot - 1 + diag * a
        const pg = a === 0 ? Math.min(g, 0) : g
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
    }
    for (let t = 0; t < nTouched; t++) {
      const f = touched[t]!
      const weight = w[f]!
      if (weight !== 0 && (weight < 0 ? -weight : weight) * typicalValue[f]! >= pruneBelow)
        entries.push(k, f, weight)
    }
    bias[k] = b * biasFeature
    options.onClass?.(k + 1, classes)
  }

  // Pushed class by class, so the stable counting sort leaves classes ascending within each feature's row.
  const rows = entries.byFeature(features)
  return {
    classes,
    features,
    rowStart: rows.start,
    classIndex: Uint16Array.from(rows.cls),
    weights: rows.weight,
    bias,
  }
}
