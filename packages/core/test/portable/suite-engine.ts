/**
 * The engine on a runtime without code generation: registration, validation, render, errors, plugins, events
 * and resolve, through the public API only.
 */
// Remote components are registered below: their checks come with `@ixp/core/remote`.
import '../../src/remote/index.js'
import {
  createEngine,
  IxpError,
  silentLogger,
  Stage,
  type EngineOptions,
  type IntentDefinition,
  type IxpPlugin,
} from '../../src/edge.js'
import { assert, describe, equal, matches, rejects, sleep, test, throws } from './harness.js'

const orderStatus: IntentDefinition = {
  name: 'order_status',
  description: 'Shows the status of an order',
  component: 'OrderCard',
  parameters: {
    type: 'object',
    properties: { orderId: { type: 'string', pattern: '^[0-9]+$' }, verbose: { type: 'boolean' } },
    required: ['orderId'],
  },
  handler: async ({ orderId }) => ({ status: `shipped:${String(orderId)}` }),
}

function makeEngine(options: EngineOptions = {}) {
  const engine = createEngine({ logger: silentLogger, ...options })
  engine.registerComponent({
    name: 'OrderCard',
    description: 'An order',
    render: (props) => ({
      type: 'card',
      props: { title: `Order ${String(props.orderId)}` },
      children: [String(props.status)],
    }),
  })
  engine.registerComponent({
    name: 'Map',
    framework: 'react',
    remoteUrl: 'https://cdn.example.com/map.js',
    exportName: 'StoreMap',
    allowedOrigins: ['https://shop.example.com'],
  })
  engine.registerIntent(orderStatus)
  engine.registerIntent({
    name: 'store_map',
    description: 'Shows a store on a map',
    component: 'Map',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  })
  return engine
}

const order = (orderId: unknown = '42') => ({ intent: { name: 'order_status', parameters: { orderId } } })

describe('registration', () => {
  test('registers, lists and unregisters definitions', () => {
    const engine = makeEngine()
    equal(
      engine.intents.list().map((i) => i.name),
      ['order_status', 'store_map'],
    )
    assert(engine.components.has('Map'), 'Map is registered')
    const off = engine.registerIntent({ ...orderStatus, name: 'extra' })
    assert(engine.intents.has('extra'), 'extra is registered')
    off()
    assert(!engine.intents.has('extra'), 'extra is unregistered')
  })

  test('refuses duplicates unless replace is set', () => {
    const engine = makeEngine()
    throws(() => engine.registerIntent(orderStatus), {
      type: IxpError,
      fields: { code: 'DUPLICATE_DEFINITION' },
    })
    engine.registerIntent({ ...orderStatus, description: 'v2' }, { replace: true })
    equal(engine.intents.get('order_status')?.description, 'v2')
  })

  test('refuses invalid definitions with INVALID_DEFINITION', () => {
    const engine = makeEngine()
    throws(() => engine.registerIntent({ name: '', description: 'x', component: 'C', parameters: {} }), {
      fields: { code: 'INVALID_DEFINITION' },
    })
    throws(() => engine.registerComponent({ name: 'Broken' } as never), {
      fields: { code: 'INVALID_DEFINITION' },
    })
  })
})

describe('render', () => {
  test('renders a server component (handler data, then options)', async () => {
    const engine = makeEngine()
    const result = await engine.render({ ...order('7'), options: { theme: 'dark' } })
    equal(result.props, { orderId: '7', status: 'shipped:7', theme: 'dark' })
    equal(result.tree, { type: 'card', props: { title: 'Order 7' }, children: ['shipped:7'] })
    equal(result.record, undefined)
    assert(result.meta.durationMs >= 0, 'durationMs is set')
  })

  test('renders a remote component as a module record', async () => {
    const engine = makeEngine()
    const result = await engine.render({ intent: { name: 'store_map', parameters: { city: 'Oslo' } } })
    equal(result.record, {
      moduleUrl: 'https://cdn.example.com/map.js',
      exportName: 'StoreMap',
      props: { city: 'Oslo' },
    })
    equal(result.tree, undefined)
  })

  test('runs the pipeline hooks in stage order', async () => {
    const engine = makeEngine()
    const calls: string[] = []
    engine.hooks.admission.tapPromise(
      { name: 'rate', stage: Stage.RATE_LIMIT },
      async () => void calls.push('rate'),
    )
    engine.hooks.admission.tap({ name: 'auth', stage: Stage.AUTH }, () => void calls.push('auth'))
    engine.hooks.beforeHandler.tapPromise({ name: 'cache', stage: Stage.CACHE }, async () => {
      calls.push('cache')
      return undefined
    })
    engine.hooks.handler.tapPromise(
      'decorate',
      async (props) => (calls.push('handler'), { ...props, decorated: true }),
    )
    engine.hooks.render.tap(
      'wrap',
      (tree) => (calls.push('render'), { type: 'frame', props: {}, children: [tree] }),
    )
    engine.hooks.afterRender.tapAsync(
      'after',
      (result, _state, done) => (calls.push('after'), done(null, result)),
    )
    const result = await engine.render(order())
    equal(calls, ['auth', 'rate', 'cache', 'handler', 'render', 'after'])
    equal(result.props.decorated, true)
    matches(result, { tree: { type: 'frame' } })
  })

  test('lets beforeHandler answer instead of the handler', async () => {
    const engine = makeEngine()
    engine.hooks.beforeHandler.tapPromise('cache', async (state) => ({
      intent: state.intent.name,
      component: {},
      props: { cached: true },
      ttl: 1,
      meta: { ...state.meta, cache: 'hit' as const },
    }))
    const result = await engine.render(order())
    equal(result.props, { cached: true })
    equal(result.meta.cache, 'hit')
  })
})

