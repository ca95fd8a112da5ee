/**
 * Keeps decisions flowing when the store fails: after an error the store is skipped for `retryMs` (so a hung
 * store does not cost a timeout per request), the fallback store answers if there is one, and the first
 * success afterwards ends the outage. Outages are logged once at their start and once at their end.
 */
import type { HealthCheckResult, Logger } from '@ixp/core'
import type { LimitCheck, RateLimitStore, StoreDecision } from './store.js'

export interface GuardedDecision {
  /** `undefined` when neither the store nor a fallback answered. */
  result: StoreDecision | undefined
  source: 'store' | 'fallback'
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

export class StoreGuard {
  readonly #store: RateLimitStore
  readonly #fallback: RateLimitStore | undefined
  readonly #retryMs: number
  readonly #logger: Logger
  #skipUntil = 0
  #failingSince: number | undefined
  #lastError: string | undefined

  constructor(store: RateLimitStore, fallback: RateLimitStore | undefined, retryMs: number, logger: Logger) {
    this.#store = store
    this.#fallback = fallback
    this.#retryMs = retryMs
    this.#logger = logger
  }

  /** True while the store is considered failing. */
  get failing(): boolean {
    return this.#failingSince !== undefined
  }

  /**
   * Decides through the store; on failure through the fallback. Synchronous stores keep their synchronous
   * path (no await before their answer), which keeps them exact under concurrency.
   */
  consume(checks: readonly LimitCheck[]): GuardedDecision | Promise<GuardedDecision> {
    if (this.#failingSince === undefined || Date.now() >= this.#skipUntil) {
      let answer: StoreDecision | Promise<StoreDecision>
      try {
        answer = this.#store.consume(checks)
      } catch (error) {
        return this.#failed(error, checks)
      }
      if (!isPromise(answer)) return this.#succeeded(answer)
      return answer.then(
        (result) => this.#succeeded(result),
        (error: unknown) => this.#failed(error, checks),
      )
    }
    return this.#fromFallback(checks)
  }

  #succeeded(result: StoreDecision): GuardedDecision {
    if (this.#failingSince !== undefined) {
      this.#logger.info(`rate-limit: ${this.#store.kind} store recovered`, {
        outageMs: Date.now() - this.#failingSince,
      })
      this.#failingSince = undefined
      this.#lastError = undefined
    }
    return { result, source: 'store' }
  }

  #failed(error: unknown, checks: readonly LimitCheck[]): GuardedDecision | Promise<GuardedDecision> {
    const message = (error as Error)?.message ?? String(error)
    if (this.#failingSince === undefined) {
      this.#failingSince = Date.now()
      this.#logger.warn(
        `rate-limit: ${this.#store.kind} store failed; ${this.#fallback ? 'using the fallback store' : 'deciding without it'}`,
        {
          error: message,
        },
      )
    }
    this.#lastError = message
    this.#skipUntil = Date.now() + this.#retryMs
    return this.#fromFallback(checks)
  }

  #fromFallback(checks: readonly LimitCheck[]): GuardedDecision | Promise<GuardedDecision> {
    if (!this.#fallback) return { result: undefined, source: 'fallback' }
    const answer = this.#fallback.consume(checks)
    return isPromise(answer)
      ? answer.then((result) => ({ result, source: 'fallback' as const }))
      : { result: answer, source: 'fallback' }
  }

  /** The health of the store, with the outage this guard saw (a failing store makes the engine `degraded`). */
  async health(): Promise<HealthCheckResult> {
    // With no traffic nothing would notice a recovery: probe the decision path itself (no counters touched).
    if (this.#failingSince !== undefined && Date.now() >= this.#skipUntil) await this.consume([])
    let own: HealthCheckResult = { status: 'pass' }
    if (this.#store.check) {
      try {
        own = await this.#store.check()
      } catch (error) {
        own = { status: 'warn', message: (error as Error)?.message ?? String(error) }
      }
    }
    if (this.#failingSince === undefined) return own
    return {
      ...own,
      status: own.status === 'fail' ? 'fail' : 'warn',
      message: `${this.#store.kind} store failing since ${new Date(this.#failingSince).toISOString()} (${this.#lastError}); ${
        this.#fallback ? 'deciding with the fallback store' : 'deciding without it'
      }${own.message ? `; ${own.message}` : ''}`,
      failingSinceMs: this.#failingSince,
    }
  }
}
