import { describe, it, expect, afterEach } from 'vitest'
import { metrics as metricsApi } from '@opentelemetry/api'
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics'
import { IxpError, Stage } from '@ixp/core'
import { cache } from '@ixp/plugin-cache'
import { createHttpHandler, MetricsCollector } from '@ixp/plugin-http'
import { metricsFormat, metricsProvider, MetricsRegistry, tracing } from '../src/index.js'
import { GLOBAL_CHECK_INTERVAL } from '../src/spans.js'
import { productEngine } from './helpers.js'
import { parsePrometheus } from './prometheus-parser.js'

class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

async function collected(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect()
  const byName = new Map<string, MetricData>()
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric)
  return byName
}

const productRequest = (productId = 'p-1') => ({
  intent: { name: 'product_details', parameters: { productId } },
})

afterEach(() => {
  metricsApi.disable()
})

describe('render metrics in the in-process registry', () => {
  it('counts renders by intent and outcome, errors by code, and times them', async () => {
    const plugin = tracing()
    const engine = await productEngine([plugin, cache()], { intent: { ttl: 60 } })
    await engine.render(productRequest())
    await engine.render(productRequest())
    await expect(engine.render({ intent: { name: 'product_details', parameters: {} } })).rejects.toThrow()
    await expect(engine.render({ intent: { name: 'no_such_intent' } })).rejects.toThrow()
    const json = plugin.metrics!.toJSON()
    expect(json.counters.ixp_renders_total!.series).toEqual(
      expect.arrayContaining([
        { labels: { intent: 'product_details', outcome: 'success' }, value: 2 },
        { labels: { intent: 'product_details', outcome: 'error' }, value: 1 },
        { labels: { intent: '(unknown)', outcome: 'error' }, value: 1 },
      ]),
    )
    expect(json.counters.ixp_errors_total!.series).toEqual(
      expect.arrayContaining([
        { labels: { code: 'INVALID_REQUEST', phase: 'render' }, value: 1 },
        { labels: { code: 'INTENT_NOT_SUPPORTED', phase: 'render' }, value: 1 },
      ]),
    )
    expect(json.counters.ixp_cache_lookups_total!.series).toEqual(
      expect.arrayContaining([
        { labels: { intent: 'product_details', status: 'miss' }, value: 1 },
        { labels: { intent: 'product_details', status: 'hit' }, value: 1 },
      ]),
    )
    const durations = json.histograms.ixp_render_duration_seconds!.series
    const success = durations.find((series) => series.labels.outcome === 'success')!
    expect(success.count).toBe(2)
    expect(success.p50).toBeGreaterThan(0)
    expect(success.p99!).toBeLessThan(10)
    // The unknown intent failed before it started: counted, not timed.
    expect(durations.find((series) => series.labels.intent === '(unknown)')).toBeUndefined()
    expect(json.gauges.ixp_intents_registered!.series).toEqual([{ labels: {}, value: 2 }])
    expect(json.gauges.ixp_components_registered!.series).toEqual([{ labels: {}, value: 2 }])
  })

  it('counts resolves by outcome and resolver, and resolver failures', async () => {
    const plugin = tracing()
    const engine = await productEngine([
      plugin,
      {
        name: 'broken-resolver',
        apply(e) {
          e.hooks.resolve.tapPromise({ name: 'broken-resolver', stage: Stage.SEMANTIC }, async (query) => {
            if (query.text === 'explode')
              throw new IxpError('RESOLVER_DOWN', 'The resolver is down', { status: 503 })
            return undefined
          })
        },
      },
    ])
    await engine.resolve('product_details')
    await engine.resolve('something else')
    await expect(engine.resolve('explode')).rejects.toMatchObject({ code: 'RESOLVER_DOWN' })
    const json = plugin.metrics!.toJSON()
    expect(json.counters.ixp_resolves_total!.series).toEqual([
      { labels: { outcome: 'matched', source: 'exact-name' }, value: 1 },
      { labels: { outcome: 'no_match' }, value: 1 },
      { labels: { outcome: 'error' }, value: 1 },
    ])
    expect(json.counters.ixp_errors_total!.series).toEqual([
      { labels: { code: 'RESOLVER_DOWN', phase: 'resolve' }, value: 1 },
    ])
  })

  it('shares one registry between engines and records nothing with registry: false', async () => {
    const registry = new MetricsRegistry()
    const a = await productEngine([tracing({ registry })])
    const b = await productEngine([tracing({ registry })])
    await a.render(productRequest())
    await b.render(productRequest())
    expect(registry.toJSON().counters.ixp_renders_total!.series).toEqual([
      { labels: { intent: 'product_details', outcome: 'success' }, value: 2 },
    ])
    const none = tracing({ registry: false })
    expect(none.metrics).toBeUndefined()
    const engine = await productEngine([none])
    await expect(engine.render(productRequest())).resolves.toBeDefined()
  })
})

