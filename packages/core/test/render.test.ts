import { describe, expect, it } from 'vitest'
import { createEngine, IxpError, silentLogger, type IntentDefinition } from '../src/index.js'
import { makeEngine, orderStatus } from './fixtures.js'

async function failure(promise: Promise<unknown>): Promise<IxpError> {
  try {
    await promise
  } catch (error) {
    return error as IxpError
  }
  throw new Error('expected a failure')
}

describe('render', () => {
  it('renders a server component: validated parameters, then handler data, then options', async () => {
    const engine = makeEngine()
    const result = await engine.render({
      intent: { name: 'order_status', parameters: { orderId: '42', undeclared: 'dropped' } },
      options: { status: 'overridden', theme: 'dark' },
    })
    expect(result.props).toEqual({ orderId: '42', status: 'overridden', theme: 'dark' })
    expect(result.tree).toEqual({ type: 'card', props: { title: 'Order 42' }, children: ['overridden'] })
    expect(result.record).toBeUndefined()
    expect(result.component).toEqual({ name: 'OrderCard', description: 'An order', type: 'server' })
    expect(result.ttl).toBe(300)
    expect(result.meta.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('renders a remote component as a module record', async () => {
    const engine = makeEngine()
    const result = await engine.render({ intent: { name: 'store_map', parameters: { city: 'Oslo' } } })
    expect(result.record).toEqual({
      moduleUrl: 'https://cdn.example.com/map.js',
      exportName: 'StoreMap',
      props: { city: 'Oslo' },
    })
    expect(result.tree).toBeUndefined()
    expect(result.component).toMatchObject({
      name: 'Map',
      exportName: 'StoreMap',
      allowedOrigins: ['https://shop.example.com'],
    })
  })

  it('renders async components and nested trees', async () => {
    const engine = createEngine()
    engine.registerComponent({
      name: 'List',
      render: async (props) => ({
        type: 'ul',
        props: {},
        children: (props.items as string[]).map((item) => ({ type: 'li', props: {}, children: [item] })),
      }),
    })
    engine.registerIntent({
      name: 'list',
      description: 'A list',
      component: 'List',
      parameters: { type: 'object', properties: {} },
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        return { items: ['a', 'b'] }
      },
    })
    const { tree } = await engine.render({ intent: { name: 'list', parameters: {} } })
    expect(tree).toEqual({
      type: 'ul',
      props: {},
      children: [
        { type: 'li', props: {}, children: ['a'] },
        { type: 'li', props: {}, children: ['b'] },
      ],
    })
  })

  it('gives handlers the validated copy and the context', async () => {
    const seen: unknown[] = []
    const engine = makeEngine()
    engine.registerIntent(
      {
        ...orderStatus,
        handler: (params, ctx) => {
          seen.push(params, ctx.requestId, ctx.engine === engine, ctx.signal instanceof AbortSignal)
          return {}
        },
      },
      { replace: true },
    )
    const parameters = { orderId: '7', extra: true }
    await engine.render({ intent: { name: 'order_status', parameters } }, { requestId: 'r-1' })
    expect(seen).toEqual([{ orderId: '7' }, 'r-1', true, true])
    expect(parameters).toEqual({ orderId: '7', extra: true })
  })

  it('reports request errors with IXP codes and statuses', async () => {
    const engine = makeEngine()
    const cases: [unknown, string, string][] = [
      [{}, 'INVALID_REQUEST', "Missing required parameter 'intent.name'"],
      [{ intent: 'order_status' }, 'INVALID_REQUEST', "Missing required parameter 'intent.name'"],
      [
        { intent: { name: { toString: null } } },
        'INVALID_REQUEST',
        "Parameter 'intent.name' must be a string",
      ],
      [{ intent: { name: ['a'] } }, 'INVALID_REQUEST', "Parameter 'intent.name' must be a string"],
      [
        { intent: { name: 'x'.repeat(300) } },
        'INVALID_REQUEST',
        "Parameter 'intent.name' must be at most 256 characters",
      ],
      [{ intent: { name: 'nope', parameters: {} } }, 'INTENT_NOT_SUPPORTED', "Intent 'nope' not found"],
      [
        { intent: { name: 'order_status', parameters: {} }, options: 'str' },
        'INVALID_REQUEST',
        "Parameter 'options' must be an object",
      ],
      [{ intent: { name: 'order_status' } }, 'INVALID_REQUEST', 'Parameter validation failed: Required'],
      [
        { intent: { name: 'order_status', parameters: null } },
        'INVALID_REQUEST',
        'Parameter validation failed: Expected object, received null',
      ],
      [
        { intent: { name: 'order_status', parameters: [] } },
        'INVALID_REQUEST',
        'Parameter validation failed: Expected object, received array',
      ],
      [
        { intent: { name: 'order_status', parameters: {} } },
        'INVALID_REQUEST',
        "Parameter validation failed: Required at 'orderId'",
      ],
    ]
    for (const [request, code, message] of cases) {
      const error = await failure(engine.render(request as never))
      expect(error, JSON.stringify(request)).toBeInstanceOf(IxpError)
      expect([error.code, error.message]).toEqual([code, message])
    }
    const notFound = await failure(engine.render({ intent: { name: 'nope' } }))
    expect(notFound.status).toBe(404)
  })

  it('reports a missing component after parameter validation', async () => {
    const engine = createEngine()
    engine.registerIntent({ ...orderStatus, component: 'Ghost' })
    // ready() refuses an intent whose component is missing; one unregistered later fails at render time.
    const unregister = engine.registerComponent({ name: 'Ghost', render: () => null })
    await engine.ready()
    unregister()
    expect((await failure(engine.render({ intent: { name: 'order_status', parameters: {} } }))).code).toBe(
      'INVALID_REQUEST',
    )
    const error = await failure(
      engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } }),
    )
    expect([error.code, error.status, error.message]).toEqual([
      'COMPONENT_NOT_FOUND',
      404,
      "Component 'Ghost' not found",
    ])
  })

  it("checks the caller's origin against the component's allowedOrigins before validation", async () => {
    const engine = makeEngine()
    const denied = await failure(
      engine.render(
        { intent: { name: 'store_map', parameters: null as never } },
        { origin: 'https://evil.example' },
      ),
    )
    expect([denied.code, denied.status]).toEqual(['ORIGIN_NOT_ALLOWED', 403])
    expect(denied.details).toEqual({ origin: 'https://evil.example', componentName: 'Map' })
    await expect(
      engine.render(
        { intent: { name: 'store_map', parameters: {} } },
        { origin: 'https://shop.example.com' },
      ),
    ).resolves.toBeTruthy()
    // No origin (server-to-server) → no check, as the IXP reference does.
    await expect(engine.render({ intent: { name: 'store_map', parameters: {} } })).resolves.toBeTruthy()
  })

  it('wraps unexpected handler errors as INTERNAL_ERROR, keeping the cause, and passes IxpErrors through', async () => {
    const engine = makeEngine()
    const boom = new Error('database down')
    engine.registerIntent(
      {
        ...orderStatus,
        handler: () => {
          throw boom
        },
      },
      { replace: true },
    )
    const error = await failure(
      engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } }),
    )
    expect([error.code, error.status, error.expose, error.cause]).toEqual([
      'INTERNAL_ERROR',
      500,
      false,
      boom,
    ])
    engine.registerIntent(
      {
        ...orderStatus,
        handler: () => {
          throw new IxpError('FORBIDDEN', 'not yours')
        },
      },
      { replace: true },
    )
    expect(
      (await failure(engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } }))).code,
    ).toBe('FORBIDDEN')
    engine.registerIntent({ ...orderStatus, handler: () => 'text' as never }, { replace: true })
    expect(
      (await failure(engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } }))).code,
    ).toBe('INTERNAL_ERROR')
  })

  it('times out a slow render with RENDER_TIMEOUT and aborts its signal, and keeps serving', async () => {
    const engine = makeEngine({ limits: { renderTimeoutMs: 30 } })
    let aborted: unknown
    const slow: IntentDefinition = {
      ...orderStatus,
      name: 'slow',
      handler: (_params, ctx) =>
        new Promise((resolve) => {
          ctx.signal?.addEventListener('abort', () => {
            aborted = ctx.signal?.reason
            resolve({})
          })
        }),
    }
    engine.registerIntent(slow)
    const error = await failure(engine.render({ intent: { name: 'slow', parameters: { orderId: '1' } } }))
    expect([error.code, error.status]).toEqual(['RENDER_TIMEOUT', 504])
    expect((aborted as IxpError).code).toBe('RENDER_TIMEOUT')
    await expect(
      engine.render({ intent: { name: 'order_status', parameters: { orderId: '2' } } }),
    ).resolves.toMatchObject({
      props: { status: 'shipped:2' },
    })
  })

  it("stops with ABORTED when the caller's signal aborts", async () => {
    const engine = makeEngine({ limits: { renderTimeoutMs: 0 } })
    engine.registerIntent({ ...orderStatus, name: 'wait', handler: () => new Promise(() => {}) })
    const controller = new AbortController()
    const pending = engine.render(
      { intent: { name: 'wait', parameters: { orderId: '1' } } },
      { signal: controller.signal },
    )
    controller.abort()
    expect((await failure(pending)).code).toBe('ABORTED')
    const already = await failure(
      engine.render(
        { intent: { name: 'wait', parameters: { orderId: '1' } } },
        { signal: controller.signal },
      ),
    )
    expect(already.code).toBe('ABORTED')
  })

  it("does no work for a caller whose signal already aborted, keeping the caller's own IxpError", async () => {
    const engine = makeEngine()
    let calls = 0
    engine.registerIntent({ ...orderStatus, name: 'count', handler: () => ({ n: ++calls }) })
    const controller = new AbortController()
    controller.abort(new IxpError('FORBIDDEN', 'the step gave up'))
    const error = await failure(
      engine.render(
        { intent: { name: 'count', parameters: { orderId: '1' } } },
        { signal: controller.signal },
      ),
    )
    expect([error.code, error.message]).toEqual(['FORBIDDEN', 'the step gave up'])
    expect(calls).toBe(0)
  })

  it("leaves the caller's signal untouched by a render that finishes synchronously", async () => {
    const engine = makeEngine()
    engine.registerIntent({
      ...orderStatus,
      name: 'now',
      handler: ({ orderId }) => ({ status: `now:${orderId}` }),
    })
    await engine.ready()
    const controller = new AbortController()
    const added: string[] = []
    const signal = controller.signal
    const add = signal.addEventListener.bind(signal)
    signal.addEventListener = ((type: string, listener: EventListener, options?: unknown) => {
      added.push(type)
      add(type, listener, options as AddEventListenerOptions)
    }) as typeof signal.addEventListener
    const pending = engine.render({ intent: { name: 'now', parameters: { orderId: '7' } } }, { signal })
    expect(pending).toBeInstanceOf(Promise)
    const result = await pending
    expect(result.tree).toMatchObject({ props: { title: 'Order 7' }, children: ['now:7'] })
    expect(added).toEqual([])
    // Pending work (the fixture's handler is async) does race the caller's signal.
    await engine.render({ intent: { name: 'order_status', parameters: { orderId: '7' } } }, { signal })
    expect(added).toEqual(['abort'])
  })

  it('counts the deadline from the start of the render, including its synchronous part', async () => {
    const engine = makeEngine({ limits: { renderTimeoutMs: 60 } })
    engine.registerIntent({
      ...orderStatus,
      name: 'busy_then_wait',
      handler: () => {
        const until = performance.now() + 50
        while (performance.now() < until) {
          // 50 ms of synchronous work before the asynchronous part.
        }
        return new Promise((resolve) => setTimeout(() => resolve({}), 200))
      },
    })
    const started = performance.now()
    const error = await failure(
      engine.render({ intent: { name: 'busy_then_wait', parameters: { orderId: '1' } } }),
    )
    expect(error.code).toBe('RENDER_TIMEOUT')
    // A timer armed with the full 60 ms after the busy part would fire at ≥ 110 ms.
    expect(performance.now() - started).toBeLessThan(105)
  })

  it('emits intent:before, intent:after and intent:error', async () => {
    const engine = makeEngine()
    const events: string[] = []
    engine.events.on('intent:before', (e) => events.push(`before:${e.intent}`))
    engine.events.on('intent:after', (e) => events.push(`after:${e.intent}:${e.result.ttl}`))
    engine.events.on('intent:error', (e) => events.push(`error:${e.intent}:${e.error.code}`))
    await engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } })
    await failure(engine.render({ intent: { name: 'order_status', parameters: {} } }))
    await failure(engine.render({ intent: { name: 'ghost' } }))
    expect(events).toEqual([
      'before:order_status',
      'after:order_status:300',
      'before:order_status',
      'error:order_status:INVALID_REQUEST',
      'error:undefined:INTENT_NOT_SUPPORTED',
    ])
  })

  it('renders before ready() by starting the engine, and refuses use after close()', async () => {
    const engine = makeEngine()
    expect(engine.isReady).toBe(false)
    await engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } })
    expect(engine.isReady).toBe(true)
    await engine.close()
    expect(
      (await failure(engine.render({ intent: { name: 'order_status', parameters: { orderId: '1' } } }))).code,
    ).toBe('ENGINE_CLOSED')
    expect(() => engine.registerIntent(orderStatus)).toThrow(/closed/)
  })
})

