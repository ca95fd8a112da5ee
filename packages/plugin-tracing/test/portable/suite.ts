/**
 * The main entry where there are no Node built-ins, no code generation and no context manager (workerd):
 * render spans continuing a caller's `traceparent`, `traceHttp()` handing the server span on through the
 * request, hashed user ids (Web Crypto), and the metrics registry's Prometheus output. Uses the core's
 * dependency-free harness, since vitest cannot run there.
 */
import { IxpError, Stage, createEngine, silentLogger } from '@ixp/core'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { assert, describe, equal, test } from '../../../core/test/portable/harness.js'
import { metricsProvider, traceHttp, tracing } from '../../src/index.js'

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

async function fixture() {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
  const plugin = tracing({ tracerProvider: provider, userKey: 'portable' })
  const engine = createEngine({
    logger: silentLogger,
    plugins: [
      plugin,
      {
        name: 'test-user',
        apply(e) {
          e.hooks.admission.tap({ name: 'test-user', stage: Stage.AUTH }, (state) => {
            state.context.user = { id: 'alice' }
          })
        },
      },
    ],
  })
  engine.registerComponent({
    name: 'Card',
    render: (props) => ({ type: 'card', props: {}, children: [String(props.n)] }),
  })
  engine.registerIntent({
    name: 'product',
    description: 'A product',
    component: 'Card',
    parameters: { type: 'object', properties: { n: { type: 'number' } } },
    handler: async (params) => {
      if (params.n === 0) throw new IxpError('OUT_OF_STOCK', 'None left', { status: 409 })
      return { n: params.n }
    },
  })
  await engine.ready()
  return { engine, plugin, provider, exporter }
}

describe('plugin-tracing', () => {
  test('continues the caller from ctx.headers and hashes the user with Web Crypto', async () => {
    const { engine, exporter } = await fixture()
    await engine.render(
      { intent: { name: 'product', parameters: { n: 1 } } },
      { headers: { traceparent: TRACEPARENT } },
    )
    const spans = exporter.getFinishedSpans()
    const render = spans.find((span) => span.name === 'ixp.render product')
    assert(render !== undefined, 'no render span')
    equal(render.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736')
    equal(render.parentSpanContext?.spanId, '00f067aa0ba902b7')
    equal(String(render.attributes['enduser.pseudo.id']).length, 22)
    equal(spans.map((span) => span.name).sort(), [
      'ixp.admission',
      'ixp.component.render',
      'ixp.handler',
      'ixp.render product',
    ])
  })

  test('records a failing handler', async () => {
    const { engine, exporter } = await fixture()
    await engine.render({ intent: { name: 'product', parameters: { n: 0 } } }).catch(() => undefined)
    const handler = exporter.getFinishedSpans().find((span) => span.name === 'ixp.handler')
    equal(handler?.attributes['error.type'], 'OUT_OF_STOCK')
  })

  test('hands the server span on through the request without a context manager', async () => {
    const { engine, exporter, provider } = await fixture()
    const around = traceHttp({ tracerProvider: provider })
    const handle = async (request: Request) => {
      const headers: Record<string, string> = {}
      request.headers.forEach((value, key) => (headers[key] = value))
      const body = (await request.json()) as { n: number }
      const result = await engine.render({ intent: { name: 'product', parameters: body } }, { headers })
      return new Response(JSON.stringify(result.props))
    }
    const request = new Request('https://shop.example/ixp/render', {
      method: 'POST',
      headers: { traceparent: TRACEPARENT },
      body: JSON.stringify({ n: 2 }),
    })
    const response = await around(request, (replacement) => handle(replacement ?? request), {
      route: '/ixp/render',
    })
    equal(await response.json(), { n: 2 })
    const spans = exporter.getFinishedSpans()
    const server = spans.find((span) => span.name === 'POST /ixp/render')
    const render = spans.find((span) => span.name === 'ixp.render product')
    assert(server !== undefined && render !== undefined, 'missing spans')
    equal(server.parentSpanContext?.spanId, '00f067aa0ba902b7')
    equal(render.parentSpanContext?.spanId, server.spanContext().spanId)
  })

  test('serves the registry as Prometheus text', async () => {
    const { engine, plugin } = await fixture()
    await engine.render({ intent: { name: 'product', parameters: { n: 1 } } })
    const answer = metricsProvider(plugin.metrics!)(
      undefined,
      new Request('https://x/ixp/metrics?format=prometheus'),
    )
    assert(answer.contentType.startsWith('text/plain; version=0.0.4'), answer.contentType)
    assert(answer.body.includes('ixp_renders_total{intent="product",outcome="success"} 1\n'), answer.body)
  })
})
