/**
 * Weights kept feature-major while training, `w[feature * classes + class]`: the scores of one example
 * against many classes, and the update of many classes by one example, walk a few contiguous rows. Shared by
 * the two SVM trainers.
 */

/** Adds the example's (row `start`–`end`) score for every class to `out`, four feature rows per sweep. */
export function addRowScores(
  w: Float32Array,
  classes: number,
  columns: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const C = classes
  // Each class score is read and written once per four rows.
  let j = start
  for (; j + 3 < end; j += 4) {
    const r0 = columns[j]! * C
    const r1 = columns[j + 1]! * C
    const r2 = columns[j + 2]! * C
    const r3 = columns[j + 3]! * C
    const x0 = values[j]!
    const x1 = values[j + 1]!
    const x2 = values[j + 2]!
    const x3 = values[j + 3]!
    for (let k = 0; k < C; k++)
      out[k] = out[k]! + x0 * w[r0 + k]! + x1 * w[r1 + k]! + x2 * w[r2 + k]! + x3 * w[r3 + k]!
  }
  for (; j < end; j++) {
    const row = columns[j]! * C
    const x = values[j]!
    for (let k = 0; k < C; k++) out[k] = out[k]! + x * w[row + k]!
  }
}

/** Adds `deltas[u]` times the example (row `start`–`end`) to the weights of class `changed[u]`, for the first `count`. */
export function addExampleToClasses(
  w: Float32Array,
  classes: number,
  columns: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  changed: Int32Array,
  deltas: Float64Array,
  count: number,
): void {
  for (let j = start; j < end; j++) {
    const row = columns[j]! * classes
    const x = values[j]!
    for (let u = 0; u < count; u++) {
      const k = changed[u]!
      w[row + k] = w[row + k]! + x * deltas[u]!
    }
  }
}

/**
 * The first `features` rows as class-major weights, `weights[class * features + feature]`. Reading with the
 * class in the inner loop keeps one cache line per class in flight, so the transpose streams.
 */
export function toClassMajor(w: Float32Array, features: number, classes: number): Float32Array {
  const weights = new Float32Array(classes * features)
  for (let f = 0; f < features; f++) {
    const row = f * classes
    for (let k = 0; k < classes; k++) weights[k * features + f] = w[row + k]!
  }
  return weights
}
