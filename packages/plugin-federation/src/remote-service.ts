/**
 * One service behind the gateway: its transport, its resilience policy, the headers of its calls, and what
 * health says about it. Every call goes through here, so a failure becomes the same gateway error whatever
 * the transport.
 */
import type { HealthCheckResult, IxpContext, IxpError, Logger } from '@ixp/core'
import { listOf, parseJson } from './answer.js'
import { federationError, remoteError } from './errors.js'
import { forwardedHeaders } from './forward.js'
import { HttpTransport } from './http-transport.js'
import { NatsTransport } from './nats-transport.js'
import type { ResolvedOptions, ResolvedService } from './options.js'
import { CallFailedError, ServicePolicy, type CallKind } from './resilience.js'
import type { Operation, Transport, WireAnswer } from './transport.js'

/** How a service is doing, as health lists it. */
export type ServiceState = 'up' | 'degraded' | 'open-breaker' | 'down'

const STATE_MESSAGES: Record<ServiceState, string> = {
  up: 'is up',
  degraded: 'is degraded (breaker half-open, a replica out, a failed refresh or refused names)',
  'open-breaker': 'has its circuit breaker open: calls are refused until the next probe',
  down: 'is down (not connected, or no instance)',
}

/** An unreachable service is logged at most this often (every refused call would flood the log). */
const UNREACHABLE_LOG_INTERVAL_MS = 10_000

export interface ServiceLists {
  intents: Record<string, unknown>[]
  components: Record<string, unknown>[]
}

export function createTransport(settings: ResolvedService): Transport {
  const transport = settings.transport
  return transport.kind === 'http'
    ? new HttpTransport(transport.urls, settings.outlier)
    : new NatsTransport(transport.servers, transport.service, settings.timeoutMs)
}

export class RemoteService {
  readonly settings: ResolvedService
  readonly transport: Transport
  readonly policy: ServicePolicy
  readonly #forwarding: Pick<ResolvedOptions, 'forwardHeaders' | 'credentialHeaders'>
  readonly #logger: Logger
  #started = false
  #lastRefresh: { ok: boolean; at: number; error?: string } | undefined
  #lastUnreachableLog = 0
  /** Problems of the last registration (names refused because another owner has them). */
  problems: string[] = []

  constructor(
    settings: ResolvedService,
    forwarding: Pick<ResolvedOptions, 'forwardHeaders' | 'credentialHeaders'>,
    logger: Logger,
    transport: Transport = createTransport(settings),
  ) {
    this.settings = settings
    this.transport = transport
    this.policy = new ServicePolicy(settings)
    this.#forwarding = forwarding
    this.#logger = logger
  }

  get name(): string {
    return this.settings.name
  }

  /** Connects the transport; `onChange` is called when the service announces a change (NATS). */
  async start(onChange: () => void): Promise<void> {
    await this.transport.start(onChange)
    this.#started = true
  }