describe('errors', () => {
  test('validation failures are INVALID_REQUEST with validation details', async () => {
    const engine = makeEngine()
    const error = (await rejects(engine.render(order('not-a-number')), {
      type: IxpError,
      fields: { code: 'INVALID_REQUEST', status: 400 },
    })) as IxpError
    const issues = error.details?.validationErrors as { path: string[]; pointer: string; keyword: string }[]
    matches(issues[0]!, { pointer: '/orderId', keyword: 'pattern' })
    equal(issues[0]!.path, ['orderId'])
    await rejects(engine.render({ intent: { name: 'order_status', parameters: {} } }), {
      fields: { code: 'INVALID_REQUEST' },
      message: 'orderId',
    })
  })

  test('unknown intents, a bad request and a foreign origin have their codes', async () => {
    const engine = makeEngine()
    await rejects(engine.render({ intent: { name: 'nope' } }), {
      fields: { code: 'INTENT_NOT_SUPPORTED', status: 404 },
    })
    await rejects(engine.render({ intent: {} } as never), { fields: { code: 'INVALID_REQUEST' } })
    await rejects(
      engine.render({ intent: { name: 'store_map', parameters: {} } }, { origin: 'https://evil.example' }),
      {
        fields: { code: 'ORIGIN_NOT_ALLOWED', status: 403 },
      },
    )
  })

  test('admission refusals keep their code; the error hook observes them', async () => {
    const engine = makeEngine()
    engine.hooks.admission.tapPromise({ name: 'auth', stage: Stage.AUTH }, async () => {
      throw new IxpError('UNAUTHORIZED', 'Missing credentials')
    })
    const observed: string[] = []
    engine.hooks.error.tap('log', (error, info) => void observed.push(`${info.phase}:${error.code}`))
    await rejects(engine.render(order()), { fields: { code: 'UNAUTHORIZED', status: 401 } })
    equal(observed, ['render:UNAUTHORIZED'])
  })

  test('a failing handler becomes INTERNAL_ERROR; a slow one RENDER_TIMEOUT', async () => {
    const engine = makeEngine({ limits: { renderTimeoutMs: 20 } })
    engine.registerIntent({
      ...orderStatus,
      name: 'broken',
      handler: () => {
        throw new Error('database down')
      },
    })
    engine.registerIntent({ ...orderStatus, name: 'slow', handler: async () => (await sleep(200), {}) })
    await rejects(engine.render({ intent: { name: 'broken', parameters: { orderId: '1' } } }), {
      fields: { code: 'INTERNAL_ERROR', expose: false },
    })
    await rejects(engine.render({ intent: { name: 'slow', parameters: { orderId: '1' } } }), {
      fields: { code: 'RENDER_TIMEOUT' },
    })
  })
})

