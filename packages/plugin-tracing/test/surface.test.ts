import { describe, it, expect } from 'vitest'
import { createEngine, silentLogger } from '@ixp/core'
import * as api from '../src/index.js'
import { tracing } from '../src/index.js'

describe('public surface', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DURATION_BUCKETS',
      'MetricsRegistry',
      'PROMETHEUS_CONTENT_TYPE',
      'TracingErrorCodes',
      'formatTraceparent',
      'metricsFormat',
      'metricsProvider',
      'parseTraceparent',
      'semconv',
      'traceHttp',
      'traced',
      'tracing',
      'w3cTraceContext',
    ])
  })

  it('names its plugin and every tap after the package', async () => {
    const plugin = tracing({ spans: true })
    expect(plugin.name).toBe('@ixp/plugin-tracing')
    const engine = createEngine({ logger: silentLogger, plugins: [plugin] })
    await engine.ready()
    const names = new Set<string>()
    for (const hook of Object.values(engine.hooks) as { taps: { name: string }[] }[]) {
      for (const tap of hook.taps) names.add(tap.name)
    }
    expect([...names].sort()).toEqual(['@ixp/plugin-tracing', 'ixp:exact-name'])
  })
})

describe('options', () => {
  it('refuses unusable options at creation, naming the option', () => {
    const cases: [unknown, RegExp][] = [
      [{ tracerProvider: {} }, /tracerProvider/],
      [{ meterProvider: 1 }, /meterProvider/],
      [{ propagator: { extract: () => 1 } }, /propagator/],
      [{ spans: 'sometimes' }, /spans/],
      [{ phases: 1 }, /phases/],
      [{ tapSpans: 'yes' }, /tapSpans/],
      [{ user: 'email' }, /user/],
      [{ userKey: '' }, /userKey/],
      [{ registry: {} }, /registry/],
      [{ workflows: {} }, /workflows/],
    ]
    for (const [options, message] of cases) {
      expect(() => tracing(options as never), JSON.stringify(options)).toThrow(message)
      expect(() => tracing(options as never)).toThrow(
        expect.objectContaining({ code: 'TRACING_INVALID_OPTIONS' }),
      )
    }
    expect(() => tracing(null as never)).toThrow(/options object/)
  })

  it('installs on one engine only', async () => {
    const plugin = tracing()
    await createEngine({ logger: silentLogger, plugins: [plugin] }).ready()
    const second = createEngine({ logger: silentLogger, plugins: [plugin] })
    await expect(second.ready()).rejects.toMatchObject({ code: 'PLUGIN_APPLY_FAILED' })
  })
})