describe('render trees', () => {
  it('keeps canonical trees, and refuses loose and bad ones with the path', async () => {
    const engine = createEngine()
    let tree: unknown = null
    engine.registerComponent({ name: 'T', render: () => tree as never })
    engine.registerIntent({ name: 't', description: 'd', component: 'T', parameters: { type: 'object' } })
    const render = () => engine.render({ intent: { name: 't', parameters: {} } })
    const canonical = {
      type: 'div',
      props: { id: 'x', data: [1, { a: null }] },
      children: ['a', { type: 'b', props: {}, children: [] }],
    }
    tree = canonical
    expect((await render()).tree).toBe(canonical)
    // Loose trees are refused, naming what builds canonical ones (the root entry does not normalize).
    tree = { type: 'div', props: {}, children: ['x', 1] }
    const loose = await failure(render())
    expect([loose.code, loose.details?.path]).toEqual(['INVALID_RENDER_TREE', 'children.1'])
    expect(loose.message).toContain("normalizeTree() from '@ixp/core/tree'")
    tree = { type: 'div', children: [] }
    expect((await failure(render())).message).toContain('at the root: expected a string or an element')
    tree = { type: 'div', props: { onClick: () => {} }, children: [] }
    const error = await failure(render())
    expect([error.code, error.status]).toEqual(['INVALID_RENDER_TREE', 500])
    expect(error.details?.path).toBe('props.onClick')
    const cyclic: Record<string, unknown> = { type: 'div', props: {}, children: [] }
    ;(cyclic.children as unknown[]).push(cyclic)
    tree = cyclic
    expect((await failure(render())).code).toBe('INVALID_RENDER_TREE')
  })

  it('gives a result holding a loading placeholder a TTL of 0', async () => {
    const engine = createEngine()
    engine.registerComponent({
      name: 'Late',
      render: () => ({
        type: 'div',
        props: {},
        children: [{ type: 'ixp:placeholder', props: { reason: 'loading' }, children: [] }],
      }),
    })
    engine.registerIntent({
      name: 'late',
      description: 'd',
      component: 'Late',
      parameters: { type: 'object' },
    })
    expect((await engine.render({ intent: { name: 'late', parameters: {} } })).ttl).toBe(0)
  })
})

