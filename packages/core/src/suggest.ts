/**
 * "Did you mean …?": the registered name nearest to a mistyped one. Bounded on purpose — it runs on request
 * paths (an unknown intent name), so it never compares long input and gives up on a candidate as soon as the
 * distance exceeds the limit (a banded edit distance, O(length × limit) per candidate).
 */

/** Names longer than this are not compared (nobody mistypes a 200-character name by one letter). */
const MAX_COMPARED_LENGTH = 64

/** Edit distance between `a` and `b` (insertions, deletions, substitutions), or `limit + 1` when it exceeds `limit`. */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMinimum = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      current.push(value)
      if (value < rowMinimum) rowMinimum = value
    }
    if (rowMinimum > limit) return limit + 1
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate nearest to `given` (case-insensitive), if it is close enough to be a typo: at most a third of the
 * name's length apart, and never more than 3 edits. `undefined` when nothing is close, or `given` is too long.
 */
export function closestName(given: string, candidates: Iterable<string>): string | undefined {
  if (given.length === 0 || given.length > MAX_COMPARED_LENGTH) return undefined
  const needle = given.toLowerCase()
  const limit = Math.min(3, Math.max(1, Math.floor(given.length / 3)))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of candidates) {
    if (candidate.length > MAX_COMPARED_LENGTH) continue
    const distance = boundedDistance(needle, candidate.toLowerCase(), Math.min(limit, bestDistance))
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** `; did you mean 'x'?` when a near name exists, else `''` (for the end of an error message). */
export function didYouMean(given: string, candidates: Iterable<string>): string {
  const near = closestName(given, candidates)
  return near === undefined ? '' : `; did you mean '${near}'?`
}
