/**
 * The resilience of calls to one service, on cockatiel: bulkhead → retry (queries only) → circuit breaker →
 * timeout → the call. Cockatiel rather than opossum because its policies compose (one wrap per kind of call),
 * take an AbortSignal end to end (a timeout aborts the HTTP request or NATS wait itself), type their results,
 * and have no dependencies; opossum is one breaker object per function with its own timeout and no retry.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel'
import type { IntentKind } from '@ixp/core'
import { UNAVAILABLE_STATUSES } from './errors.js'
import type { ResolvedService } from './options.js'
import { UnreachableError, type WireAnswer } from './transport.js'

/**
 * What a call is: a query (retried), a command (never retried), or a list fetch (one attempt with at least
 * {@link DISCOVERY_TIMEOUT_MS}: lists are not on a caller's path, and a render timeout tuned for small answers
 * must not keep a service's intents from being registered).
 */
export type CallKind = IntentKind | 'discovery'

/** The least time a list fetch is given, whatever the service's `timeoutMs`. */
export const DISCOVERY_TIMEOUT_MS = 3000

/** The breaker's state as health reports it. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/** Why a call failed before any answer of the service's (mapped to the gateway's errors by the caller). */
export type CallFailureReason =
  | { reason: 'circuit-open'; retryAfterSeconds: number }
  | { reason: 'bulkhead-full' }
  | { reason: 'unreachable'; message: string }
  | { reason: 'timeout' }

/** A call that got no answer from the service; `failure` says why. */
export class CallFailedError extends Error {
  override readonly name = 'CallFailedError'
  constructor(readonly failure: CallFailureReason) {
    super(`call failed: ${failure.reason}`)
  }
}

/** A failure the breaker counts and a query may retry: nothing usable came back in time. */
function isServiceFailure(error: Error): boolean {
  return error instanceof UnreachableError || error instanceof TaskCancelledError
}

function isUnavailableAnswer(result: unknown): boolean {
  return UNAVAILABLE_STATUSES.has((result as WireAnswer | undefined)?.status ?? 0)
}

export class ServicePolicy {
  readonly breaker: CircuitBreakerPolicy
  readonly #query: IPolicy
  readonly #command: IPolicy
  readonly #discovery: IPolicy
  readonly #halfOpenAfterMs: number
  #openedAt = 0

  constructor(settings: ResolvedService) {
    const failures = handleWhen(isServiceFailure).orWhenResult(isUnavailableAnswer)
    this.#halfOpenAfterMs = settings.breaker.halfOpenAfterMs
    this.breaker = circuitBreaker(failures, {
      halfOpenAfter: settings.breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breaker.consecutiveFailures),
    })
    this.breaker.onBreak(() => {
      this.#openedAt = Date.now()
    })
    const limit = bulkhead(settings.bulkhead.limit, settings.bulkhead.queue)
    const deadline = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive)
    this.#command = wrap(limit, this.breaker, deadline)
    this.#discovery = wrap(
      limit,
      this.breaker,
      timeout(Math.max(settings.timeoutMs, DISCOVERY_TIMEOUT_MS), TimeoutStrategy.Aggressive),
    )
    this.#query = settings.retry
      ? wrap(
          limit,
          retry(failures, {
            maxAttempts: settings.retry.maxAttempts,
            backoff: new ExponentialBackoff({
              initialDelay: settings.retry.initialDelayMs,
              maxDelay: settings.retry.maxDelayMs,
            }),
          }),
          this.breaker,
          deadline,
        )
      : this.#command
  }

  /** The breaker's state; an open breaker whose wait is over is reported half-open (the next call probes). */
  get state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed'
      case CircuitState.HalfOpen:
        return 'half-open'
      default:
        return Date.now() >= this.#openedAt + this.#halfOpenAfterMs ? 'half-open' : 'open'
    }
  }

  /** Seconds until the breaker lets a probe through (at least 1). */
  retryAfterSeconds(): number {
    if (this.breaker.state !== CircuitState.Open) return 1
    return Math.max(1, Math.ceil((this.#openedAt + this.#halfOpenAfterMs - Date.now()) / 1000))
  }

  /**
   * Runs a call under the policies of its kind. Resolves with the service's answer (any status), or rejects
   * with a {@link CallFailedError} when no answer could be had; a caller that went away rejects with its reason.
   */
  async execute(
    kind: CallKind,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<WireAnswer>,
  ): Promise<WireAnswer> {
    const policy = kind === 'command' ? this.#command : kind === 'discovery' ? this.#discovery : this.#query
    try {
      return (await policy.execute(({ signal: inner }) => call(inner), signal)) as WireAnswer
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error
      throw this.#failure(error)
    }
  }

  #failure(error: unknown): unknown {
    if (error instanceof BrokenCircuitError) {
      return new CallFailedError({ reason: 'circuit-open', retryAfterSeconds: this.retryAfterSeconds() })
    }
    if (error instanceof BulkheadRejectedError) return new CallFailedError({ reason: 'bulkhead-full' })
    if (error instanceof TaskCancelledError) return new CallFailedError({ reason: 'timeout' })
    if (error instanceof UnreachableError) {
      return new CallFailedError({ reason: 'unreachable', message: error.message })
    }
    return error
  }
}
