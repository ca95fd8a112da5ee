/**
 * What the classifier's calibration and ranking work on: held-out scores gathered from cross-validation folds
 * (the best classes of each example, whether it was right, whether it was out of scope) and the top-k selection
 * of classes by score. @internal
 */

/** Ranked classes kept per held-out example for fitting the confidence sigmoid. */
export const PAIRS = 3

/** Held-out evidence for calibration: each example's best scores, and whether it was right. @internal */
export interface HeldOutScores {
  pairScores: Float64Array
  pairTargets: Uint8Array
  bestScore: Float64Array
  correct: Uint8Array
  outOfScope: Uint8Array
  rejected: Uint8Array
}

export function emptyHeldOut(n: number): HeldOutScores {
  return {
    pairScores: new Float64Array(n * PAIRS),
    pairTargets: new Uint8Array(n * PAIRS),
    bestScore: new Float64Array(n),
    correct: new Uint8Array(n),
    outOfScope: new Uint8Array(n),
    rejected: new Uint8Array(n),
  }
}

export function inScopePairs(held: HeldOutScores): [Float64Array, Uint8Array] {
  const keep: number[] = []
  for (let i = 0; i < held.outOfScope.length; i++) if (!held.outOfScope[i]) keep.push(i)
  const scores = new Float64Array(keep.length * PAIRS)
  const targets = new Uint8Array(keep.length * PAIRS)
  keep.forEach((i, k) => {
    scores.set(held.pairScores.subarray(i * PAIRS, (i + 1) * PAIRS), k * PAIRS)
    targets.set(held.pairTargets.subarray(i * PAIRS, (i + 1) * PAIRS), k * PAIRS)
  })
  return [scores, targets]
}

export function concatHeldOut(parts: HeldOutScores[]): HeldOutScores {
  const n = parts.reduce((sum, part) => sum + part.bestScore.length, 0)
  const out = emptyHeldOut(n)
  let at = 0
  for (const part of parts) {
    out.pairScores.set(part.pairScores, at * PAIRS)
    out.pairTargets.set(part.pairTargets, at * PAIRS)
    out.bestScore.set(part.bestScore, at)
    out.correct.set(part.correct, at)
    out.outOfScope.set(part.outOfScope, at)
    out.rejected.set(part.rejected, at)
    at += part.bestScore.length
  }
  return out
}

/**
 * The `count` best classes (the rejection class left out) by their ranking scores, `scores[from + class]`,
 * best first; ties go to the lower class. Insertion into a short sorted list: no allocation beyond it.
 */
export function topClasses(
  scores: Float64Array,
  from: number,
  classes: number,
  reject: number,
  count: number,
): number[] {
  const top: number[] = []
  for (let c = 0; c < classes; c++) {
    if (c === reject) continue
    const score = scores[from + c]!
    if (top.length === count && score <= scores[from + top[count - 1]!]!) continue
    let position = top.length === count ? count - 1 : top.length
    if (top.length < count) top.push(c)
    while (position > 0 && scores[from + top[position - 1]!]! < score) {
      top[position] = top[position - 1]!
      position--
    }
    top[position] = c
  }
  return top
}
