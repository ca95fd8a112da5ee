/**
 * The built-in request metrics: counters and a fixed ring of the last 1000 durations (no per-request
 * allocation or copying); percentiles are computed only when the metrics route is read. Renders are counted by
 * intent from the engine's events, for the contexts this handler made only (a workflow's step renders, or
 * another transport's, are not requests of this handler); the intents seen are registered ones, so the key set
 * stays bounded.
 */
import type { Engine, IxpContext } from '@ixp/core'
import { classifyError } from '@ixp/core/plugin-kit'

/** What a metrics provider returns: the body of the metrics route and its media type. */
export interface MetricsAnswer {
  contentType: string
  body: string
}

/**
 * Produces the metrics route's answer; receives the built-in collector and the request (a web `Request` with
 * the route's URL, query and headers, so a provider can negotiate the format, e.g. Prometheus text).
 */
export type MetricsProvider = (
  collector: MetricsCollector,
  request: Request,
) => MetricsAnswer | Promise<MetricsAnswer>

/** The JSON shape of the IXP reference's metrics route (plus `byRoute`). */
export interface MetricsSnapshot {
  requests: {
    total: number
    /** Renders answered through this handler, by registered intent name (failed ones included). */
    byIntent: Record<string, number>
    /** Requests by route (`render_requests`, `/intents`, …; unknown paths as `not_found`). */
    byRoute: Record<string, number>
    byStatus: Record<string, number>
  }
  performance: { averageResponseTime: number; p95ResponseTime: number; p99ResponseTime: number }
  errors: {
    total: number
    byType: Record<string, number>
    /** Error answers by severity (`info`, `warning`, `error`; core's `classifyError`). */
    bySeverity: Record<string, number>
    /** Error answers by category (`client`, `auth`, `limit`, `dependency`, `internal`). */
    byCategory: Record<string, number>
  }
  /** Whole seconds since the handler was created. */
  uptime: number
  timestamp: string
}

const WINDOW = 1000
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}

export class MetricsCollector {
  readonly #startedAt = Date.now()
  #total = 0
  readonly #byRoute = new Map<string, number>()
  readonly #byIntent = new Map<string, number>()
  /**
   * Marks the contexts this handler made: a property whose value is the context itself (a copy of a context, a
   * workflow step's, points at the original and is not taken for one of ours). Not a WeakSet: an entry per request
   * cost ~1 µs of ephemeron and GC work under load.
   */
  readonly #mark: symbol = Symbol('ixp.metrics.request')

  constructor(engine?: Engine) {
    if (engine === undefined) return
    engine.events.on('intent:after', ({ intent, context }) => this.#counted(intent, context))
    engine.events.on('intent:error', ({ intent, context }) => this.#counted(intent, context))
  }

  /** Marks a context this handler made, so the renders run with it count in `byIntent`. */
  track(context: IxpContext): void {
    ;(context as Record<symbol, unknown>)[this.#mark] = context
  }

  #counted(intent: string | undefined, context: IxpContext): void {
    if (intent !== undefined && (context as Record<symbol, unknown>)[this.#mark] === context) {
      bump(this.#byIntent, intent)
    }
  }

  readonly #byStatus = new Float64Array(5)
  #errors = 0
  readonly #errorsByCode = new Map<string, number>()
  readonly #errorsBySeverity = new Map<string, number>()
  readonly #errorsByCategory = new Map<string, number>()
  readonly #durations = new Float64Array(WINDOW)
  #next = 0
  #filled = 0

  /**
   * Counts one answered request. `route` is the route's path (every render counts as `render_requests`,
   * unknown paths as `not_found`, so the key set stays bounded); `errorCode` is set for error answers.
   */
  record(route: string, status: number, durationMs: number, errorCode: string | undefined): void {
    this.#total++
    bump(this.#byRoute, route)
    const statusClass = Math.floor(status / 100) - 1
    if (statusClass >= 0 && statusClass < 5) this.#byStatus[statusClass]!++
    if (errorCode !== undefined) {
      this.#errors++
      bump(this.#errorsByCode, errorCode)
      const { category, severity } = classifyError(errorCode, status)
      bump(this.#errorsBySeverity, severity)
      bump(this.#errorsByCategory, category)
    }
    this.#durations[this.#next] = durationMs
    this.#next = (this.#next + 1) % WINDOW
    if (this.#filled < WINDOW) this.#filled++
  }

  /** The reference's JSON shape; percentiles over the last 1000 requests. */
  snapshot(): MetricsSnapshot {
    const durations = Array.from(this.#durations.subarray(0, this.#filled)).sort((a, b) => a - b)
    const at = (p: number) =>
      durations.length === 0
        ? 0
        : durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!
    const sum = durations.reduce((total, value) => total + value, 0)
    const byStatus: Record<string, number> = {}
    STATUS_CLASSES.forEach((name, index) => {
      if (this.#byStatus[index]! > 0) byStatus[name] = this.#byStatus[index]!
    })
    return {
      requests: {
        total: this.#total,
        byIntent: Object.fromEntries(this.#byIntent),
        byRoute: Object.fromEntries(this.#byRoute),
        byStatus,
      },
      performance: {
        averageResponseTime: durations.length === 0 ? 0 : round(sum / durations.length),
        p95ResponseTime: round(at(0.95)),
        p99ResponseTime: round(at(0.99)),
      },
      errors: {
        total: this.#errors,
        byType: Object.fromEntries(this.#errorsByCode),
        bySeverity: Object.fromEntries(this.#errorsBySeverity),
        byCategory: Object.fromEntries(this.#errorsByCategory),
      },
      uptime: Math.floor((Date.now() - this.#startedAt) / 1000),
      timestamp: new Date().toISOString(),
    }
  }
}
