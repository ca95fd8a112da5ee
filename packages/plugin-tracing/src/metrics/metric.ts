/**
 * Counters, gauges and histograms with labels. Each keeps at most `maxSeries` label combinations; further
 * combinations are folded into one series labelled `otel_metric_overflow="true"` (the OpenTelemetry SDK's
 * convention), so a label fed from user input cannot grow memory without bound.
 */
import { tracingError } from '../errors.js'
import { checkLabelName } from './names.js'
import {
  CounterSeries,
  GaugeSeries,
  HistogramSeries,
  labelText,
  type LabelPairs,
  type Labels,
  type Series,
} from './series.js'

export const OVERFLOW_LABEL = 'otel_metric_overflow'

export interface SeriesLimits {
  maxSeries: number
  reservoirSize: number
}

export type MetricType = 'counter' | 'gauge' | 'histogram'

/** The key of a label set: names sorted, so `{a, b}` and `{b, a}` are one series. */
function keyOf(labels: Labels | undefined): string {
  if (labels === undefined) return ''
  const names = Object.keys(labels)
  if (names.length === 0) return ''
  if (names.length > 1) names.sort()
  let key = ''
  for (const name of names) {
    const value = labels[name]
    if (value !== undefined) key += `${name}\u0000${String(value)}\u0001`
  }
  return key
}

export abstract class Metric<S extends Series> {
  abstract readonly type: MetricType
  readonly #series = new Map<string, S>()
  #overflow: S | undefined

  constructor(
    readonly name: string,
    readonly help: string,
    protected readonly limits: SeriesLimits,
  ) {}

  /** The series of a label set (made on first use); keep it to record without looking labels up again. */
  series(labels?: Labels): S {
    const key = keyOf(labels)
    const found = this.#series.get(key)
    if (found !== undefined) return found
    if (this.#series.size >= this.limits.maxSeries) {
      this.#overflow ??= this.#make([[OVERFLOW_LABEL, 'true']])
      return this.#overflow
    }
    const created = this.#make(this.#pairs(labels))
    this.#series.set(key, created)
    return created
  }

  /** Every series, the overflow one last. */
  all(): S[] {
    const list = [...this.#series.values()]
    if (this.#overflow !== undefined) list.push(this.#overflow)
    return list
  }

  /** Forgets every series. */
  reset(): void {
    this.#series.clear()
    this.#overflow = undefined
  }

  protected reservedLabels(): readonly string[] {
    return [OVERFLOW_LABEL]
  }

  protected abstract create(pairs: LabelPairs, text: string): S

  #make(pairs: LabelPairs): S {
    return this.create(pairs, labelText(pairs))
  }

  #pairs(labels: Labels | undefined): LabelPairs {
    if (labels === undefined) return []
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
      throw tracingError('TRACING_INVALID_VALUE', {
        problem: `labels of metric '${this.name}' must be an object`,
      })
    }
    const reserved = this.reservedLabels()
    const pairs: [string, string][] = []
    for (const name of Object.keys(labels).sort()) {
      const value = labels[name]
      if (value === undefined) continue
      checkLabelName(this.name, name, reserved)
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw tracingError('TRACING_INVALID_VALUE', {
          problem: `label '${name}' of metric '${this.name}' must be a string, number or boolean (got ${typeof value})`,
        })
      }
      pairs.push([name, String(value)])
    }
    return pairs
  }
}

export class Counter extends Metric<CounterSeries> {
  readonly type = 'counter'

  /** Adds `value` (default 1) to the series of `labels`. */
  inc(labels?: Labels, value = 1): void {
    this.series(labels).inc(value)
  }

  protected create(pairs: LabelPairs, text: string): CounterSeries {
    return new CounterSeries(pairs, text)
  }
}

export class Gauge extends Metric<GaugeSeries> {
  readonly type = 'gauge'

  constructor(
    name: string,
    help: string,
    limits: SeriesLimits,
    /** Called before every export to set current values. */
    readonly collect: ((gauge: Gauge) => void) | undefined,
  ) {
    super(name, help, limits)
  }

  set(value: number, labels?: Labels): void {
    this.series(labels).set(value)
  }

  inc(labels?: Labels, value = 1): void {
    this.series(labels).inc(value)
  }

  dec(labels?: Labels, value = 1): void {
    this.series(labels).dec(value)
  }

  protected create(pairs: LabelPairs, text: string): GaugeSeries {
    return new GaugeSeries(pairs, text)
  }
}

export class Histogram extends Metric<HistogramSeries> {
  readonly type = 'histogram'

  constructor(
    name: string,
    help: string,
    limits: SeriesLimits,
    /** Upper bounds of the buckets, increasing (`+Inf` is implied). */
    readonly buckets: readonly number[],
  ) {
    super(name, help, limits)
  }

  observe(value: number, labels?: Labels): void {
    this.series(labels).observe(value)
  }

  /** Starts timing; the returned function observes the seconds elapsed and returns them. */
  startTimer(labels?: Labels): () => number {
    const series = this.series(labels)
    const start = performance.now()
    return () => {
      const seconds = (performance.now() - start) / 1000
      series.observe(seconds)
      return seconds
    }
  }

  protected override reservedLabels(): readonly string[] {
    return [OVERFLOW_LABEL, 'le', 'quantile']
  }

  protected create(pairs: LabelPairs, text: string): HistogramSeries {
    return new HistogramSeries(pairs, text, this.buckets, this.limits.reservoirSize)
  }
}

export type AnyMetric = Counter | Gauge | Histogram