describe('render metrics through the OpenTelemetry metrics API', () => {
  it('records ixp.renders, ixp.errors and duration histograms in seconds on an explicit meter provider', async () => {
    const reader = new TestReader()
    const meterProvider = new MeterProvider({ readers: [reader] })
    const engine = await productEngine([tracing({ meterProvider, registry: false, phases: true })])
    await engine.render(productRequest())
    await engine.render(productRequest())
    await expect(engine.render({ intent: { name: 'product_details', parameters: {} } })).rejects.toThrow()
    const byName = await collected(reader)
    const renders = byName.get('ixp.renders')!
    expect(renders.dataPointType).toBe(DataPointType.SUM)
    expect(renders.dataPoints.map((point) => [point.attributes, point.value])).toEqual(
      expect.arrayContaining([
        [{ 'ixp.intent.name': 'product_details', 'ixp.render.outcome': 'success' }, 2],
        [{ 'ixp.intent.name': 'product_details', 'ixp.render.outcome': 'error' }, 1],
      ]),
    )
    expect(byName.get('ixp.errors')!.dataPoints[0]).toMatchObject({
      attributes: { 'ixp.phase': 'render', 'error.type': 'INVALID_REQUEST' },
      value: 1,
    })
    const duration = byName.get('ixp.render.duration')!
    expect(duration.descriptor.unit).toBe('s')
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM)
    const point = duration.dataPoints.find((p) => p.attributes['ixp.render.outcome'] === 'success')!
    expect(point.value).toMatchObject({ count: 2 })
    expect((point.value as { buckets: { boundaries: number[] } }).buckets.boundaries[0]).toBe(0.0005)
    expect(byName.get('ixp.handler.duration')!.dataPoints[0]!.value).toMatchObject({ count: 2 })
    await meterProvider.shutdown()
  })

  it('follows the global meter provider, registered before or after the plugin', async () => {
    const engine = await productEngine([tracing({ registry: false })])
    await engine.render(productRequest())
    const reader = new TestReader()
    const meterProvider = new MeterProvider({ readers: [reader] })
    metricsApi.setGlobalMeterProvider(meterProvider)
    // The global provider is looked at again every GLOBAL_CHECK_INTERVAL recordings.
    for (let i = 0; i < GLOBAL_CHECK_INTERVAL; i++) await engine.render(productRequest())
    const [point] = (await collected(reader)).get('ixp.renders')!.dataPoints
    expect(point!.value).toBeGreaterThanOrEqual(1)
    expect(point!.value).toBeLessThanOrEqual(GLOBAL_CHECK_INTERVAL)
    await meterProvider.shutdown()
  })
})

