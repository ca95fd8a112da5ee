/**
 * The in-process metrics registry: counters, gauges and histograms with labels, readable as JSON (with
 * p50/p95/p99 per histogram series) and as Prometheus text. Needs no OpenTelemetry SDK.
 */
import { tracingError } from '../errors.js'
import { Counter, Gauge, Histogram, type AnyMetric, type SeriesLimits } from './metric.js'
import { checkHelp, checkMetricName } from './names.js'
import { toPrometheus } from './prometheus.js'

/** Bucket upper bounds for durations in seconds: 0.5 ms to 10 s (renders are often sub-millisecond). */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
])

/** Options of {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /**
   * Most label combinations one metric keeps; later ones are counted in a single series labelled
   * `otel_metric_overflow="true"`.
   * @default 1000
   */
  maxSeries?: number
  /** Most recent observations each histogram series keeps for its p50/p95/p99 (8 bytes each). @default 1024 */
  reservoirSize?: number
}

export interface CounterOptions {
  /** What the metric counts (the exposition's `# HELP`). */
  help: string
}

export interface GaugeOptions {
  help: string
  /** Sets the gauge's current values; called before every `toJSON()` / `toPrometheus()`. @default undefined */
  collect?: (gauge: Gauge) => void
}

export interface HistogramOptions {
  help: string
  /** Bucket upper bounds, strictly increasing and finite (`+Inf` is implied). @default DURATION_BUCKETS */
  buckets?: readonly number[]
}

type Quantiles = { p50: number | null; p95: number | null; p99: number | null }

/** `toJSON()`: per metric, its help and every series with its labels. */
export interface MetricsJson {
  counters: Record<string, { help: string; series: { labels: Record<string, string>; value: number }[] }>
  gauges: Record<string, { help: string; series: { labels: Record<string, string>; value: number }[] }>
  histograms: Record<
    string,
    {
      help: string
      buckets: number[]
      series: ({
        labels: Record<string, string>
        count: number
        sum: number
        min: number | null
        max: number | null
        mean: number | null
      } & Quantiles)[]
    }
  >
}

const DEFAULTS = { maxSeries: 1000, reservoirSize: 1024 }

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: `${name} must be a positive integer (got ${String(value)})`,
    })
  }
  return value
}

function checkBuckets(metric: string, buckets: unknown): readonly number[] {
  const ok =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (bound, index) =>
        typeof bound === 'number' &&
        Number.isFinite(bound) &&
        (index === 0 || bound > (buckets[index - 1] as number)),
    )
  if (!ok) {
    throw tracingError('TRACING_INVALID_METRIC', {
      problem: `buckets of histogram '${metric}' must be a non-empty list of finite, strictly increasing numbers`,
    })
  }
  return Object.freeze([...(buckets as number[])])
}

function sameBuckets(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, index) => bound === b[index])
}

export class MetricsRegistry {
  readonly #limits: SeriesLimits
  readonly #metrics = new Map<string, AnyMetric>()
  /** Every sample name in use (a histogram uses `_bucket`, `_sum`, `_count`), to the metric owning it. */
  readonly #samples = new Map<string, string>()