describe('abort reasons', () => {
  it("keeps the caller's IxpError reason", async () => {
    const engine = makeEngine({ limits: { renderTimeoutMs: 0 } })
    let seen: unknown
    engine.registerIntent({
      ...orderStatus,
      name: 'wait',
      handler: (_p, ctx) =>
        new Promise(() => {
          ctx.signal?.addEventListener('abort', () => (seen = ctx.signal?.reason))
        }),
    })
    const controller = new AbortController()
    const pending = engine.render(
      { intent: { name: 'wait', parameters: { orderId: '1' } } },
      { signal: controller.signal },
    )
    await new Promise((resolve) => setTimeout(resolve, 5))
    controller.abort(new IxpError('RENDER_TIMEOUT', 'step timed out'))
    const error = await failure(pending)
    expect([error.code, error.message]).toEqual(['RENDER_TIMEOUT', 'step timed out'])
    expect((seen as IxpError).message).toBe('step timed out')
  })
})

describe('deadlines under load', () => {
  it('times out every hanging render of a burst, and not the quick ones', async () => {
    const engine = makeEngine({ limits: { renderTimeoutMs: 40 } })
    engine.registerIntent({ ...orderStatus, name: 'hang', handler: () => new Promise(() => {}) })
    const started = performance.now()
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        engine.render({
          intent: { name: i % 2 ? 'hang' : 'order_status', parameters: { orderId: String(i) } },
        }),
      ),
    )
    const elapsed = performance.now() - started
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as IxpError).code))
    expect(codes.filter((c) => c === 'ok')).toHaveLength(100)
    expect(codes.filter((c) => c === 'RENDER_TIMEOUT')).toHaveLength(100)
    // Fired once the deadline passed (a shared sweep may be up to 1/16 of it late), never early.
    expect(elapsed).toBeGreaterThanOrEqual(39)
  })
})

