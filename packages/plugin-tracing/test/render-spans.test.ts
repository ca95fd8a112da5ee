import { describe, it, expect, afterEach } from 'vitest'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace'
import { IxpError, Stage } from '@ixp/core'
import { cache } from '@ixp/plugin-cache'
import { traced, tracing } from '../src/index.js'
import { GLOBAL_CHECK_INTERVAL } from '../src/spans.js'
import { createSdk, headerUser, only, parentId, productEngine, tree, type Sdk } from './helpers.js'

let sdk: Sdk | undefined
afterEach(async () => {
  await sdk?.shutdown()
  sdk = undefined
})

const productRequest = (productId = 'p-1') => ({
  intent: { name: 'product_details', parameters: { productId } },
})

describe('render spans', () => {
  it('makes one span per render with a child per phase: admission, cache lookup, handler, component render', async () => {
    sdk = createSdk()
    const engine = await productEngine(
      [headerUser(), cache(), tracing({ tracerProvider: sdk.provider, user: 'raw' })],
      { intent: { ttl: 60 } },
    )
    const result = await engine.render(productRequest(), {
      headers: { 'x-user': 'alice' },
      requestId: 'req-1',
    })
    expect(result.meta.cache).toBe('miss')
    const spans = sdk.spans()
    expect(tree(spans)).toEqual([
      'ixp.render product_details',
      '  ixp.admission',
      '  ixp.cache.lookup',
      '  ixp.handler',
      '  ixp.component.render',
    ])
    const render = only(spans, 'ixp.render product_details')
    expect(render.kind).toBe(SpanKind.INTERNAL)
    expect(render.status.code).toBe(SpanStatusCode.UNSET)
    expect(render.attributes).toMatchObject({
      'ixp.intent.name': 'product_details',
      'ixp.component.name': 'ProductCard',
      'ixp.cache.status': 'miss',
      'ixp.request.id': 'req-1',
      'enduser.id': 'alice',
    })
    expect(only(spans, 'ixp.cache.lookup').attributes['ixp.cache.status']).toBe('miss')
    expect(only(spans, 'ixp.component.render').attributes['ixp.component.name']).toBe('ProductCard')
    // Children lie within the render span.
    const end = (s: typeof render) => s.endTime[0] * 1e9 + s.endTime[1]
    for (const child of spans.filter((s) => s !== render)) expect(end(child)).toBeLessThanOrEqual(end(render))

    sdk.exporter.reset()
    const again = await engine.render(productRequest(), { headers: { 'x-user': 'alice' } })
    expect(again.meta.cache).toBe('hit')
    expect(tree(sdk.spans())).toEqual(['ixp.render product_details', '  ixp.admission', '  ixp.cache.lookup'])
    expect(only(sdk.spans(), 'ixp.cache.lookup').attributes['ixp.cache.status']).toBe('hit')
    expect(only(sdk.spans(), 'ixp.render product_details').attributes['ixp.cache.status']).toBe('hit')
  })

  it('leaves out phases that do nothing: no admission span without admission taps, no component span for a remote component', async () => {
    sdk = createSdk()
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })])
    await engine.render({ intent: { name: 'store_locator', parameters: {} } })
    expect(tree(sdk.spans())).toEqual(['ixp.render store_locator'])
    sdk.exporter.reset()
    await engine.render(productRequest())
    expect(tree(sdk.spans())).toEqual([
      'ixp.render product_details',
      '  ixp.handler',
      '  ixp.component.render',
    ])
  })

  it('writes the user id as a keyed hash by default, stable for one key, and leaves it out on request', async () => {
    sdk = createSdk()
    const hashed = await productEngine([
      headerUser(),
      tracing({ tracerProvider: sdk.provider, userKey: 'k1' }),
    ])
    await hashed.render(productRequest(), { headers: { 'x-user': 'alice' } })
    await hashed.render(productRequest(), { headers: { 'x-user': 'alice' } })
    await hashed.render(productRequest(), { headers: { 'x-user': 'bob' } })
    const ids = sdk.spans().map((span) => span.attributes['enduser.pseudo.id'])
    const [alice1, alice2, bob] = ids.filter((id) => id !== undefined)
    expect(alice1).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(alice1).toBe(alice2)
    expect(bob).not.toBe(alice1)
    expect(sdk.spans().some((span) => span.attributes['enduser.id'] !== undefined)).toBe(false)
    expect(JSON.stringify(sdk.spans().map((span) => span.attributes))).not.toContain('alice')

    sdk.exporter.reset()
    const otherKey = await productEngine([
      headerUser(),
      tracing({ tracerProvider: sdk.provider, userKey: 'k2' }),
    ])
    await otherKey.render(productRequest(), { headers: { 'x-user': 'alice' } })
    expect(only(sdk.spans(), 'ixp.render product_details').attributes['enduser.pseudo.id']).not.toBe(alice1)

    sdk.exporter.reset()
    const omitted = await productEngine([
      headerUser(),
      tracing({ tracerProvider: sdk.provider, user: 'omit' }),
    ])
    await omitted.render(productRequest(), { headers: { 'x-user': 'alice' } })
    const attributes = only(sdk.spans(), 'ixp.render product_details').attributes
    expect(attributes['enduser.pseudo.id']).toBeUndefined()
    expect(attributes['enduser.id']).toBeUndefined()
  })

  it('records a failing handler on the handler span and the render span, with ERROR status and the error code', async () => {
    sdk = createSdk()
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })], {
      handler: async () => {
        throw new IxpError('OUT_OF_STOCK', 'No such product in stock', { status: 409 })
      },
    })
    await expect(engine.render(productRequest())).rejects.toMatchObject({ code: 'OUT_OF_STOCK' })
    const spans = sdk.spans()
    expect(tree(spans)).toEqual(['ixp.render product_details', '  ixp.handler'])
    const handler = only(spans, 'ixp.handler')
    expect(handler.status).toEqual({ code: SpanStatusCode.ERROR, message: 'No such product in stock' })
    expect(handler.attributes['error.type']).toBe('OUT_OF_STOCK')
    expect(handler.events.map((event) => event.name)).toEqual(['exception'])
    expect(handler.events[0]!.attributes?.['exception.message']).toBe('No such product in stock')
    const render = only(spans, 'ixp.render product_details')
    expect(render.status.code).toBe(SpanStatusCode.ERROR)
    expect(render.attributes).toMatchObject({
      'error.type': 'OUT_OF_STOCK',
      'ixp.error.code': 'OUT_OF_STOCK',
    })
    // The exception is recorded once, where it happened.
    expect(render.events).toEqual([])
  })

  it('records refusals in admission and validation failures on the render span', async () => {
    sdk = createSdk()
    const engine = await productEngine([headerUser(), tracing({ tracerProvider: sdk.provider })])
    await expect(engine.render(productRequest(), { headers: { 'x-user': 'blocked' } })).rejects.toMatchObject(
      {
        code: 'FORBIDDEN',
      },
    )
    expect(tree(sdk.spans())).toEqual(['ixp.render product_details', '  ixp.admission'])
    expect(only(sdk.spans(), 'ixp.admission').attributes['error.type']).toBe('FORBIDDEN')
    expect(only(sdk.spans(), 'ixp.render product_details').status.code).toBe(SpanStatusCode.ERROR)

    sdk.exporter.reset()
    await expect(
      engine.render({ intent: { name: 'product_details', parameters: {} } }),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    })
    const render = only(sdk.spans(), 'ixp.render product_details')
    expect(render.attributes['error.type']).toBe('INVALID_REQUEST')
    expect(render.events.map((event) => event.name)).toEqual(['exception'])
  })

  it('gives a render that fails before it starts (unknown intent) an error span of its own', async () => {
    sdk = createSdk()
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })])
    await expect(engine.render({ intent: { name: 'nope', parameters: {} } })).rejects.toMatchObject({
      code: 'INTENT_NOT_SUPPORTED',
    })
    const span = only(sdk.spans(), 'ixp.render')
    expect(span.status.code).toBe(SpanStatusCode.ERROR)
    expect(span.attributes['error.type']).toBe('INTENT_NOT_SUPPORTED')
    expect(span.attributes['ixp.intent.name']).toBeUndefined()
  })

  it('ends the render span with RENDER_TIMEOUT when the deadline passes, and ignores the late phases', async () => {
    sdk = createSdk()
    const { createEngine, silentLogger } = await import('@ixp/core')
    const engine = createEngine({
      logger: silentLogger,
      limits: { renderTimeoutMs: 20 },
      plugins: [tracing({ tracerProvider: sdk.provider })],
    })
    engine.registerComponent({ name: 'Slow', render: () => 'done' })
    engine.registerIntent({
      name: 'slow',
      description: 'Slow',
      component: 'Slow',
      parameters: { type: 'object', properties: {} },
      handler: () => new Promise((resolve) => setTimeout(() => resolve({}), 80)),
    })
    await expect(engine.render({ intent: { name: 'slow', parameters: {} } })).rejects.toMatchObject({
      code: 'RENDER_TIMEOUT',
    })
    await new Promise((resolve) => setTimeout(resolve, 120))
    const spans = sdk.spans()
    expect(tree(spans)).toEqual(['ixp.render slow', '  ixp.handler'])
    expect(only(spans, 'ixp.render slow').attributes['error.type']).toBe('RENDER_TIMEOUT')
    expect(only(spans, 'ixp.handler').status.code).toBe(SpanStatusCode.ERROR)
  })

  it('puts the running phase on ctx.otelContext, so traced() calls in a handler nest under the handler span', async () => {
    sdk = createSdk()
    const lookup = traced('db.lookup', async (id: string, _ctx: unknown) => ({ name: `Product ${id}` }), {
      tracerProvider: sdk.provider,
    })
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })], {
      handler: async (params, ctx) => lookup(String(params.productId), ctx),
    })
    await engine.render(productRequest())
    expect(tree(sdk.spans())).toEqual([
      'ixp.render product_details',
      '  ixp.handler',
      '    db.lookup',
      '  ixp.component.render',
    ])
  })

  it('with tapSpans, gives every other plugin tap a span under its phase', async () => {
    sdk = createSdk()
    const engine = await productEngine(
      [headerUser(), cache(), tracing({ tracerProvider: sdk.provider, tapSpans: true })],
      { intent: { ttl: 60 } },
    )
    await engine.render(productRequest(), { headers: { 'x-user': 'alice' } })
    expect(tree(sdk.spans())).toEqual([
      'ixp.render product_details',
      '  ixp.admission',
      '    ixp.tap admission test-user',
      '  ixp.cache.lookup',
      '    ixp.tap beforeHandler @ixp/plugin-cache',
      '  ixp.handler',
      '  ixp.component.render',
      '  ixp.tap afterRender @ixp/plugin-cache',
    ])
    const tap = only(sdk.spans(), 'ixp.tap admission test-user')
    expect(tap.attributes).toMatchObject({ 'ixp.hook.name': 'admission', 'ixp.tap.name': 'test-user' })
  })

  it('records a failing tap on its tap span', async () => {
    sdk = createSdk()
    const engine = await productEngine([
      headerUser(),
      tracing({ tracerProvider: sdk.provider, tapSpans: true }),
    ])
    await expect(engine.render(productRequest(), { headers: { 'x-user': 'blocked' } })).rejects.toThrow()
    const tap = only(sdk.spans(), 'ixp.tap admission test-user')
    expect(tap.status.code).toBe(SpanStatusCode.ERROR)
    expect(tap.attributes['error.type']).toBe('FORBIDDEN')
    expect(parentId(tap)).toBe(only(sdk.spans(), 'ixp.admission').spanContext().spanId)
  })

  it('starts nothing for an unsampled render, and keeps its trace for nested work', async () => {
    sdk = createSdk({ sampler: new AlwaysOffSampler() })
    let seen: unknown
    const engine = await productEngine([tracing({ tracerProvider: sdk.provider })], {
      handler: async (_params, ctx) => {
        seen = ctx.otelContext
        return { name: 'x' }
      },
    })
    await engine.render(productRequest())
    expect(sdk.spans()).toEqual([])
    expect(trace.getSpanContext(seen as never)?.traceId).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('without an SDK', () => {
  it('taps no render-path hook, so the engine skips them; spans start soon after an SDK registers', async () => {
    trace.disable()
    const engine = await productEngine([tracing()])
    const hooks = engine.hooks
    for (const hook of [
      hooks.admission,
      hooks.beforeHandler,
      hooks.handler,
      hooks.render,
      hooks.afterRender,
    ]) {
      expect(hook.isUsed()).toBe(false)
    }
    await engine.render(productRequest())

    sdk = createSdk({ global: true })
    // The global provider is looked at again every GLOBAL_CHECK_INTERVAL renders; from then on, renders are traced.
    for (let i = 0; i < GLOBAL_CHECK_INTERVAL; i++) await engine.render(productRequest())
    expect(hooks.admission.isUsed()).toBe(true)
    sdk.exporter.reset()
    await engine.render(productRequest())
    expect(tree(sdk.spans())).toEqual([
      'ixp.render product_details',
      '  ixp.handler',
      '  ixp.component.render',
    ])
  })

  it('installs the spans at ready() when an SDK is already registered', async () => {
    sdk = createSdk({ global: true })
    const engine = await productEngine([tracing()])
    expect(engine.hooks.admission.isUsed()).toBe(true)
    await engine.render(productRequest())
    expect(sdk.spans().map((span) => span.name)).toContain('ixp.render product_details')
  })

  it('never spans with spans: false, even with an SDK', async () => {
    sdk = createSdk({ global: true })
    const engine = await productEngine([tracing({ spans: false })])
    await engine.render(productRequest())
    expect(sdk.spans()).toEqual([])
    expect(engine.hooks.admission.isUsed()).toBe(false)
  })

  it('times the phases with phases: true (no spans), for the handler histogram', async () => {
    trace.disable()
    const plugin = tracing({ phases: true })
    const engine = await productEngine([plugin])
    expect(engine.hooks.beforeHandler.isUsed()).toBe(true)
    await engine.render(productRequest())
    await engine.render(productRequest())
    const handler = plugin.metrics!.toJSON().histograms.ixp_handler_duration_seconds!
    expect(handler.series).toEqual([
      expect.objectContaining({ labels: { intent: 'product_details' }, count: 2 }),
    ])
  })

  it('answers every render when the stage observers are the only taps', async () => {
    trace.disable()
    const engine = await productEngine([tracing({ phases: true, tapSpans: true })])
    const result = await engine.render(productRequest('p-9'))
    expect(result.props).toMatchObject({ productId: 'p-9', name: 'Product p-9' })
    expect(Stage.OBSERVE_FIRST).toBeLessThan(Stage.AUTH)
  })
})