  /**
   * Calls the service for a caller: forwards the caller's request id, trace context and allowed headers, under
   * the policy of `kind`. Resolves with the service's answer whatever its status; a call that got no answer
   * rejects with the gateway's error (`SERVICE_UNAVAILABLE` with `Retry-After`, `SERVICE_TIMEOUT`).
   */
  async call(
    operation: Operation,
    kind: CallKind,
    body: unknown,
    context: IxpContext,
    signal: AbortSignal | undefined,
  ): Promise<WireAnswer> {
    const headers = forwardedHeaders(context, this.settings, this.#forwarding)
    try {
      return await this.policy.execute(kind, signal, (inner) =>
        this.transport.call(operation, { body, headers, signal: inner }),
      )
    } catch (error) {
      throw this.#gatewayError(error)
    }
  }

  /** Calls and reads a JSON answer; an error answer becomes the service's error (status, code, message). */
  async callJson(
    operation: Operation,
    kind: CallKind,
    body: unknown,
    context: IxpContext,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const answer = await this.call(operation, kind, body, context, signal)
    const parsed = parseJson(this.name, answer.body)
    if (answer.status >= 400) {
      throw remoteError(answer.status, parsed, { ...answer.headers, 'x-ixp-service': this.name })
    }
    return parsed
  }

  /** Finds the service's instances and fetches its intent and component lists. */
  async fetchLists(): Promise<ServiceLists> {
    try {
      await this.transport.refresh()
      const [intents, components] = await Promise.all([
        this.callJson('intents', 'discovery', undefined, {}, undefined),
        this.callJson('components', 'discovery', undefined, {}, undefined),
      ])
      const lists = {
        intents: listOf(this.name, intents, 'intents'),
        components: listOf(this.name, components, 'components'),
      }
      this.#lastRefresh = { ok: true, at: Date.now() }
      return lists
    } catch (error) {
      this.#lastRefresh = { ok: false, at: Date.now(), error: (error as Error).message }
      throw error
    }
  }

  get state(): ServiceState {
    const breaker = this.policy.state
    if (breaker === 'open') return 'open-breaker'
    const transport = this.transport.describe()
    if (!this.#started || transport.available === 0) return 'down'
    if (breaker === 'half-open' || transport.available < transport.total) return 'degraded'
    if (this.#lastRefresh?.ok === false || this.problems.length > 0) return 'degraded'
    return 'up'
  }

  /** The health check of this service: `pass` when up, else `warn` — one service down degrades the gateway. */
  health(): HealthCheckResult {
    const state = this.state
    const transport = this.transport.describe()
    const result: HealthCheckResult = {
      status: state === 'up' ? 'pass' : 'warn',
      message: `${this.transport.kind} service '${this.name}' ${STATE_MESSAGES[state]}`,
      state,
      breaker: this.policy.state,
      transport: this.transport.kind,
      ...transport,
    }
    if (this.#lastRefresh !== undefined) {
      result.lastRefresh = new Date(this.#lastRefresh.at).toISOString()
      if (this.#lastRefresh.error !== undefined) result.lastRefreshError = this.#lastRefresh.error
    }
    if (this.problems.length > 0) result.problems = [...this.problems]
    return result
  }

  async close(): Promise<void> {
    await this.transport.close()
  }

  #gatewayError(error: unknown): unknown {
    if (!(error instanceof CallFailedError)) return error
    const failure = error.failure
    const details = { service: this.name, reason: failure.reason }
    const headers: Record<string, string> = { 'x-ixp-service': this.name }
    let gatewayError: IxpError
    switch (failure.reason) {
      case 'circuit-open':
        headers['retry-after'] = String(failure.retryAfterSeconds)
        gatewayError = federationError(
          'SERVICE_UNAVAILABLE',
          {
            service: this.name,
            problem: `is unavailable (its circuit breaker is open); retry after ${failure.retryAfterSeconds} s`,
          },
          { details, headers },
        )
        break
      case 'bulkhead-full':
        headers['retry-after'] = '1'
        gatewayError = federationError(
          'SERVICE_UNAVAILABLE',
          { service: this.name, problem: 'has too many calls in flight; retry shortly' },
          { details, headers },
        )
        break
      case 'unreachable':
        headers['retry-after'] = '1'
        if (Date.now() - this.#lastUnreachableLog >= UNREACHABLE_LOG_INTERVAL_MS) {
          this.#lastUnreachableLog = Date.now()
          this.#logger.warn(`federation: ${failure.message}`, { service: this.name })
        }
        gatewayError = federationError(
          'SERVICE_UNAVAILABLE',
          { service: this.name, problem: 'cannot be reached' },
          { details, headers },
        )
        break
      case 'timeout':
        gatewayError = federationError(
          'SERVICE_TIMEOUT',
          { service: this.name, timeoutMs: this.settings.timeoutMs },
          { details, headers },
        )
        break
    }
    return gatewayError
  }
}
