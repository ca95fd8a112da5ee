import { describe, it, expect, afterEach } from 'vitest'
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import type { Engine } from '@ixp/core'
import { createHttpHandler, type HttpHandlerOptions } from '@ixp/plugin-http'
import {
  formatTraceparent,
  MetricsRegistry,
  parseTraceparent,
  traceHttp,
  tracing,
  w3cTraceContext,
  type HttpAround,
} from '../src/index.js'
import { createSdk, only, parentId, productEngine, tree, type Sdk } from './helpers.js'

let sdk: Sdk | undefined
afterEach(async () => {
  await sdk?.shutdown()
  sdk = undefined
})

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT_ID = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`
const productRequest = { intent: { name: 'product_details', parameters: { productId: 'p-1' } } }

describe('W3C trace context', () => {
  it('parses valid traceparent headers and refuses invalid ones', () => {
    expect(parseTraceparent(TRACEPARENT)).toEqual({
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    })
    expect(parseTraceparent(` ${TRACEPARENT}\t`)?.traceId).toBe(TRACE_ID)
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)?.traceFlags).toBe(TraceFlags.NONE)
    // A later version may append fields; version 00 may not.
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01-extra`)?.spanId).toBe(PARENT_ID)
    for (const bad of [
      undefined,
      '',
      `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
      `ff-${TRACE_ID}-${PARENT_ID}-01`,
      `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`,
      `00-${'0'.repeat(32)}-${PARENT_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID}-${PARENT_ID}`,
      `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`,
      `00_${TRACE_ID}_${PARENT_ID}_01`,
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined()
    }
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1 })).toBe(TRACEPARENT)
  })

  it('extracts and injects traceparent and tracestate without an SDK', () => {
    const carrier = { traceparent: TRACEPARENT, tracestate: 'vendor=abc,other=1' }
    const extracted = w3cTraceContext.extract(ROOT_CONTEXT, carrier, {
      get: (c, key) => (c as Record<string, string>)[key],
      keys: (c) => Object.keys(c as object),
    })
    const spanContext = trace.getSpanContext(extracted)!
    expect(spanContext).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID, isRemote: true })
    expect(spanContext.traceState?.get('vendor')).toBe('abc')
    const headers = new Headers()
    w3cTraceContext.inject(extracted, headers, { set: (c, key, value) => (c as Headers).set(key, value) })
    expect(headers.get('traceparent')).toBe(TRACEPARENT)
    expect(headers.get('tracestate')).toBe('vendor=abc,other=1')
    // Nothing to inject from a context without a span; an oversized tracestate is dropped, the parent kept.
    const empty = new Headers()
    w3cTraceContext.inject(ROOT_CONTEXT, empty, { set: (c, key, value) => (c as Headers).set(key, value) })
    expect([...empty.keys()]).toEqual([])
    const long = w3cTraceContext.extract(
      ROOT_CONTEXT,
      new Headers({ traceparent: TRACEPARENT, tracestate: `a=${'x'.repeat(600)}` }),
      {
        get: (c, key) => (c as Headers).get(key) ?? undefined,
        keys: () => [],
      },
    )
    expect(trace.getSpanContext(long)?.traceState).toBeUndefined()
    expect(w3cTraceContext.fields()).toEqual(['traceparent', 'tracestate'])
  })
})

describe('the render span continues the caller', () => {
  it('from ctx.headers.traceparent (what plugin-http puts there), with no SDK propagator or context manager', async () => {
    sdk = createSdk()
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })])
    await engine.render(productRequest, { headers: { traceparent: TRACEPARENT, tracestate: 'vendor=abc' } })
    const render = only(sdk.spans(), 'ixp.render product_details')
    expect(render.spanContext().traceId).toBe(TRACE_ID)
    expect(parentId(render)).toBe(PARENT_ID)
    expect(render.parentSpanContext?.isRemote).toBe(true)
    expect(render.spanContext().traceState?.get('vendor')).toBe('abc')
  })

  it('from ctx.otelContext, before any header', async () => {
    sdk = createSdk()
    const tracer = sdk.provider.getTracer('caller')
    const caller = tracer.startSpan('caller')
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })])
    await engine.render(productRequest, {
      otelContext: trace.setSpan(ROOT_CONTEXT, caller),
      headers: { traceparent: TRACEPARENT },
    })
    caller.end()
    expect(tree(sdk.spans())).toEqual([
      'caller',
      '  ixp.render product_details',
      '    ixp.handler',
      '    ixp.component.render',
    ])
  })

  it('from the active span when a context manager runs', async () => {
    sdk = createSdk({ global: true })
    const engine = await productEngine([tracing()])
    const tracer = trace.getTracer('caller')
    await tracer.startActiveSpan('job', async (span) => {
      await engine.render(productRequest, { headers: { traceparent: TRACEPARENT } })
      span.end()
    })
    expect(tree(sdk.spans())[0]).toBe('job')
    expect(tree(sdk.spans())[1]).toBe('  ixp.render product_details')
  })

  it("through the SDK's global propagator with propagator: propagation", async () => {
    sdk = createSdk()
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider, propagator: propagation })])
    // No global propagator yet: the API's is a no-op, so the header is not read.
    await engine.render(productRequest, { headers: { traceparent: TRACEPARENT } })
    expect(only(sdk.spans(), 'ixp.render product_details').spanContext().traceId).not.toBe(TRACE_ID)
    sdk.exporter.reset()
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    await engine.render(productRequest, { headers: { traceparent: TRACEPARENT } })
    expect(parentId(only(sdk.spans(), 'ixp.render product_details'))).toBe(PARENT_ID)
  })
})

/** plugin-http serving the engine with `around`: every request wrapped, the matched route handed over. */
function serve(engine: Engine, around: HttpAround, options: HttpHandlerOptions = {}) {
  return createHttpHandler(engine, { ...options, around }).fetch
}

function postRender(headers: Record<string, string> = {}, url = 'http://shop.example:8080/ixp/render') {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'test-agent/1.0', ...headers },
    body: JSON.stringify(productRequest),
  })
}

describe('traceHttp', () => {
  it('opens a SERVER span with the HTTP semantic conventions, under the caller, above the render', async () => {
    sdk = createSdk({ global: true })
    const engine = await productEngine([tracing()])
    const fetch = serve(engine, traceHttp({ traceResponse: true }))
    const response = await fetch(postRender({ traceparent: TRACEPARENT }))
    expect(response.status).toBe(200)
    const spans = sdk.spans()
    const server = only(spans, 'POST /ixp/render')
    expect(server.kind).toBe(SpanKind.SERVER)
    expect(server.attributes).toEqual({
      'http.request.method': 'POST',
      'url.path': '/ixp/render',
      'url.scheme': 'http',
      'server.address': 'shop.example',
      'server.port': 8080,
      'http.route': '/ixp/render',
      'user_agent.original': 'test-agent/1.0',
      'http.response.status_code': 200,
    })
    expect(server.spanContext().traceId).toBe(TRACE_ID)
    expect(parentId(server)).toBe(PARENT_ID)
    expect(tree(spans)).toEqual([
      'POST /ixp/render',
      '  ixp.render product_details',
      '    ixp.handler',
      '    ixp.component.render',
    ])
    expect(response.headers.get('traceresponse')).toBe(`00-${TRACE_ID}-${server.spanContext().spanId}-01`)
  })

  it('parents the render under the server span without a context manager, through the forwarded traceparent', async () => {
    sdk = createSdk({ contextManager: false })
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })])
    const fetch = serve(engine, traceHttp({ tracerProvider: sdk.provider }))
    const response = await fetch(postRender({ traceparent: TRACEPARENT }))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ tree: { type: 'card' } })
    const server = only(sdk.spans(), 'POST /ixp/render')
    const render = only(sdk.spans(), 'ixp.render product_details')
    expect(parentId(server)).toBe(PARENT_ID)
    expect(parentId(render)).toBe(server.spanContext().spanId)
    expect(response.headers.get('traceresponse')).toBeNull()
  })

  it('marks 5xx answers as errors and leaves 4xx unset; unknown paths get no route', async () => {
    sdk = createSdk({ global: true })
    const engine = await productEngine([tracing()], {
      handler: async () => {
        throw new Error('database down')
      },
    })
    const fetch = serve(engine, traceHttp())
    expect((await fetch(postRender())).status).toBe(500)
    const failed = only(sdk.spans(), 'POST /ixp/render')
    expect(failed.status.code).toBe(SpanStatusCode.ERROR)
    expect(failed.attributes['error.type']).toBe('500')
    expect(only(sdk.spans(), 'ixp.render product_details').attributes['error.type']).toBe('INTERNAL_ERROR')

    sdk.exporter.reset()
    expect((await fetch(new Request('http://shop.example/nowhere/at/all?sig=secret&page=2'))).status).toBe(
      404,
    )
    const missing = only(sdk.spans(), 'GET')
    expect(missing.status.code).toBe(SpanStatusCode.UNSET)
    expect(missing.attributes['http.route']).toBeUndefined()
    expect(missing.attributes['http.response.status_code']).toBe(404)
    expect(missing.attributes['url.query']).toBe('sig=REDACTED&page=2')
  })

  it('records a handler that throws, and names unknown methods _OTHER', async () => {
    sdk = createSdk({ global: true })
    const around = traceHttp()
    await expect(
      around(
        new Request('http://shop.example/ixp/intents', { method: 'PROPFIND' }),
        async () => {
          throw new TypeError('socket closed')
        },
        { route: '/ixp/intents' },
      ),
    ).rejects.toThrow('socket closed')
    const span = only(sdk.spans(), 'HTTP /ixp/intents')
    expect(span.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PROPFIND',
      'error.type': 'TypeError',
    })
    expect(span.status.code).toBe(SpanStatusCode.ERROR)
    expect(span.events.map((event) => event.name)).toEqual(['exception'])
  })

  it('names routes under another base path, and records the request duration histogram', async () => {
    sdk = createSdk({ global: true })
    const registry = new MetricsRegistry()
    const engine = await productEngine([tracing({ registry })])
    const fetch = serve(engine, traceHttp({ registry }), { basePath: '/api' })
    expect((await fetch(new Request('http://shop.example/api/intents/'))).status).toBe(200)
    expect(only(sdk.spans(), 'GET /api/intents').attributes['http.route']).toBe('/api/intents')
    expect(registry.toJSON().histograms.http_server_request_duration_seconds!.series).toEqual([
      expect.objectContaining({
        labels: { method: 'GET', route: '/api/intents', status_code: '200' },
        count: 1,
      }),
    ])
  })

  it('calls next() straight through with no SDK and nothing to record', async () => {
    trace.disable()
    const around = traceHttp()
    let forwarded: Request | undefined = new Request('http://x/')
    const request = new Request('http://shop.example/ixp/health')
    const response = await around(
      request,
      async (replacement) => {
        forwarded = replacement
        return new Response('ok')
      },
      { route: '/ixp/health' },
    )
    expect(await response.text()).toBe('ok')
    expect(forwarded).toBeUndefined()
    expect(context.active()).toBe(ROOT_CONTEXT)
  })

  it('refuses bad options at creation', () => {
    const invalid = expect.objectContaining({ code: 'TRACING_INVALID_OPTIONS' })
    expect(() => traceHttp({ route: 'x' as never })).toThrow(invalid)
    expect(() => traceHttp({ registry: {} as never })).toThrow(invalid)
    expect(() => traceHttp({ propagator: {} as never })).toThrow(invalid)
  })
})
