/**
 * Turning raw SVM scores into confidences, and choosing where "out of scope" starts. A confidence is
 * σ(slope × (score − offset)), shared by every intent, so it means the same with 5 intents or 500. Fitted
 * on held-out examples (Platt scaling), it estimates the probability that an intent is the right one.
 */

export interface Calibration {
  /** Slope of the confidence sigmoid over raw scores. */
  slope: number
  /** Raw score at which the confidence is 0.5. */
  offset: number
  /** Confidence below which the best intent is judged out of scope. */
  threshold: number
}

/**
 * Used until `calibrate()` runs. Measured on CLINC150 trained with 5 to 100 examples per intent: a text
 * whose best raw score is under −0.5 is more often out of scope or misclassified than right.
 */
export const DEFAULT_CALIBRATION: Calibration = { slope: 5, offset: -0.5, threshold: 0.5 }

export function confidenceOf(score: number, calibration: Calibration): number {
  return 1 / (1 + Math.exp(-calibration.slope * (score - calibration.offset)))
}

/**
 * Platt scaling: fits p = σ(a·score + b) to 0/1 targets by Newton's method, with Platt's smoothed targets
 * so that separable data does not push the slope to infinity. Returns `undefined` without both classes.
 */
export function fitSigmoid(
  scores: Float64Array,
  targets: Uint8Array,
): { slope: number; offset: number } | undefined {
  let positives = 0
  for (let i = 0; i < targets.length; i++) positives += targets[i]!
  const negatives = targets.length - positives
  if (positives === 0 || negatives === 0) return undefined
  const high = (positives + 1) / (positives + 2)
  const low = 1 / (negatives + 2)
  let a = 1
  let b = 0
  const loss = (pa: number, pb: number) => {
    let sum = 0
    for (let i = 0; i < scores.length; i++) {
      const t = targets[i] ? high : low
      const z = pa * scores[i]! + pb
      // log(1 + e^z) − t·z, computed without overflow.
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z
    }
    return sum
  }
  let current = loss(a, b)
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0
    let gb = 0
    let haa = 1e-12
    let hab = 0
    let hbb = 1e-12
    for (let i = 0; i < scores.length; i++) {
      const t = targets[i] ? high : low
      const s = scores[i]!
      const p = 1 / (1 + Math.exp(-(a * s + b)))
      const d = p - t
      ga += d * s
      gb += d
      const w = p * (1 - p)
      haa += w * s * s
      hab += w * s
      hbb += w
    }
    const det = haa * hbb - hab * hab
    if (!(Math.abs(det) > 0)) break
    const da = -(hbb * ga - hab * gb) / det
    const db = -(haa * gb - hab * ga) / det
    let step = 1
    let next = loss(a + step * da, b + step * db)
    while (next > current && step > 1e-8) {
      step /= 2
      next = loss(a + step * da, b + step * db)
    }
    if (next > current) break
    a += step * da
    b += step * db
    const improvement = current - next
    current = next
    if (improvement < 1e-9 * scores.length) break
  }
  if (!(a > 0) || !Number.isFinite(b)) return undefined
  return { slope: a, offset: -b / a }
}

/**
 * The confidence threshold that maximises held-out accuracy with out of scope counted as one more answer:
 * an in-scope example scores when its best intent is right and accepted, an out-of-scope example scores
 * `outOfScopeWeight` when rejected. Of equally good thresholds the middle one is kept, halfway between
 * neighbouring confidences, so the choice does not sit on one example.
 */
export function chooseThreshold(
  confidence: Float64Array,
  correct: Uint8Array,
  outOfScope: Uint8Array,
  rejected: Uint8Array,
  outOfScopeWeight: number,
): number {
  const n = confidence.length
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => confidence[x]! - confidence[y]!)
  // Threshold candidates: below every confidence (accept all), then just above each distinct confidence.
  let accepted = 0
  let rejectedOos = 0
  for (let i = 0; i < n; i++) {
    if (outOfScope[i]) rejectedOos += rejected[i] ? outOfScopeWeight : 0
    else if (correct[i] && !rejected[i]) accepted++
  }
  const values: number[] = [accepted + rejectedOos]
  const cuts: number[] = [0]
  let k = 0
  while (k < n) {
    const level = confidence[order[k]!]!
    while (k < n && confidence[order[k]!] === level) {
      const i = order[k]!
      if (outOfScope[i]) rejectedOos += rejected[i] ? 0 : outOfScopeWeight
      else if (correct[i] && !rejected[i]) accepted--
      k++
    }
    const next = k < n ? confidence[order[k]!]! : Math.min(1, level + (1 - level) / 2)
    values.push(accepted + rejectedOos)
    cuts.push((level + next) / 2)
  }
  let best = -Infinity
  for (const value of values) if (value > best) best = value
  const winners = cuts.filter((_, i) => values[i]! >= best - 1e-9)
  return winners[Math.floor((winners.length - 1) / 2)]!
}

/**
 * A threshold that turns away at most `share` of the held-out in-scope examples answered right: halfway
 * between the confidence of the last one it turns away and the next (half the lowest when the share allows
 * none; 1, no bound, with fewer than `minAnswers` right answers to estimate the share from). Stand-ins for
 * out-of-scope text are only a guess at real traffic; this bound keeps a closed domain's own sentences from
 * paying for the guess.
 */
export function thresholdTurningAway(
  confidence: Float64Array,
  correct: Uint8Array,
  outOfScope: Uint8Array,
  rejected: Uint8Array,
  bound: { share: number; minAnswers: number },
): number {
  const right: number[] = []
  for (let i = 0; i < confidence.length; i++)
    if (correct[i] && !outOfScope[i] && !rejected[i]) right.push(confidence[i]!)
  if (right.length === 0 || right.length < bound.minAnswers) return 1
  const turned = Math.floor(bound.share * right.length)
  if (turned >= right.length) return 1
  right.sort((a, b) => a - b)
  if (turned === 0) return right[0]! / 2
  return (right[turned - 1]! + right[turned]!) / 2
}
