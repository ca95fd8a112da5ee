/**
 * `ixp serve --config` with `plugins: [tracing()]` and no other wiring: the metrics route answers Prometheus text
 * when asked for it (plugin-tracing taps plugin-http's `metricsProvider` hook) and the protocol's JSON otherwise.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { parsePrometheus } from '../../plugin-tracing/test/prometheus-parser.js'
import { killAll, postRender, startServe } from './helpers.js'

afterAll(killAll)

describe('ixp serve with tracing()', () => {
  it('serves Prometheus text exposition for ?format=prometheus and Accept: text/plain, JSON by default', async () => {
    const server = await startServe(['--config', 'tracing.config.mjs'])
    for (let i = 0; i < 7; i++) {
      expect((await postRender(server.url, 'show_weather', { city: `Paris ${i}` })).status).toBe(200)
    }

    const prometheus = await fetch(`${server.url}/metrics?format=prometheus`)
    expect(prometheus.status).toBe(200)
    expect(prometheus.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const families = parsePrometheus(await prometheus.text())
    const renders = families.get('ixp_renders_total')
    expect(renders?.type).toBe('counter')
    const weather = renders!.samples.find(
      (sample) => sample.labels.intent === 'show_weather' && sample.labels.outcome === 'success',
    )
    expect(weather?.value).toBeGreaterThanOrEqual(7)
    expect(families.get('ixp_http_requests_total')?.samples).toContainEqual(
      expect.objectContaining({ labels: { route: 'render_requests' } }),
    )

    const byAccept = await fetch(`${server.url}/metrics`, { headers: { accept: 'text/plain' } })
    expect(byAccept.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(parsePrometheus(await byAccept.text()).has('ixp_renders_total')).toBe(true)

    const json = await fetch(`${server.url}/metrics`)
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const body = (await json.json()) as {
      requests: { total: number; byIntent: Record<string, number>; byRoute: Record<string, number> }
      performance: Record<string, number>
      errors: { total: number }
      uptime: number
      timestamp: string
    }
    // Renders counted by intent name, requests by route.
    expect(body.requests.byIntent.show_weather).toBe(7)
    expect(body.requests.byRoute.render_requests).toBe(7)
    expect(Object.keys(body.performance)).toEqual([
      'averageResponseTime',
      'p95ResponseTime',
      'p99ResponseTime',
    ])
    expect(typeof body.uptime).toBe('number')
    await server.stop()
  })
})
