import { describe, it, expect, expectTypeOf, afterEach } from 'vitest'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { IxpError, Stage } from '@ixp/core'
import { traced, tracing } from '../src/index.js'
import { createSdk, only, parentId, productEngine, tree, type Sdk } from './helpers.js'

let sdk: Sdk | undefined
afterEach(async () => {
  await sdk?.shutdown()
  sdk = undefined
})

describe('traced()', () => {
  it('wraps a sync function: same result, same this, same name and length, one span', () => {
    sdk = createSdk({ global: true })
    const cart = {
      items: 3,
      count: traced('cart.count', function (this: { items: number }, extra: number) {
        return this.items + extra
      }),
    }
    expect(cart.count(2)).toBe(5)
    expect(cart.count.name).toBe('')
    const named = traced('x', function price(a: number, b: number) {
      return a * b
    })
    expect(named.name).toBe('price')
    expect(named.length).toBe(2)
    expect(named(2, 3)).toBe(6)
    expect(sdk.spans().map((span) => span.name)).toEqual(['cart.count', 'x'])
    expect(only(sdk.spans(), 'cart.count').status.code).toBe(SpanStatusCode.UNSET)
  })

  it('ends the span when an async function settles, and records a rejection with ERROR status', async () => {
    sdk = createSdk({ global: true })
    const load = traced('db.load', async (id: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (id === 'missing') throw new IxpError('NOT_FOUND', `No row ${id}`, { status: 404 })
      return { id }
    })
    await expect(load('a')).resolves.toEqual({ id: 'a' })
    const error = await load('missing').catch((failure: unknown) => failure)
    expect(error).toMatchObject({ code: 'NOT_FOUND' })
    const [ok, failed] = sdk.spans()
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET)
    const duration = ok!.duration[0] * 1e3 + ok!.duration[1] / 1e6
    expect(duration).toBeGreaterThanOrEqual(4)
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'No row missing' })
    expect(failed!.attributes).toMatchObject({ 'error.type': 'NOT_FOUND', 'ixp.error.code': 'NOT_FOUND' })
    expect(failed!.events[0]!.name).toBe('exception')
  })

  it('records a sync throw and re-throws the same error', () => {
    sdk = createSdk({ global: true })
    const boom = new RangeError('too big')
    const check = traced('check', () => {
      throw boom
    })
    expect(() => check()).toThrow(boom)
    const span = only(sdk.spans(), 'check')
    expect(span.attributes['error.type']).toBe('RangeError')
    expect(span.status.code).toBe(SpanStatusCode.ERROR)
  })

  it('nests calls under a context manager, and takes kind and attributes', async () => {
    sdk = createSdk({ global: true })
    const inner = traced('inner', async () => 1, {
      kind: SpanKind.CLIENT,
      attributes: { 'peer.service': 'db' },
    })
    const outer = traced('outer', async () => (await inner()) + (await inner()))
    expect(await outer()).toBe(2)
    expect(tree(sdk.spans())).toEqual(['outer', '  inner', '  inner'])
    const child = sdk.spans().find((span) => span.name === 'inner')!
    expect(child.kind).toBe(SpanKind.CLIENT)
    expect(child.attributes['peer.service']).toBe('db')
  })

  it('nests calls that pass the handler ctx along, within one render phase', async () => {
    sdk = createSdk({ global: true })
    const price = traced('price', async (_ctx: unknown) => 12)
    const load = traced('load', async (id: string, ctx: unknown) => ({ name: id, price: await price(ctx) }))
    const engine = await productEngine([tracing()], {
      handler: async (params, ctx) => load(String(params.productId), ctx),
    })
    await engine.render({ intent: { name: 'product_details', parameters: { productId: 'p' } } })
    expect(tree(sdk.spans())).toEqual([
      'ixp.render product_details',
      '  ixp.handler',
      '    load',
      '      price',
      '  ixp.component.render',
    ])
    expect(parentId(only(sdk.spans(), 'price'))).toBe(only(sdk.spans(), 'load').spanContext().spanId)
  })

  it('calls the function straight through without an SDK', () => {
    trace.disable()
    const promise = Promise.resolve(1)
    const wrapped = traced('noop', () => promise)
    expect(wrapped()).toBe(promise)
  })

  it('keeps the function type and refuses bad arguments', () => {
    expectTypeOf(traced('a', (x: number, y?: string) => `${x}${y}`)).toEqualTypeOf<
      (x: number, y?: string) => string
    >()
    expectTypeOf(traced('b', async () => 1)).returns.resolves.toBeNumber()
    const invalid = expect.objectContaining({ code: 'TRACING_INVALID_OPTIONS' })
    expect(() => traced('', () => 1)).toThrow(invalid)
    expect(() => traced('x', 1 as never)).toThrow(invalid)
  })
})

describe('resolve spans', () => {
  it('opens one span per resolve with what the answering resolver said', async () => {
    sdk = createSdk()
    const engine = await productEngine([
      tracing({ tracerProvider: sdk.provider }),
      {
        name: 'scope-guard',
        apply(e) {
          e.hooks.resolve.tapPromise({ name: 'scope-guard', stage: Stage.SEMANTIC }, async (query) => {
            if (query.text === 'weather') {
              return {
                matched: false,
                intent: null,
                confidence: 0.9,
                alternatives: [],
                reason: 'out-of-scope',
                source: 'guard',
              }
            }
            if (query.text === 'explode') throw new IxpError('RESOLVER_DOWN', 'down', { status: 503 })
            return undefined
          })
        },
      },
    ])
    await engine.resolve('product_details', {
      headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    })
    await engine.resolve('weather')
    await engine.resolve('anything')
    await expect(engine.resolve('explode')).rejects.toThrow()
    const [exact, guard, none, failed] = sdk.spans()
    expect(exact!.name).toBe('ixp.resolve')
    expect(exact!.attributes).toEqual({
      'ixp.resolve.matched': true,
      'ixp.resolve.confidence': 1,
      'ixp.intent.name': 'product_details',
      'ixp.resolve.source': 'exact-name',
    })
    expect(exact!.spanContext().traceId).toBe('a'.repeat(32))
    expect(guard!.attributes).toMatchObject({
      'ixp.resolve.matched': false,
      'ixp.resolve.reason': 'out-of-scope',
      'ixp.resolve.source': 'guard',
    })
    expect(none!.attributes).toEqual({ 'ixp.resolve.matched': false, 'ixp.resolve.reason': 'no-match' })
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR)
    expect(failed!.attributes['error.type']).toBe('RESOLVER_DOWN')
  })
})
