/**
 * The three limiting algorithms as pure arithmetic over a small stored counter. The memory store runs this
 * code; the Redis store runs a line-by-line Lua transcription of it (`redis/script.ts`), so both stores decide
 * alike. Windows are aligned to the epoch (`floor(now / windowMs)`), so every instance agrees on them.
 */

export type Algorithm = 'fixed-window' | 'sliding-window' | 'token-bucket'

/** A validated limit, as the stores see it. */
export interface LimitRule {
  readonly algorithm: Algorithm
  /** Units per window (the token bucket's refill per window). */
  readonly limit: number
  readonly windowMs: number
  /** The most units one decision can ever be granted: the bucket's capacity, else `limit`. */
  readonly capacity: number
}

/**
 * What a store keeps per limit and key, three numbers:
 * fixed window `a` = window index, `b` = count; sliding window `a` = window index, `b` = current count,
 * `c` = previous window's count; token bucket `a` = tokens, `b` = time of the last update (ms).
 */
export interface Counter {
  a: number
  b: number
  c: number
}

/** The decision for one limit. */
export interface LimitOutcome {
  /** Whether this limit alone would admit the request. */
  allowed: boolean
  /** Whole units still available after the decision. */
  remaining: number
  /** Milliseconds until the window resets (fixed) or the quota is whole again (sliding, bucket). */
  resetMs: number
  /** Milliseconds until a request of the same cost would pass this limit; 0 when it passes now. */
  retryAfterMs: number
}

/** Usage seen at one instant: `used` (fixed, sliding) or `tokens` (bucket), and what is needed to report it. */
export interface Usage {
  index: number
  /** Fixed: count. Sliding: current window's count. Bucket: tokens left. */
  current: number
  /** Sliding: previous window's count. */
  previous: number
  /** Sliding: the share of the previous window still inside the sliding window, in (0, 1]. */
  weight: number
}

/** Float slack so that refills such as 0.1 + 0.2 tokens are not a hair short of a whole unit. */
const EPSILON = 1e-9

export function readUsage(rule: LimitRule, stored: Counter | undefined, now: number): Usage {
  const w = rule.windowMs
  if (rule.algorithm === 'token-bucket') {
    const rate = rule.limit / w
    let tokens = rule.capacity
    if (stored) tokens = Math.min(rule.capacity, stored.a + Math.max(0, now - stored.b) * rate)
    return { index: 0, current: tokens, previous: 0, weight: 1 }
  }
  const index = Math.floor(now / w)
  if (rule.algorithm === 'fixed-window') {
    return { index, current: stored && stored.a === index ? stored.b : 0, previous: 0, weight: 1 }
  }
  let current = 0
  let previous = 0
  if (stored && stored.a === index) {
    current = stored.b
    previous = stored.c
  } else if (stored && stored.a === index - 1) {
    previous = stored.b
  }
  return { index, current, previous, weight: 1 - (now - index * w) / w }
}

/** True when `cost` more units fit. */
export function admits(rule: LimitRule, usage: Usage, cost: number): boolean {
  switch (rule.algorithm) {
    case 'fixed-window':
      return usage.current + cost <= rule.limit
    case 'sliding-window':
      return usage.previous * usage.weight + usage.current + cost <= rule.limit + EPSILON
    case 'token-bucket':
      return usage.current + EPSILON >= cost
  }
}

/** Takes `cost` units (only called once every limit of the decision admits the request). */
export function take(rule: LimitRule, usage: Usage, cost: number): void {
  usage.current += rule.algorithm === 'token-bucket' ? -cost : cost
  if (usage.current < 0) usage.current = 0
}

function retryAfter(rule: LimitRule, usage: Usage, now: number, cost: number): number {
  const w = rule.windowMs
  if (rule.algorithm === 'fixed-window') return (usage.index + 1) * w - now
  if (rule.algorithm === 'token-bucket') return ((cost - usage.current) * w) / rule.limit
  const elapsed = now - usage.index * w
  const room = rule.limit - cost - usage.current
  if (room >= 0 && usage.previous > 0) {
    // Within this window, the previous window's share decays linearly until it leaves `room`.
    return Math.max(0, w * (1 - room / usage.previous) - elapsed)
  }
  // This window's own count is too high: wait for it to become the previous window and decay enough.
  const roomNext = rule.limit - cost
  if (usage.current <= 0) return w - elapsed
  return w - elapsed + Math.max(0, w * (1 - roomNext / usage.current))
}

function resetIn(rule: LimitRule, usage: Usage, now: number): number {
  const w = rule.windowMs
  switch (rule.algorithm) {
    case 'fixed-window':
      return (usage.index + 1) * w - now
    case 'sliding-window':
      if (usage.current > 0) return (usage.index + 2) * w - now
      return usage.previous > 0 ? (usage.index + 1) * w - now : 0
    case 'token-bucket':
      return ((rule.capacity - usage.current) * w) / rule.limit
  }
}

/**
 * What to report for one limit after the decision: `usage` already holds the units taken, if any;
 * `allowed` is whether this limit alone admitted the request.
 */
export function report(
  rule: LimitRule,
  usage: Usage,
  now: number,
  cost: number,
  allowed: boolean,
): LimitOutcome {
  const remaining =
    rule.algorithm === 'token-bucket'
      ? Math.floor(usage.current + EPSILON)
      : Math.max(0, Math.floor(rule.limit - usage.previous * usage.weight - usage.current + EPSILON))
  return {
    allowed,
    remaining,
    resetMs: Math.ceil(resetIn(rule, usage, now)),
    retryAfterMs: allowed ? 0 : Math.ceil(retryAfter(rule, usage, now, cost)),
  }
}

/** The counter to store after units were taken, and how long it matters (after that it equals a fresh one). */
export function toCounter(
  rule: LimitRule,
  usage: Usage,
  now: number,
  into: Counter | undefined,
): { counter: Counter; ttlMs: number } {
  const counter = into ?? { a: 0, b: 0, c: 0 }
  const w = rule.windowMs
  if (rule.algorithm === 'token-bucket') {
    counter.a = usage.current
    counter.b = now
    counter.c = 0
    return { counter, ttlMs: Math.max(1, Math.ceil(((rule.capacity - usage.current) * w) / rule.limit)) }
  }
  counter.a = usage.index
  counter.b = usage.current
  counter.c = usage.previous
  const windowsKept = rule.algorithm === 'fixed-window' ? 1 : 2
  return { counter, ttlMs: Math.max(1, (usage.index + windowsKept) * w - now) }
}
