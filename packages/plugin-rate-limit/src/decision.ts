/**
 * The decision put on the context and the result's meta, and the response headers derived from it:
 * `RateLimit-Policy` and `RateLimit` as in draft-ietf-httpapi-ratelimit-headers-11 (May 2026), `Retry-After`
 * on refusals, and optionally the legacy `X-RateLimit-*` trio.
 */
import type { Algorithm } from './algorithms.js'
import type { CompiledLimit } from './options.js'
import type { StoreDecision } from './store.js'

/** One limit's state after a request, as reported to the client. */
export interface PolicyStatus {
  /** The policy's name. */
  name: string
  algorithm: Algorithm
  /** Units per window (`q`). */
  limit: number
  /** The window in seconds (`w`). */
  windowSeconds: number
  /** Units still available (`r`). */
  remaining: number
  /**
   * Seconds (`t`): until this policy admits the same request again when it refused it; otherwise until the
   * window resets (fixed window) or the whole quota is available again (sliding window, token bucket).
   */
  resetSeconds: number
  /** Whether this policy admitted the request. */
  allowed: boolean
}

/** Put on `context.rateLimit` and `meta.rateLimit` for every limited request. */
export interface RateLimitDecision {
  allowed: boolean
  /** Units the request took (or would have taken). */
  cost: number
  /** One entry per limit that applied, in order. Empty when no store answered (`source: 'fail-open'`). */
  policies: PolicyStatus[]
  /** Seconds to wait before retrying, when refused. */
  retryAfterSeconds?: number
  /** Who decided: the store, the fallback store while the store fails, or nobody (admitted by `onStoreError: 'open'`). */
  source: 'store' | 'fallback' | 'fail-open'
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000))
}

export function toDecision(
  limits: readonly CompiledLimit[],
  result: StoreDecision,
  cost: number,
  source: 'store' | 'fallback',
): RateLimitDecision {
  let retryMs = 0
  const policies: PolicyStatus[] = new Array<PolicyStatus>(limits.length)
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i]!
    const outcome = result.outcomes[i]!
    if (!outcome.allowed) retryMs = Math.max(retryMs, outcome.retryAfterMs)
    policies[i] = {
      name: limit.name,
      algorithm: limit.rule.algorithm,
      limit: limit.rule.limit,
      windowSeconds: limit.windowSeconds,
      remaining: outcome.remaining,
      resetSeconds: outcome.allowed ? seconds(outcome.resetMs) : Math.max(1, seconds(outcome.retryAfterMs)),
      allowed: outcome.allowed,
    }
  }
  const decision: RateLimitDecision = { allowed: result.allowed, cost, policies, source }
  if (!result.allowed) decision.retryAfterSeconds = Math.max(1, seconds(retryMs))
  return decision
}

export interface HeaderSettings {
  headers: boolean
  legacyHeaders: boolean
}

/** The response headers for a decision (`Retry-After` is added for refusals whatever the settings). */
export function decisionHeaders(
  limits: readonly CompiledLimit[],
  decision: RateLimitDecision,
  settings: HeaderSettings,
): Record<string, string> {
  const headers: Record<string, string> = {}
  const { policies } = decision
  if (settings.headers && policies.length > 0) {
    let policy = ''
    let current = ''
    for (let i = 0; i < policies.length; i++) {
      const p = policies[i]!
      const separator = i === 0 ? '' : ', '
      policy += separator + limits[i]!.policyItem
      current += `${separator}${limits[i]!.quotedName};r=${p.remaining};t=${p.resetSeconds}`
    }
    headers['RateLimit-Policy'] = policy
    headers['RateLimit'] = current
  }
  if (settings.legacyHeaders && policies.length > 0) {
    // The legacy fields hold one policy: the one closest to refusing (fewest units left, then the longest wait).
    let tightest = policies[0]!
    for (const p of policies) {
      if (
        p.remaining < tightest.remaining ||
        (p.remaining === tightest.remaining && p.resetSeconds > tightest.resetSeconds)
      ) {
        tightest = p
      }
    }
    headers['X-RateLimit-Limit'] = String(tightest.limit)
    headers['X-RateLimit-Remaining'] = String(tightest.remaining)
    headers['X-RateLimit-Reset'] = String(Math.ceil(Date.now() / 1000) + tightest.resetSeconds)
  }
  if (decision.retryAfterSeconds !== undefined) headers['Retry-After'] = String(decision.retryAfterSeconds)
  return headers
}
