/**
 * One labelled series of a metric: a counter's or gauge's value, or a histogram's buckets, sum, count and a
 * ring of its most recent observations (for p50/p95/p99). Memory is fixed when the series is made.
 */
import { tracingError } from '../errors.js'

/** Label values; numbers and booleans are written as strings. `undefined` leaves the label out. */
export type LabelValue = string | number | boolean
export type Labels = Readonly<Record<string, LabelValue | undefined>>

/** A series' labels, sorted by name, as given to `toJSON()`. */
export type LabelPairs = readonly (readonly [name: string, value: string])[]

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`))
}

/** `a="1",b="x"` — what goes between a sample's braces (without them, so a histogram can add `le`). */
export function labelText(pairs: LabelPairs): string {
  let text = ''
  for (const [name, value] of pairs) text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`
  return text
}

export abstract class Series {
  /** `{a="1"}` or `''`: precomputed, so exposition costs no escaping per scrape. */
  readonly braces: string

  constructor(
    readonly labels: LabelPairs,
    readonly text: string,
  ) {
    this.braces = text === '' ? '' : `{${text}}`
  }

  labelObject(): Record<string, string> {
    return Object.fromEntries(this.labels)
  }
}

export class CounterSeries extends Series {
  value = 0

  /** Adds `value` (default 1); a counter only goes up. */
  inc(value = 1): void {
    if (!(value >= 0) || value === Infinity) {
      throw tracingError('TRACING_INVALID_VALUE', {
        problem: `a counter can only be increased by a finite number ≥ 0 (got ${value})`,
      })
    }
    this.value += value
  }
}

export class GaugeSeries extends Series {
  value = 0

  set(value: number): void {
    if (typeof value !== 'number') {
      throw tracingError('TRACING_INVALID_VALUE', {
        problem: `a gauge value must be a number (got ${typeof value})`,
      })
    }
    this.value = value
  }

  inc(value = 1): void {
    this.set(this.value + value)
  }

  dec(value = 1): void {
    this.set(this.value - value)
  }
}

export class HistogramSeries extends Series {
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity
  /** Observations per bucket (not cumulative); the last slot counts those above the highest bound. */
  readonly buckets: Float64Array
  readonly #recent: Float64Array
  #next = 0
  #filled = 0

  constructor(
    labels: LabelPairs,
    text: string,
    readonly bounds: readonly number[],
    reservoirSize: number,
  ) {
    super(labels, text)
    this.buckets = new Float64Array(bounds.length + 1)
    this.#recent = new Float64Array(reservoirSize)
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) {
      throw tracingError('TRACING_INVALID_VALUE', {
        problem: `a histogram observation must be a finite number (got ${value})`,
      })
    }
    const bounds = this.bounds
    let index = 0
    while (index < bounds.length && value > bounds[index]!) index++
    this.buckets[index]!++
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    this.#recent[this.#next] = value
    this.#next = this.#next + 1 === this.#recent.length ? 0 : this.#next + 1
    if (this.#filled < this.#recent.length) this.#filled++
  }

  /** Nearest-rank quantiles over the most recent observations (`null` before the first one). */
  quantiles(ps: readonly number[]): (number | null)[] {
    if (this.#filled === 0) return ps.map(() => null)
    const sorted = this.#recent.slice(0, this.#filled).sort()
    return ps.map((p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!)
  }
}