describe('a caller signal shared by many renders (a keep-alive connection)', () => {
  it('gets one abort listener, and aborting fails every render still waiting on it', async () => {
    const { EventEmitter } = await import('node:events')
    const getEventListeners = EventEmitter.getEventListeners
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({ name: 'Slow', render: () => null })
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    engine.registerIntent({
      name: 'slow',
      description: 'Waits',
      component: 'Slow',
      parameters: { type: 'object', properties: {} },
      handler: async () => {
        await gate
        return {}
      },
    })
    await engine.ready()
    const connection = new AbortController()
    const renders = Array.from({ length: 5 }, () =>
      engine.render({ intent: { name: 'slow', parameters: {} } }, { signal: connection.signal }),
    )
    expect(getEventListeners(connection.signal, 'abort')).toHaveLength(1)
    connection.abort()
    for (const render of renders) await expect(render).rejects.toMatchObject({ code: 'ABORTED' })
    release()
    // A later render on a fresh signal finishes normally.
    const fresh = new AbortController()
    await expect(
      engine.render({ intent: { name: 'slow', parameters: {} } }, { signal: fresh.signal }),
    ).resolves.toMatchObject({ intent: 'slow' })
    expect(getEventListeners(fresh.signal, 'abort')).toHaveLength(1)
  })
})