  constructor(options: MetricsRegistryOptions = {}) {
    const merged = { ...DEFAULTS, ...options }
    this.#limits = {
      maxSeries: positiveInteger('maxSeries', merged.maxSeries),
      reservoirSize: positiveInteger('reservoirSize', merged.reservoirSize),
    }
  }

  /** Declares a counter, or returns the one already declared with this name and help. */
  counter(name: string, options: CounterOptions): Counter {
    return this.#declare(name, 'counter', options?.help, () => new Counter(name, options.help, this.#limits))
  }

  /** Declares a gauge, or returns the one already declared with this name and help. */
  gauge(name: string, options: GaugeOptions): Gauge {
    const collect = options?.collect
    if (collect !== undefined && typeof collect !== 'function') {
      throw tracingError('TRACING_INVALID_METRIC', {
        problem: `collect of gauge '${String(name)}' must be a function`,
      })
    }
    return this.#declare(
      name,
      'gauge',
      options?.help,
      () => new Gauge(name, options.help, this.#limits, collect),
    )
  }

  /** Declares a histogram, or returns the one already declared with this name, help and buckets. */
  histogram(name: string, options: HistogramOptions): Histogram {
    const buckets = checkBuckets(String(name), options?.buckets ?? DURATION_BUCKETS)
    const histogram = this.#declare(
      name,
      'histogram',
      options?.help,
      () => new Histogram(name, options.help, this.#limits, buckets),
    )
    if (!sameBuckets(histogram.buckets, buckets)) {
      throw tracingError('TRACING_METRIC_CONFLICT', {
        problem: `histogram '${name}' is already declared with other buckets`,
      })
    }
    return histogram
  }

  /** A declared metric by name. */
  get(name: string): AnyMetric | undefined {
    return this.#metrics.get(name)
  }

  /** Every declared metric, in declaration order. */
  list(): AnyMetric[] {
    return [...this.#metrics.values()]
  }

  /** Forgets every series (declarations stay). */
  reset(): void {
    for (const metric of this.#metrics.values()) metric.reset()
  }

  toJSON(): MetricsJson {
    this.#collect()
    const json: MetricsJson = { counters: {}, gauges: {}, histograms: {} }
    for (const metric of this.#metrics.values()) {
      if (metric.type === 'histogram') {
        json.histograms[metric.name] = {
          help: metric.help,
          buckets: [...metric.buckets],
          series: metric.all().map((series) => {
            const [p50, p95, p99] = series.quantiles([0.5, 0.95, 0.99])
            const empty = series.count === 0
            return {
              labels: series.labelObject(),
              count: series.count,
              sum: series.sum,
              min: empty ? null : series.min,
              max: empty ? null : series.max,
              mean: empty ? null : series.sum / series.count,
              p50: p50 ?? null,
              p95: p95 ?? null,
              p99: p99 ?? null,
            }
          }),
        }
      } else {
        const target = metric.type === 'counter' ? json.counters : json.gauges
        target[metric.name] = {
          help: metric.help,
          series: metric.all().map((series) => ({ labels: series.labelObject(), value: series.value })),
        }
      }
    }
    return json
  }

  /** The Prometheus text exposition format, version 0.0.4 (`text/plain; version=0.0.4`). */
  toPrometheus(): string {
    this.#collect()
    return toPrometheus([...this.#metrics.values()])
  }

  #collect(): void {
    for (const metric of this.#metrics.values()) {
      if (metric.type !== 'gauge' || metric.collect === undefined) continue
      try {
        metric.collect(metric)
      } catch {
        // A failing callback leaves the gauge at its last values; an export must not fail because of it.
      }
    }
  }

  #declare<M extends AnyMetric>(name: string, type: M['type'], help: unknown, make: () => M): M {
    checkMetricName(name)
    checkHelp(name, help)
    const existing = this.#metrics.get(name)
    if (existing !== undefined) {
      if (existing.type !== type || existing.help !== help) {
        throw tracingError('TRACING_METRIC_CONFLICT', {
          problem: `metric '${name}' is already declared as a ${existing.type}${existing.help === help ? '' : ' with another help text'}`,
        })
      }
      return existing as M
    }
    const samples = type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name]
    for (const sample of samples) {
      const owner = this.#samples.get(sample)
      if (owner !== undefined) {
        throw tracingError('TRACING_METRIC_CONFLICT', {
          problem: `metric '${name}' would write samples named '${sample}', which metric '${owner}' already writes`,
        })
      }
    }
    const metric = make()
    for (const sample of samples) this.#samples.set(sample, name)
    this.#metrics.set(name, metric)
    return metric
  }
}