describe('metricsProvider', () => {
  const request = (url: string, accept?: string) =>
    new Request(`http://localhost${url}`, accept === undefined ? {} : { headers: { accept } })

  it('answers Prometheus for ?format=prometheus or an Accept preferring text, JSON otherwise', () => {
    expect(metricsFormat(undefined)).toBe('json')
    expect(metricsFormat(request('/ixp/metrics'))).toBe('json')
    expect(metricsFormat(request('/ixp/metrics?format=prometheus'))).toBe('prometheus')
    expect(metricsFormat(request('/ixp/metrics?format=PROMETHEUS'))).toBe('prometheus')
    expect(metricsFormat(request('/ixp/metrics', 'text/plain'))).toBe('prometheus')
    expect(metricsFormat(request('/ixp/metrics', 'text/plain; version=0.0.4'))).toBe('prometheus')
    // What Prometheus sends when scraping.
    const scraper =
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,' +
      'text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
    expect(metricsFormat(request('/ixp/metrics', scraper))).toBe('prometheus')
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
    expect(metricsFormat(request('/ixp/metrics', browser))).toBe('json')
    expect(metricsFormat(request('/ixp/metrics', '*/*'))).toBe('json')
    expect(metricsFormat(request('/ixp/metrics', 'application/json, text/plain;q=0.5'))).toBe('json')
    expect(metricsFormat(request('/ixp/metrics', 'text/plain;q=0'))).toBe('json')
    expect(metricsFormat(request('/ixp/metrics?format=json', 'text/plain'))).toBe('json')
  })

  it("merges plugin-http's reference JSON with the registry under `metrics`", async () => {
    const plugin = tracing()
    const engine = await productEngine([plugin])
    await engine.render(productRequest())
    const builtIn = new MetricsCollector()
    builtIn.record('render_requests', 200, 3, undefined)
    builtIn.record('/intents', 404, 1, 'INTENT_NOT_SUPPORTED')
    const answer = metricsProvider(plugin.metrics!)(builtIn)
    expect(answer.contentType).toBe('application/json; charset=utf-8')
    const body = JSON.parse(answer.body)
    expect(body).toMatchObject({
      requests: {
        total: 2,
        byIntent: { render_requests: 1, '/intents': 1 },
        byStatus: { '2xx': 1, '4xx': 1 },
      },
      errors: { total: 1, byType: { INTENT_NOT_SUPPORTED: 1 } },
      metrics: {
        counters: {
          ixp_renders_total: {
            series: [{ labels: { intent: 'product_details', outcome: 'success' }, value: 1 }],
          },
        },
      },
    })
    expect(typeof body.uptime).toBe('number')
    expect(
      Object.keys(JSON.parse(metricsProvider(plugin.metrics!, { jsonKey: 'ixp' })(builtIn).body)),
    ).toContain('ixp')
  })

  it('answers valid Prometheus text with the registry and the HTTP request metrics', async () => {
    const plugin = tracing()
    const engine = await productEngine([plugin])
    await engine.render(productRequest())
    const builtIn = new MetricsCollector()
    builtIn.record('render_requests', 200, 3, undefined)
    builtIn.record('render_requests', 500, 9, 'INTERNAL_ERROR')
    const answer = metricsProvider(plugin.metrics!)(builtIn, request('/ixp/metrics?format=prometheus'))
    expect(answer.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    const families = parsePrometheus(answer.body)
    expect(families.get('ixp_renders_total')!.samples).toEqual([
      { name: 'ixp_renders_total', labels: { intent: 'product_details', outcome: 'success' }, value: 1 },
    ])
    expect(families.get('ixp_render_duration_seconds')!.type).toBe('histogram')
    expect(families.get('ixp_http_requests_total')!.samples).toEqual([
      { name: 'ixp_http_requests_total', labels: { route: 'render_requests' }, value: 2 },
    ])
    expect(
      families.get('ixp_http_responses_total')!.samples.map((s) => [s.labels.status_class, s.value]),
    ).toEqual([
      ['2xx', 1],
      ['5xx', 1],
    ])
    expect(families.get('ixp_http_errors_total')!.samples[0]).toMatchObject({
      labels: { code: 'INTERNAL_ERROR' },
    })
    expect(families.get('ixp_http_recent_response_time_milliseconds')!.samples).toHaveLength(3)
    expect(() => metricsProvider({} as never)).toThrow(
      expect.objectContaining({ code: 'TRACING_INVALID_OPTIONS' }),
    )
  })

  it('serves GET /ixp/metrics through plugin-http by itself: the merged JSON, or Prometheus text when asked', async () => {
    const plugin = tracing()
    const engine = await productEngine([plugin])
    const handler = createHttpHandler(engine)
    const render = await handler.fetch(
      new Request('http://localhost/ixp/render', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(productRequest()),
      }),
    )
    expect(render.status).toBe(200)
    const response = await handler.fetch(new Request('http://localhost/ixp/metrics'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    const body = (await response.json()) as Record<string, any>
    expect(body.requests.byIntent.render_requests).toBe(1)
    expect(body.metrics.counters.ixp_renders_total.series).toEqual([
      { labels: { intent: 'product_details', outcome: 'success' }, value: 1 },
    ])
    const text = await handler.fetch(new Request('http://localhost/ixp/metrics?format=prometheus'))
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(parsePrometheus(await text.text()).get('ixp_renders_total')!.samples[0]!.value).toBe(1)
  })

  it("leaves the handler's own metrics.provider in charge, and stops providing once closed", async () => {
    const plugin = tracing()
    const engine = await productEngine([plugin])
    const own = createHttpHandler(engine, {
      metrics: { provider: () => ({ contentType: 'text/plain', body: 'own\n' }) },
    })
    expect(
      await (await own.fetch(new Request('http://localhost/ixp/metrics?format=prometheus'))).text(),
    ).toBe('own\n')
    const handler = createHttpHandler(engine)
    await engine.close()
    const after = await handler.fetch(new Request('http://localhost/ixp/metrics?format=prometheus'))
    expect(after.headers.get('content-type')).toBe('application/json; charset=utf-8')
  })
})
