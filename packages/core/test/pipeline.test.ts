import { describe, expect, it } from 'vitest'
import { IxpError, Stage, type RenderResult } from '../src/index.js'
import { makeEngine } from './fixtures.js'

const request = { intent: { name: 'order_status', parameters: { orderId: '9' } } }

describe('render pipeline hooks', () => {
  it('runs the stages in order, with stage constants ordering plugins', async () => {
    const engine = makeEngine()
    const calls: string[] = []
    const { hooks } = engine
    hooks.admission.tapPromise({ name: 'rate-limit', stage: Stage.RATE_LIMIT }, async (state) => {
      calls.push(`rate-limit:${state.parameters === undefined}`)
    })
    hooks.admission.tapPromise({ name: 'auth', stage: Stage.AUTH }, async () => {
      calls.push('auth')
    })
    hooks.beforeHandler.tapPromise({ name: 'cache', stage: Stage.CACHE }, async (state) => {
      calls.push(`cache-lookup:${JSON.stringify(state.parameters)}`)
      return undefined
    })
    hooks.handler.tapPromise('decorate-props', async (props) => {
      calls.push(`handler:${String(props.status)}`)
      return { ...props, decorated: true }
    })
    hooks.render.tapPromise('wrap-tree', async (tree) => {
      calls.push('render')
      return { type: 'frame', props: {}, children: [tree] }
    })
    hooks.afterRender.tapPromise({ name: 'tracing', stage: Stage.OBSERVE_LAST }, async (result) => {
      calls.push('after:tracing')
      return result
    })
    hooks.afterRender.tapPromise({ name: 'cache-store', stage: Stage.CACHE }, async (result) => {
      calls.push('after:cache')
      return { ...result, ttl: 5 }
    })
    const result = await engine.render(request)
    expect(calls).toEqual([
      'auth',
      'rate-limit:true',
      'cache-lookup:{"orderId":"9"}',
      'handler:shipped:9',
      'render',
      'after:cache',
      'after:tracing',
    ])
    expect(result.props.decorated).toBe(true)
    expect(result.ttl).toBe(5)
    expect(result.tree).toMatchObject({ type: 'frame', children: [{ type: 'card' }] })
  })

  it('lets beforeHandler short-circuit the handler (a cache hit), still passing afterRender', async () => {
    const engine = makeEngine()
    let handlerRan = false
    engine.hooks.handler.tap('spy', (props) => {
      handlerRan = true
      return props
    })
    engine.hooks.beforeHandler.tapPromise(
      { name: 'cache', stage: Stage.CACHE },
      async (state): Promise<RenderResult> => ({
        intent: state.intent.name,
        component: {},
        props: { cached: true },
        ttl: 1,
        meta: { ...state.meta, cache: 'hit' },
      }),
    )
    const seen: string[] = []
    engine.hooks.afterRender.tap('observe', (result) => {
      seen.push(String(result.meta.cache))
      return result
    })
    const result = await engine.render(request)
    expect(result.props).toEqual({ cached: true })
    expect(handlerRan).toBe(false)
    expect(seen).toEqual(['hit'])
  })

  it('refuses a render from admission with the typed error, and the error hook observes it', async () => {
    const engine = makeEngine()
    engine.hooks.admission.tapPromise({ name: 'auth', stage: Stage.AUTH }, async () => {
      throw new IxpError('UNAUTHORIZED', 'Missing credentials', { headers: { 'WWW-Authenticate': 'Bearer' } })
    })
    const observed: string[] = []
    engine.hooks.error.tap('log', (error, info) => {
      observed.push(`${info.phase}:${error.code}:${info.state?.intent.name}`)
    })
    engine.hooks.error.tap('broken-observer', () => {
      throw new Error('observer bug')
    })
    const failure = (await engine.render(request).catch((error: unknown) => error)) as IxpError
    expect([failure.code, failure.status, failure.headers]).toEqual([
      'UNAUTHORIZED',
      401,
      { 'WWW-Authenticate': 'Bearer' },
    ])
    expect(observed).toEqual(['render:UNAUTHORIZED:order_status'])
  })

  it('exposes frozen hooks', () => {
    const engine = makeEngine()
    expect(Object.isFrozen(engine.hooks)).toBe(true)
    expect(Object.keys(engine.hooks).sort()).toEqual([
      'admission',
      'afterRender',
      'beforeHandler',
      'close',
      'discoverComponents',
      'discoverIntents',
      'error',
      'handler',
      'ready',
      'registerComponent',
      'registerIntent',
      'render',
      'resolve',
    ])
  })
})

describe('discovery, resolve and health', () => {
  it('filters lists through the discovery hooks, by purpose', async () => {
    const engine = makeEngine()
    engine.hooks.discoverIntents.tap({ name: 'auth', stage: Stage.AUTH }, (intents, context, purpose) =>
      purpose === 'crawler' || !context.user
        ? intents.filter((intent) => intent.name === 'store_map')
        : intents,
    )
    engine.hooks.discoverComponents.tap('hide-remote', (components) => components.filter((c) => c.render))
    expect((await engine.listIntents({})).map((i) => i.name)).toEqual(['store_map'])
    expect((await engine.listIntents({ user: { id: 'u' } })).map((i) => i.name)).toEqual([
      'order_status',
      'store_map',
    ])
    expect((await engine.listIntents({ user: { id: 'u' } }, 'crawler')).map((i) => i.name)).toEqual([
      'store_map',
    ])
    expect((await engine.listComponents()).map((c) => c.name)).toEqual(['OrderCard'])
  })

  it('resolves exact names first, then asks the resolve hook, and hides intents the caller may not see', async () => {
    const engine = makeEngine()
    expect(await engine.resolve(' order_status ')).toMatchObject({
      matched: true,
      intent: 'order_status',
      confidence: 1,
    })
    expect(await engine.resolve('where is my parcel')).toEqual({
      matched: false,
      intent: null,
      confidence: 0,
      alternatives: [],
      reason: 'no-match',
    })
    engine.hooks.resolve.tapPromise({ name: 'keywords', stage: Stage.SEMANTIC }, async (query) =>
      query.text.includes('parcel')
        ? {
            matched: true,
            intent: 'order_status',
            parameters: {},
            confidence: 0.8,
            alternatives: [{ intent: 'store_map', confidence: 0.1 }],
          }
        : undefined,
    )
    expect(await engine.resolve({ text: 'where is my parcel' })).toMatchObject({
      matched: true,
      intent: 'order_status',
    })
    engine.hooks.discoverIntents.tap('only-map', (intents) => intents.filter((i) => i.name === 'store_map'))
    expect(await engine.resolve('where is my parcel')).toMatchObject({
      matched: false,
      alternatives: [{ intent: 'store_map', confidence: 0.1 }],
    })
    await expect(engine.resolve('')).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    await expect(engine.resolve(42 as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
  })

  it('reports health from every check', async () => {
    const engine = makeEngine()
    expect(await engine.health()).toEqual({
      status: 'healthy',
      checks: {
        intents: { status: 'pass', message: '2 intents loaded' },
        components: { status: 'pass', message: '2 components loaded' },
      },
    })
    const off = engine.registerHealthCheck('redis', async () => ({ status: 'warn', message: 'unreachable' }))
    expect((await engine.health()).status).toBe('degraded')
    engine.registerHealthCheck('db', () => {
      throw new Error('down')
    })
    expect(await engine.health()).toMatchObject({
      status: 'unhealthy',
      checks: { db: { status: 'fail', message: 'down' } },
    })
    off()
    expect(Object.keys((await engine.health()).checks)).toEqual(['intents', 'components', 'db'])
  })
})
