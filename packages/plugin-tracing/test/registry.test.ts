import { describe, it, expect } from 'vitest'
import { MetricsRegistry } from '../src/index.js'
import { parsePrometheus } from './prometheus-parser.js'

describe('MetricsRegistry', () => {
  it('counts, sets and observes per label set; label order does not matter', () => {
    const registry = new MetricsRegistry()
    const orders = registry.counter('orders_total', { help: 'Orders placed' })
    orders.inc({ region: 'eu', channel: 'web' })
    orders.inc({ channel: 'web', region: 'eu' }, 2)
    orders.inc({ region: 'us', channel: 'web' })
    const queue = registry.gauge('queue_depth', { help: 'Jobs waiting' })
    queue.set(5)
    queue.inc(undefined, 2)
    queue.dec(undefined, 3)
    const latency = registry.histogram('latency_seconds', { help: 'Latency', buckets: [0.1, 1] })
    latency.observe(0.05)
    latency.observe(0.5, { route: 'a' })
    latency.observe(3, { route: 'a' })
    const json = registry.toJSON()
    expect(json.counters.orders_total).toEqual({
      help: 'Orders placed',
      series: [
        { labels: { channel: 'web', region: 'eu' }, value: 3 },
        { labels: { channel: 'web', region: 'us' }, value: 1 },
      ],
    })
    expect(json.gauges.queue_depth!.series).toEqual([{ labels: {}, value: 4 }])
    expect(json.histograms.latency_seconds!.series[1]).toMatchObject({
      labels: { route: 'a' },
      count: 2,
      sum: 3.5,
      min: 0.5,
      max: 3,
      mean: 1.75,
    })
  })

  it('gives p50/p95/p99 (nearest rank) over the most recent observations only', () => {
    const registry = new MetricsRegistry({ reservoirSize: 100 })
    const histogram = registry.histogram('work_seconds', { help: 'Work' })
    for (let i = 1; i <= 100; i++) histogram.observe(i)
    expect(registry.toJSON().histograms.work_seconds!.series[0]).toMatchObject({ p50: 50, p95: 95, p99: 99 })
    // 100 more, all 1000: the window forgets the first hundred, count and sum do not.
    for (let i = 0; i < 100; i++) histogram.observe(1000)
    expect(registry.toJSON().histograms.work_seconds!.series[0]).toMatchObject({
      count: 200,
      p50: 1000,
      p99: 1000,
      min: 1,
    })
    const empty = registry.histogram('idle_seconds', { help: 'Idle' })
    empty.series({ kind: 'x' })
    expect(registry.toJSON().histograms.idle_seconds!.series[0]).toMatchObject({
      count: 0,
      min: null,
      p50: null,
      p99: null,
    })
  })

  it('folds label sets beyond maxSeries into one overflow series, so memory stays bounded', () => {
    const registry = new MetricsRegistry({ maxSeries: 2 })
    const hits = registry.counter('hits_total', { help: 'Hits' })
    for (const path of ['/a', '/b', '/c', '/d', '/a']) hits.inc({ path })
    expect(registry.toJSON().counters.hits_total!.series).toEqual([
      { labels: { path: '/a' }, value: 2 },
      { labels: { path: '/b' }, value: 1 },
      { labels: { otel_metric_overflow: 'true' }, value: 2 },
    ])
    expect(() => parsePrometheus(registry.toPrometheus())).not.toThrow()
  })

  it('reads gauges with a collect callback at export, and survives a callback that throws', () => {
    const registry = new MetricsRegistry()
    let size = 3
    registry.gauge('pool_size', { help: 'Pool size', collect: (gauge) => gauge.set(size) })
    registry.gauge('broken', {
      help: 'Broken',
      collect: () => {
        throw new Error('no')
      },
    })
    expect(registry.toJSON().gauges.pool_size!.series).toEqual([{ labels: {}, value: 3 }])
    size = 7
    const families = parsePrometheus(registry.toPrometheus())
    expect(families.get('pool_size')!.samples[0]!.value).toBe(7)
    expect(families.get('broken')!.samples).toEqual([])
  })

  it('returns the same metric for the same declaration and refuses conflicting ones', () => {
    const registry = new MetricsRegistry()
    const first = registry.counter('jobs_total', { help: 'Jobs' })
    expect(registry.counter('jobs_total', { help: 'Jobs' })).toBe(first)
    expect(() => registry.gauge('jobs_total', { help: 'Jobs' })).toThrow(
      expect.objectContaining({ code: 'TRACING_METRIC_CONFLICT' }),
    )
    expect(() => registry.counter('jobs_total', { help: 'Other' })).toThrow(/another help text/)
    registry.histogram('wait_seconds', { help: 'Wait', buckets: [1, 2] })
    expect(() => registry.histogram('wait_seconds', { help: 'Wait', buckets: [1, 3] })).toThrow(
      /other buckets/,
    )
    expect(() => registry.counter('wait_seconds_count', { help: 'x' })).toThrow(/wait_seconds_count/)
    registry.gauge('size_bucket', { help: 'x' })
    expect(() => registry.histogram('size', { help: 'x' })).toThrow(/size_bucket/)
  })

  it('refuses names, labels, buckets and values the format cannot carry, naming the problem', () => {
    const registry = new MetricsRegistry()
    const invalid = expect.objectContaining({ code: 'TRACING_INVALID_METRIC' })
    expect(() => registry.counter('2xx_total', { help: 'x' })).toThrow(invalid)
    expect(() => registry.counter('a-b', { help: 'x' })).toThrow(/must match/)
    expect(() => registry.counter('ok_total', { help: '' })).toThrow(/help text/)
    expect(() => registry.histogram('h', { help: 'x', buckets: [] })).toThrow(invalid)
    expect(() => registry.histogram('h2', { help: 'x', buckets: [1, 1] })).toThrow(/strictly increasing/)
    expect(() => registry.histogram('h3', { help: 'x', buckets: [1, Infinity] })).toThrow(/finite/)
    const histogram = registry.histogram('h4', { help: 'x' })
    expect(() => histogram.observe(1, { le: '1' })).toThrow(/'le'/)
    expect(() => histogram.observe(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'TRACING_INVALID_VALUE' }),
    )
    const counter = registry.counter('c_total', { help: 'x' })
    expect(() => counter.inc({ __name: 'x' })).toThrow(/'__'/)
    expect(() => counter.inc({ 'bad-label': 'x' })).toThrow(/label name/)
    expect(() => counter.inc({ ok: {} as never })).toThrow(/string, number or boolean/)
    expect(() => counter.inc(undefined, -1)).toThrow(/finite number ≥ 0/)
    expect(() => registry.gauge('g', { help: 'x' }).set('1' as never)).toThrow(/must be a number/)
    expect(() => new MetricsRegistry({ maxSeries: 0 })).toThrow(
      expect.objectContaining({ code: 'TRACING_INVALID_OPTIONS' }),
    )
  })
})

