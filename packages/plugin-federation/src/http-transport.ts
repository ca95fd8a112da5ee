/**
 * HTTP transport: an IXP server's routes (`POST <url>/render`, `GET <url>/intents`, …) through `fetch`. With
 * several replica URLs calls go round robin; a replica whose calls keep failing to connect is ejected for
 * `ejectionMs` (when every replica is ejected, the one whose ejection ends first is tried anyway).
 */
import type { ResolvedService } from './options.js'
import {
  PASSED_HEADERS,
  UnreachableError,
  type CallOptions,
  type Operation,
  type Transport,
  type TransportReport,
  type WireAnswer,
} from './transport.js'

interface Replica {
  url: string
  consecutiveFailures: number
  ejectedUntil: number
}

const ROUTES: Record<Operation, { method: 'GET' | 'POST'; path: string }> = {
  render: { method: 'POST', path: '/render' },
  resolve: { method: 'POST', path: '/resolve' },
  intents: { method: 'GET', path: '/intents' },
  components: { method: 'GET', path: '/components' },
}

export class HttpTransport implements Transport {
  readonly kind = 'http'
  readonly #replicas: Replica[]
  readonly #outlier: ResolvedService['outlier']
  #next = 0

  constructor(urls: readonly string[], outlier: ResolvedService['outlier']) {
    this.#replicas = urls.map((url) => ({ url, consecutiveFailures: 0, ejectedUntil: 0 }))
    this.#outlier = outlier
  }

  async start(): Promise<void> {
    // Nothing to connect: every call opens (or reuses) its own connection.
  }

  async refresh(): Promise<void> {
    // The URLs are given; whether they answer is learnt from the calls.
  }

  async close(): Promise<void> {}

  describe(): TransportReport {
    const now = Date.now()
    const replicas = this.#replicas.map((replica) => ({
      url: replica.url,
      ejected: replica.ejectedUntil > now,
    }))
    return {
      available: replicas.filter((replica) => !replica.ejected).length,
      total: replicas.length,
      replicas,
    }
  }

  /** The next replica in rotation that is not ejected (or the one back soonest when all are). */
  #pick(): Replica {
    const now = Date.now()
    const count = this.#replicas.length
    for (let i = 0; i < count; i++) {
      const replica = this.#replicas[(this.#next + i) % count]!
      if (replica.ejectedUntil <= now) {
        this.#next = (this.#next + i + 1) % count
        return replica
      }
    }
    return this.#replicas.reduce((soonest, replica) =>
      replica.ejectedUntil < soonest.ejectedUntil ? replica : soonest,
    )
  }

  async call(operation: Operation, options: CallOptions): Promise<WireAnswer> {
    const replica = this.#pick()
    const route = ROUTES[operation]
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    let response: Response
    try {
      response = await fetch(`${replica.url}${route.path}`, {
        method: route.method,
        headers: route.method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
        body: route.method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined,
        signal: options.signal,
      })
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason ?? error
      this.#failed(replica)
      throw new UnreachableError(`${replica.url} cannot be reached: ${causeOf(error)}`, { cause: error })
    }
    const body = await response.text()
    replica.consecutiveFailures = 0
    const passed: Record<string, string> = {}
    for (const name of PASSED_HEADERS) {
      const value = response.headers.get(name)
      if (value !== null) passed[name] = value
    }
    return { status: response.status, body, headers: passed }
  }

  #failed(replica: Replica): void {
    replica.consecutiveFailures++
    // One URL has nowhere else to go: ejecting it would only hide that it is back.
    if (this.#replicas.length > 1 && replica.consecutiveFailures >= this.#outlier.consecutiveFailures) {
      replica.ejectedUntil = Date.now() + this.#outlier.ejectionMs
      replica.consecutiveFailures = 0
    }
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  if (typeof cause?.code === 'string') return cause.code
  return error instanceof Error ? error.message : String(error)
}
