/** The contract between the plugin and a store of counters (memory, Redis, or your own). */
import type { HealthCheckResult } from '@ixp/core'
import type { LimitOutcome, LimitRule } from './algorithms.js'

/** One limit to check for one request. */
export interface LimitCheck {
  /** The counter's key, unique per limit and client (the store adds its own prefix). */
  readonly key: string
  readonly rule: LimitRule
  /** Units the request takes from the limit (0 checks without taking). */
  readonly cost: number
}

/** A store's answer: `allowed` only when every limit admitted the request; `outcomes` in the order of the checks. */
export interface StoreDecision {
  allowed: boolean
  outcomes: LimitOutcome[]
}

/**
 * Keeps the counters. `consume` must be atomic over all its checks: it checks every limit and takes the cost
 * from all of them only if all admit the request, so a refused request takes nothing. A store that answers
 * synchronously (the memory store) is exact under any concurrency in one process.
 */
export interface RateLimitStore {
  /** Names the store in health checks (`rate-limit:<kind>`) and logs. */
  readonly kind: string
  consume(checks: readonly LimitCheck[]): StoreDecision | Promise<StoreDecision>
  /** Waits until the store can answer (a network store connects); called by the plugin while the engine starts. */
  ready?(): Promise<void>
  /** Reports whether the store is reachable. */
  check?(): HealthCheckResult | Promise<HealthCheckResult>
  /** Releases connections and timers; the plugin calls it when the engine closes. */
  close?(): void | Promise<void>
}