describe('plugins', () => {
  test('apply in order after dependencies, ready/close hooks, teardown in reverse', async () => {
    const log: string[] = []
    const plugin = (name: string, extra: Partial<IxpPlugin> = {}): IxpPlugin => ({
      name,
      apply: async (engine) => {
        log.push(`apply:${name}`)
        engine.hooks.close.tap(name, () => void log.push(`close-hook:${name}`))
        return () => void log.push(`teardown:${name}`)
      },
      ...extra,
    })
    const engine = createEngine({
      logger: silentLogger,
      plugins: [plugin('a'), () => plugin('b', { dependencies: ['a'] })],
    })
    engine.hooks.ready.tapPromise('probe', async () => void log.push('ready-hook'))
    await engine.ready()
    equal(
      engine.plugins.map((p) => p.name),
      ['a', 'b'],
    )
    await engine.close()
    equal(log, [
      'apply:a',
      'apply:b',
      'ready-hook',
      'close-hook:a',
      'close-hook:b',
      'teardown:b',
      'teardown:a',
    ])
  })

  test('missing dependencies, failing apply and malformed plugins have their codes', async () => {
    const missing = createEngine({
      logger: silentLogger,
      plugins: [{ name: 'cache', dependencies: ['redis'], apply() {} }],
    })
    await rejects(missing.ready(), { fields: { code: 'PLUGIN_DEPENDENCY_MISSING' } })
    const failing = createEngine({
      logger: silentLogger,
      plugins: [{ name: 'bad', apply: () => Promise.reject(new Error('no config')) }],
    })
    await rejects(failing.ready(), { fields: { code: 'PLUGIN_APPLY_FAILED' }, message: 'no config' })
    throws(() => createEngine({ logger: silentLogger }).use({ name: 'x' } as never), {
      fields: { code: 'PLUGIN_INVALID' },
    })
  })

  test('a closed engine refuses work with ENGINE_CLOSED', async () => {
    const engine = makeEngine()
    await engine.close()
    throws(() => engine.registerIntent({ ...orderStatus, name: 'late' }), {
      fields: { code: 'ENGINE_CLOSED' },
    })
  })
})

describe('events', () => {
  test('registry, lifecycle and render events', async () => {
    const engine = createEngine({
      logger: silentLogger,
      plugins: [{ name: 'p', version: '1.0.0', apply() {} }],
    })
    const events: string[] = []
    engine.events.on(
      'registry:changed',
      (change) => void events.push(`${change.kind}:${change.action}:${change.name}`),
    )
    engine.events.on(
      'plugin:installed',
      (plugin) => void events.push(`installed:${plugin.name}@${plugin.version}`),
    )
    engine.events.on('ready', () => void events.push('ready'))
    engine.events.on('intent:after', (event) => void events.push(`after:${event.intent}`))
    engine.events.on(
      'intent:error',
      (event) => void events.push(`error:${String(event.intent)}:${event.error.code}`),
    )
    engine.events.on('close', () => void events.push('close'))
    engine.registerComponent({ name: 'Text', render: (props) => String(props.text) })
    const off = engine.registerIntent({
      name: 'say',
      description: 'Says something',
      component: 'Text',
      parameters: { type: 'object', properties: { text: { type: 'string' } } },
    })
    await engine.render({ intent: { name: 'say', parameters: { text: 'hi' } } })
    await engine.render({ intent: { name: 'missing' } }).catch(() => undefined)
    off()
    await engine.close()
    equal(events, [
      'component:registered:Text',
      'intent:registered:say',
      'installed:p@1.0.0',
      'ready',
      'after:say',
      'error:undefined:INTENT_NOT_SUPPORTED',
      'intent:unregistered:say',
      'close',
    ])
  })
})

describe('resolve and discovery', () => {
  test('exact names first, then the resolve hook, no-match otherwise', async () => {
    const engine = makeEngine()
    matches(await engine.resolve(' order_status '), { matched: true, intent: 'order_status', confidence: 1 })
    matches(await engine.resolve('where is my parcel'), { matched: false, intent: null, reason: 'no-match' })
    engine.hooks.resolve.tapPromise({ name: 'keywords', stage: Stage.SEMANTIC }, async (query) =>
      query.text.includes('parcel')
        ? { matched: true, intent: 'order_status', parameters: {}, confidence: 0.8, alternatives: [] }
        : undefined,
    )
    matches(await engine.resolve({ text: 'where is my parcel' }), { matched: true, intent: 'order_status' })
    await rejects(engine.resolve(''), { fields: { code: 'INVALID_REQUEST' } })
  })

  test('discovery hooks filter what a caller sees', async () => {
    const engine = makeEngine()
    engine.hooks.discoverIntents.tap({ name: 'auth', stage: Stage.AUTH }, (intents, context, purpose) =>
      purpose === 'crawler' || !context.headers?.authorization
        ? intents.filter((i) => i.name === 'store_map')
        : intents,
    )
    equal(
      (await engine.listIntents({})).map((i) => i.name),
      ['store_map'],
    )
    equal(
      (await engine.listIntents({ headers: { authorization: 'Bearer t' } })).map((i) => i.name),
      ['order_status', 'store_map'],
    )
    matches(await engine.resolve('order_status'), { matched: false })
  })
})
