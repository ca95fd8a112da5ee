/**
 * Keeps decisions flowing when the store fails: after an error no request waits on the store any more — the
 * fallback store answers if there is one — and every `retryMs` one probe (a decision over no limits, nothing
 * counted) goes to the store in the background; its success ends the outage. So a hung store (a stopped Redis
 * that only answers by timing out) costs the requests in flight when it hung, then nothing: traffic never
 * queues behind a probe. Outages are logged once at their start and once at their end.
 */
import type { HealthCheckResult, Logger } from '@ixp/core'
import type { LimitCheck, RateLimitStore, StoreDecision } from './store.js'
import { isPromiseLike } from '@ixp/core/plugin-kit'

export interface GuardedDecision {
  /** `undefined` when neither the store nor a fallback answered. */
  result: StoreDecision | undefined
  source: 'store' | 'fallback'
}

export class StoreGuard {
  readonly #store: RateLimitStore
  readonly #fallback: RateLimitStore | undefined
  readonly #retryMs: number
  readonly #logger: Logger
  #skipUntil = 0
  #failingSince: number | undefined
  #lastError: string | undefined
  #probing = false

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
    if (this.#failingSince !== undefined) {
      if (Date.now() >= this.#skipUntil) void this.#probe()
      return this.#fromFallback(checks)
    }
    let answer: StoreDecision | Promise<StoreDecision>
    try {
      answer = this.#store.consume(checks)
    } catch (error) {
      return this.#failed(error, checks)
    }
    if (!isPromiseLike(answer)) return this.#succeeded(answer)
    return answer.then(
      (result) => this.#succeeded(result),
      (error: unknown) => this.#failed(error, checks),
    )
  }

  /** Asks the store in the background whether it answers again; one probe at a time. */
  #probe(): Promise<void> {
    if (this.#probing) return Promise.resolve()
    this.#probing = true
    const settled = () => {
      this.#probing = false
    }
    let answer: StoreDecision | Promise<StoreDecision>
    try {
      answer = this.#store.consume([])
    } catch (error) {
      this.#noteFailure(error)
      settled()
      return Promise.resolve()
    }
    return Promise.resolve(answer).then(
      (result) => {
        this.#succeeded(result)
        settled()
      },
      (error: unknown) => {
        this.#noteFailure(error)
        settled()
      },
    )
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
    this.#noteFailure(error)
    return this.#fromFallback(checks)
  }

  #noteFailure(error: unknown): void {
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
  }

  #fromFallback(checks: readonly LimitCheck[]): GuardedDecision | Promise<GuardedDecision> {
    if (!this.#fallback) return { result: undefined, source: 'fallback' }
    const answer = this.#fallback.consume(checks)
    return isPromiseLike(answer)
      ? answer.then((result) => ({ result, source: 'fallback' as const }))
      : { result: answer, source: 'fallback' }
  }

  /** The health of the store, with the outage this guard saw (a failing store makes the engine `degraded`). */
  async health(): Promise<HealthCheckResult> {
    // With no traffic nothing would notice a recovery: probe the decision path itself (no counters touched).
    if (this.#failingSince !== undefined && Date.now() >= this.#skipUntil) await this.#probe()
    let own: HealthCheckResult = { status: 'pass' }
    if (this.#store.check) {
      try {
        own = await this.#store.check()
      } catch (error) {
        own = { status: 'warn', message: (error as Error)?.message ?? String(error) }
      }
    }
    if (this.#failingSince === undefined) return own
    return Object.assign({}, own, {
      status: own.status === 'fail' ? ('fail' as const) : ('warn' as const),
      message: `${this.#store.kind} store failing since ${new Date(this.#failingSince).toISOString()} (${this.#lastError}); ${
        this.#fallback ? 'deciding with the fallback store' : 'deciding without it'
      }${own.message ? `; ${own.message}` : ''}`,
      failingSinceMs: this.#failingSince,
    })
  }
}