describe('Prometheus text exposition', () => {
  it('writes HELP and TYPE once per family, escapes help and label values, and parses back', () => {
    const registry = new MetricsRegistry()
    const help = 'Requests with a backslash \\ and\na line feed'
    const requests = registry.counter('requests_total', { help })
    const tricky = 'quote " backslash \\ line\nfeed'
    requests.inc({ path: tricky, code: 200 })
    requests.inc({ path: '/plain', code: 404 }, 3)
    registry.gauge('temperature', { help: 'Extremes' }).set(-Infinity, { sensor: 'a' })
    registry.gauge('temperature', { help: 'Extremes' }).set(Number.NaN, { sensor: 'b' })
    const text = registry.toPrometheus()
    expect(text).toContain('# HELP requests_total Requests with a backslash \\\\ and\\na line feed\n')
    expect(text).toContain('# TYPE requests_total counter\n')
    expect(text).toContain('requests_total{code="200",path="quote \\" backslash \\\\ line\\nfeed"} 1\n')
    const families = parsePrometheus(text)
    const family = families.get('requests_total')!
    expect(family).toMatchObject({ type: 'counter', help })
    expect(family.samples).toEqual([
      { name: 'requests_total', labels: { code: '200', path: tricky }, value: 1 },
      { name: 'requests_total', labels: { code: '404', path: '/plain' }, value: 3 },
    ])
    expect(families.get('temperature')!.samples.map((sample) => sample.value)).toEqual([
      -Infinity,
      Number.NaN,
    ])
  })

  it('writes histograms as cumulative buckets up to +Inf, with _sum and _count', () => {
    const registry = new MetricsRegistry()
    const histogram = registry.histogram('render_seconds', {
      help: 'Render time',
      buckets: [0.001, 0.01, 0.1],
    })
    for (const value of [0.0005, 0.001, 0.005, 0.05, 0.5]) histogram.observe(value, { intent: 'a' })
    const family = parsePrometheus(registry.toPrometheus()).get('render_seconds')!
    expect(family.type).toBe('histogram')
    const buckets = family.samples.filter((sample) => sample.name === 'render_seconds_bucket')
    expect(buckets.map((sample) => [sample.labels.le, sample.value])).toEqual([
      ['0.001', 2],
      ['0.01', 3],
      ['0.1', 4],
      ['+Inf', 5],
    ])
    expect(family.samples.find((sample) => sample.name === 'render_seconds_count')!.value).toBe(5)
    expect(family.samples.find((sample) => sample.name === 'render_seconds_sum')!.value).toBeCloseTo(0.5565)
  })

  it('the test parser rejects what a scraper would', () => {
    expect(() => parsePrometheus('a 1')).toThrow(/line feed/)
    expect(() => parsePrometheus('a{b="x} 1\n')).toThrow(/unterminated/)
    expect(() => parsePrometheus('a{b="\\q"} 1\n')).toThrow(/invalid escape/)
    expect(() => parsePrometheus('a 1\nb 1\na 2\n')).toThrow(/not contiguous/)
    expect(() => parsePrometheus('a 1\na 2\n')).toThrow(/duplicate series/)
    expect(() => parsePrometheus('a 1\n# TYPE a counter\n')).toThrow(/after its samples/)
    expect(() => parsePrometheus('a one\n')).toThrow(/invalid value/)
    expect(() =>
      parsePrometheus('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'),
    ).toThrow(/cumulative/)
    expect(() => parsePrometheus('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n')).toThrow(
      /\+Inf/,
    )
  })
})
