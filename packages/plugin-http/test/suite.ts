/**
 * The shared HTTP suite: every case takes a {@link Transport} (the fetch handler itself, a real node:http
 * server, Express, Fastify, Hono, or the handler inside workerd) and talks to it with plain `Request`s.
 * Assertions come from the dependency-free portable harness so the same cases run under vitest and in workerd.
 */
import { createEngine, silentLogger, type Engine } from '@ixp/core'
import type { HttpHandlerOptions } from '@ixp/plugin-http'
import { assert, equal, matches } from '../../core/test/portable/harness.js'
import { createTestEngine } from './engine.js'
import { routePlugin } from './route-plugin.js'

export interface Mounted {
  /** Sends a request to a path such as `/ixp/intents`. */
  request(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

export interface Transport {
  name: string
  /** Serves the engine with a handler built from `options` (the base path stays `/ixp`). */
  mount(engine: Engine, options?: HttpHandlerOptions): Promise<Mounted>
}

export interface HttpCase {
  name: string
  run(transport: Transport): Promise<void>
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

async function withServer(
  transport: Transport,
  fn: (server: Mounted, engine: Engine) => Promise<void>,
  options: HttpHandlerOptions = {},
  engine: Engine = createTestEngine(),
): Promise<void> {
  const server = await transport.mount(engine, options)
  try {
    await fn(server, engine)
  } finally {
    await server.close()
  }
}

function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}

function render(name: unknown, parameters: unknown = {}, extra: Record<string, unknown> = {}): RequestInit {
  return post({ intent: { name, parameters }, ...extra })
}

interface ErrorBody {
  error: { code: string; message: string; timestamp: string; details?: Record<string, unknown> }
}

/** Checks an IXP error answer: status, JSON content type, code, a timestamp, and no stack or file path. */
async function expectError(response: Response, status: number, code: string): Promise<ErrorBody['error']> {
  const text = await response.text()
  equal(response.status, status, `status of ${text.slice(0, 300)}`)
  assert(
    response.headers.get('content-type') === 'application/json; charset=utf-8',
    `content type ${response.headers.get('content-type')}`,
  )
  const body = JSON.parse(text) as ErrorBody
  equal(body.error.code, code, `error code of ${text.slice(0, 300)}`)
  assert(ISO.test(body.error.timestamp), 'timestamp is ISO-8601')
  assert(
    !/\\n\s*at |\(\S+:\d+:\d+\)|\.(?:ts|js|mjs|cjs):\d+|node_modules|"stack"/.test(text),
    `no stack or path in ${text.slice(0, 500)}`,
  )
  return body.error
}

async function json<T = Record<string, unknown>>(response: Response, status = 200): Promise<T> {
  const text = await response.text()
  equal(response.status, status, `status of ${text.slice(0, 300)}`)
  assert(
    response.headers.get('content-type') === 'application/json; charset=utf-8',
    `content type ${response.headers.get('content-type')}`,
  )
  return JSON.parse(text) as T
}

export const httpCases: HttpCase[] = [
  // -------------------------------------------------------------------------------------------
  // Discovery
  // -------------------------------------------------------------------------------------------
  {
    name: 'GET /intents lists the loaded intents in file order, every field kept',
    run: (t) =>
      withServer(t, async (server) => {
        const response = await server.request('/ixp/intents')
        equal(response.headers.get('cache-control'), null, 'no Cache-Control')
        const body = await json<{ intents: Record<string, unknown>[]; version: string; timestamp: string }>(
          response,
        )
        equal(body.version, '1.0.0')
        assert(ISO.test(body.timestamp), 'timestamp')
        equal(
          body.intents.slice(0, 6).map((intent) => intent.name),
          ['show_weather', 'list_products', 'legacy_search', 'pick_theme', 'open_vault', 'ghost_intent'],
        )
        matches(body.intents[0]!, { crawlable: true, owner: 'weather-team', version: '1.0.0' })
        equal(body.intents[2]!.deprecated, true)
        assert(
          !('handler' in body.intents.find((intent) => intent.name === 'explode')!),
          'functions are not listed',
        )
      }),
  },
  {
    name: 'GET /components lists an array, names from the file keys, default security policy filled',
    run: (t) =>
      withServer(t, async (server) => {
        const body = await json<{ components: Record<string, unknown>[]; version: string }>(
          await server.request('/ixp/components'),
        )
        equal(body.version, '1.0.0')
        const byName = new Map(body.components.map((component) => [component.name, component]))
        matches(byName.get('ThemePicker')!, {
          name: 'ThemePicker',
          securityPolicy: { allowEval: false, sandboxed: true, maxBundleSize: '200KB' },
        })
        matches(byName.get('WeatherCard')!, { securityPolicy: { allowEval: false, maxBundleSize: '200KB' } })
        matches(byName.get('Greeting')!, { type: 'server', description: 'A greeting rendered on the server' })
        assert(!('render' in byName.get('Greeting')!), 'render functions are not listed')
      }),
  },
  // -------------------------------------------------------------------------------------------
  // Render
  // -------------------------------------------------------------------------------------------
  {
    name: 'POST /render answers { record, component, ttl } for a remote component; undeclared parameters dropped, options last',
    run: (t) =>
      withServer(t, async (server) => {
        const response = await server.request(
          '/ixp/render',
          render(
            'show_weather',
            { city: 'Paris', units: 'metric', sneaky: 1 },
            { options: { units: 'imperial', theme: 'dark' } },
          ),
        )
        equal(response.headers.get('cache-control'), null, 'no Cache-Control')
        const body = await json<Record<string, unknown>>(response)
        equal(Object.keys(body), ['record', 'component', 'ttl'])
        equal(body.record, {
          moduleUrl: 'https://cdn.example.com/weather-card.js',
          exportName: 'WeatherCard',
          props: { city: 'Paris', units: 'imperial', theme: 'dark' },
        })
        matches(body.component as Record<string, unknown>, { name: 'WeatherCard', framework: 'react' })
        equal(body.ttl, 600)
      }),
  },
  {
    name: 'POST /render applies the TTL rules: 300 plain, 60 deprecated, 600 crawlable, 900 large bundle',
    run: (t) =>
      withServer(t, async (server) => {
        const ttl = async (name: string, parameters: Record<string, unknown>) =>
          (await json<{ ttl: number }>(await server.request('/ixp/render', render(name, parameters)))).ttl
        equal(await ttl('pick_theme', { theme: 'dark' }), 300)
        equal(await ttl('legacy_search', { q: 'lamp' }), 60)
        equal(await ttl('show_weather', { city: 'Oslo' }), 600)
        equal(await ttl('list_products', { category: 'lamps' }), 900)
      }),
  },
  {
    name: 'POST /render answers { tree, component, ttl } for a server-rendered component',
    run: (t) =>
      withServer(t, async (server) => {
        const body = await json<Record<string, unknown>>(
          await server.request('/ixp/render', render('greet', { name: 'Ada' })),
        )
        equal(Object.keys(body), ['tree', 'component', 'ttl'])
        equal(body.tree, { type: 'p', props: { class: 'greeting' }, children: ['Hello, Ada'] })
        matches(body.component as Record<string, unknown>, { name: 'Greeting', type: 'server' })
        equal(body.ttl, 300)
      }),
  },
  {
    name: 'POST /render with { query } resolves free text first and says how',
    run: (t) =>
      withServer(t, async (server) => {
        const body = await json<Record<string, unknown>>(
          await server.request('/ixp/render', post({ query: 'please say hello to Grace' })),
        )
        equal(body.tree, { type: 'p', props: { class: 'greeting' }, children: ['Hello, Grace'] })
        matches(body.resolution as Record<string, unknown>, {
          intent: 'greet',
          confidence: 0.9,
          source: 'test',
        })
        const none = await expectError(
          await server.request('/ixp/render', post({ query: 'what is the meaning of life' })),
          404,
          'INTENT_NOT_SUPPORTED',
        )
        matches(none.details!, { reason: 'no-match' })
        equal(none.message, 'No intent matches the query')
        const ambiguous = await expectError(
          await server.request('/ixp/render', post({ query: 'hello or theme' })),
          404,
          'INTENT_NOT_SUPPORTED',
        )
        assert(/did you mean 'greet' or 'pick_theme'/.test(ambiguous.message), ambiguous.message)
        matches(ambiguous.details!, { reason: 'ambiguous' })
        const lacking = await expectError(
          await server.request('/ixp/render', post({ query: 'greet someone' })),
          400,
          'INVALID_REQUEST',
        )
        assert(/intent 'greet'/.test(lacking.message), lacking.message)
        matches(lacking.details!, { intent: 'greet', missing: ['name'] })
        await expectError(await server.request('/ixp/render', post({ query: 42 })), 400, 'INVALID_REQUEST')
      }),
  },
  {
    name: 'POST /render with { query } on an engine without a text resolver says which plugin resolves text',
    run: async (t) => {
      const engine = createEngine({ logger: silentLogger })
      engine.registerComponent({ name: 'Greeting', render: () => 'hello' })
      engine.registerIntent({
        name: 'greet',
        description: 'Greets',
        component: 'Greeting',
        parameters: { type: 'object' },
      })
      await withServer(
        t,
        async (server) => {
          const none = await expectError(
            await server.request('/ixp/render', post({ query: 'please say hello' })),
            404,
            'INTENT_NOT_SUPPORTED',
          )
          assert(none.message.includes('no resolver for free text'), none.message)
          assert(none.message.includes('@ixp/plugin-semantic'), none.message)
          // An exact intent name still resolves without a resolver plugin.
          const exact = await json<Record<string, unknown>>(
            await server.request('/ixp/render', post({ query: 'greet' })),
          )
          equal(exact.tree, 'hello')
        },
        {},
        engine,
      )
    },
  },
  {
    name: 'POST /render reports parameter validation as 400 INVALID_REQUEST with paths',
    run: (t) =>
      withServer(t, async (server) => {
        const error = await expectError(
          await server.request('/ixp/render', render('show_weather', { city: '', days: 'soon' })),
          400,
          'INVALID_REQUEST',
        )
        assert(error.message.startsWith('Parameter validation failed: '), error.message)
        const issues = error.details!.validationErrors as { path: string }[]
        equal(issues.map((issue) => issue.path).sort(), ['city', 'days'])
        await expectError(
          await server.request('/ixp/render', render('show_weather', null)),
          400,
          'INVALID_REQUEST',
        )
        await expectError(
          await server.request('/ixp/render', post({ intent: { name: 'show_weather' } })),
          400,
          'INVALID_REQUEST',
        )
      }),
  },
  {
    name: 'POST /render without intent.name is 400 "Missing required parameter \'intent.name\'"',
    run: (t) =>
      withServer(t, async (server) => {
        for (const body of [
          {},
          { intent: {} },
          { intent: 'show_weather' },
          { intent: { name: '' } },
          { intent: null },
        ]) {
          const error = await expectError(
            await server.request('/ixp/render', post(body)),
            400,
            'INVALID_REQUEST',
          )
          equal(error.message, "Missing required parameter 'intent.name'", JSON.stringify(body))
          equal(error.details, undefined, 'no details')
        }
      }),
  },
  {
    name: 'POST /render: unknown intent 404 INTENT_NOT_SUPPORTED, missing component 404 COMPONENT_NOT_FOUND',
    run: (t) =>
      withServer(t, async (server) => {
        const unknown = await expectError(
          await server.request('/ixp/render', render('no_such')),
          404,
          'INTENT_NOT_SUPPORTED',
        )
        equal(unknown.message, "Intent 'no_such' not found")
        const ghost = await expectError(
          await server.request('/ixp/render', render('ghost_intent')),
          404,
          'COMPONENT_NOT_FOUND',
        )
        equal(ghost.message, "Component 'GhostWidget' not found")
      }),
  },
  {
    name: "POST /render checks the component's allowedOrigins against the Origin header",
    run: (t) =>
      withServer(t, async (server) => {
        const denied = await expectError(
          await server.request('/ixp/render', {
            ...render('open_vault'),
            headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
          }),
          403,
          'ORIGIN_NOT_ALLOWED',
        )
        equal(denied.message, "Origin 'https://evil.example' not allowed for component 'VaultPanel'")
        equal(denied.details, { origin: 'https://evil.example', componentName: 'VaultPanel' })
        const trusted = await server.request('/ixp/render', {
          ...render('open_vault'),
          headers: { 'content-type': 'application/json', origin: 'https://trusted.example' },
        })
        equal(trusted.status, 200)
        equal((await server.request('/ixp/render', render('open_vault'))).status, 200, 'no Origin, no check')
        const wildcard = await server.request('/ixp/render', {
          ...render('show_weather', { city: 'Rome' }),
          headers: { 'content-type': 'application/json', origin: 'https://anyone.example' },
        })
        equal(wildcard.status, 200, "'*' allows any origin")
      }),
  },
  {
    name: 'transport hints: IxpError headers on errors, meta headers and x-ixp-cache on answers',
    run: (t) =>
      withServer(t, async (server) => {
        const limited = await server.request('/ixp/render', render('limited'))
        equal(limited.headers.get('retry-after'), '7')
        const error = await expectError(limited, 429, 'RATE_LIMITED')
        equal(error.details, { retryAfter: 7 })
        const cached = await server.request('/ixp/render', render('cached_greeting'))
        equal(cached.status, 200)
        equal(cached.headers.get('x-ixp-cache'), 'hit')
        equal(cached.headers.get('x-ratelimit-remaining'), '41')
      }),
  },
  {
    name: 'the context carries the request id, the origin, a signal, the query and Cache-Control: no-cache as refresh',
    run: (t) =>
      withServer(t, async (server) => {
        const response = await server.request('/ixp/render?tenant=acme', {
          ...render('echo_context'),
          headers: {
            'content-type': 'application/json',
            'cache-control': 'no-cache',
            'x-request-id': 'req-1234',
            origin: 'http://localhost:3000',
            'user-agent': 'suite/1.0',
          },
        })
        const body = await json<{ record: { props: Record<string, unknown> } }>(response)
        equal(body.record.props, {
          cache: 'refresh',
          query: 'tenant=acme',
          requestId: 'req-1234',
          origin: 'http://localhost:3000',
          hasSignal: true,
          userAgent: 'suite/1.0',
        })
        const plain = await json<{ record: { props: Record<string, unknown> } }>(
          await server.request('/ixp/render', render('echo_context')),
        )
        matches(plain.record.props, { cache: null, origin: null, query: null })
        const noStore = await json<{ record: { props: Record<string, unknown> } }>(
          await server.request('/ixp/render', {
            ...render('echo_context'),
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store, no-cache' },
          }),
        )
        matches(noStore.record.props, { cache: 'bypass' })
        assert(typeof plain.record.props.requestId === 'string', 'a generated request id')
        equal(response.headers.get('x-request-id'), 'req-1234')
      }),
  },
  {
    name: 'POST /resolve answers the resolution outcome',
    run: (t) =>
      withServer(t, async (server) => {
        const hit = await json<Record<string, unknown>>(
          await server.request('/ixp/resolve', post({ query: 'say hello to Ada' })),
        )
        matches(hit, { matched: true, intent: 'greet', parameters: { name: 'Ada' } })
        const exact = await json<Record<string, unknown>>(
          await server.request('/ixp/resolve', post({ text: 'pick_theme' })),
        )
        matches(exact, { matched: true, intent: 'pick_theme', confidence: 1 })
        const miss = await json<Record<string, unknown>>(
          await server.request('/ixp/resolve', post({ query: 'xyzzy' })),
        )
        matches(miss, { matched: false, intent: null, reason: 'no-match' })
        const unsure = await json<Record<string, unknown>>(
          await server.request('/ixp/resolve', post({ query: 'hello or theme' })),
        )
        matches(unsure, { matched: false, reason: 'ambiguous' })
        equal(
          (unsure.alternatives as { intent: string }[]).map((a) => a.intent),
          ['greet', 'pick_theme'],
        )
        await expectError(await server.request('/ixp/resolve', post({ query: '' })), 400, 'INVALID_REQUEST')
        await expectError(
          await server.request('/ixp/resolve', post({ query: 'a', limit: 0 })),
          400,
          'INVALID_REQUEST',
        )
      }),
  },
  // -------------------------------------------------------------------------------------------
  // Other routes
  // -------------------------------------------------------------------------------------------
  {
    name: 'GET /crawler_content lists crawlable intents by default, ignoring the query',
    run: (t) =>
      withServer(t, async (server) => {
        const body = await json<{
          contents: Record<string, unknown>[]
          pagination: unknown
          lastUpdated: string
        }>(await server.request('/ixp/crawler_content?limit=1&cursor=abc'))
        equal(body.contents.length, 1)
        matches(body.contents[0]!, {
          type: 'intent',
          id: 'show_weather',
          title: 'show_weather',
          description: 'Show the weather forecast for a city',
        })
        equal(body.pagination, { nextCursor: null, hasMore: false })
        assert(ISO.test(body.lastUpdated), 'lastUpdated')
      }),
  },
  {
    name: 'GET /health reports the checks in the reference shape; a failing check makes it 503',
    run: (t) =>
      withServer(t, async (server, engine) => {
        const body = await json<Record<string, unknown>>(await server.request('/ixp/health'))
        matches(body, {
          status: 'healthy',
          service: 'IXP Server',
          version: '1.0.0',
          checks: { intents: { status: 'pass' }, components: { status: 'pass' } },
        })
        assert(typeof body.uptime === 'number', 'uptime is a number')
        assert(
          /^\d+ intents loaded$/.test((body.checks as { intents: { message: string } }).intents.message),
          'message',
        )
        engine.registerHealthCheck('redis', () => ({ status: 'fail', message: 'connection refused' }))
        const down = await json<Record<string, unknown>>(await server.request('/ixp/health'), 503)
        matches(down, {
          status: 'unhealthy',
          checks: { redis: { status: 'fail', message: 'connection refused' } },
        })
      }),
  },
  {
    name: 'GET /metrics counts requests by route, status class and error code',
    run: (t) =>
      withServer(t, async (server) => {
        await server.request('/ixp/intents')
        await server.request('/ixp/render', render('greet', { name: 'Ada' }))
        await server.request('/ixp/render', render('no_such'))
        await server.request('/ixp/nowhere')
        const body = await json<Record<string, any>>(await server.request('/ixp/metrics'))
        matches(body, {
          requests: {
            total: 4,
            byIntent: { '/intents': 1, render_requests: 2, not_found: 1 },
            byStatus: { '2xx': 2, '4xx': 2 },
          },
          errors: { total: 2, byType: { INTENT_NOT_SUPPORTED: 1, NOT_FOUND: 1 } },
        })
        for (const key of ['averageResponseTime', 'p95ResponseTime', 'p99ResponseTime']) {
          assert(typeof body.performance[key] === 'number', key)
        }
        assert(Number.isInteger(body.uptime), 'uptime in whole seconds')
        assert(ISO.test(body.timestamp), 'timestamp')
      }),
  },
  {
    name: 'GET /theme, /sdk/config, /menu and /init',
    run: (t) =>
      withServer(t, async (server) => {
        const theme = await json<Record<string, any>>(await server.request('/ixp/theme'))
        equal(theme.version, '1.0.0')
        equal(theme.theme.mode, 'light')
        const config = await server.request('/ixp/sdk/config')
        equal(config.headers.get('cache-control'), 'public, max-age=300')
        equal(config.headers.get('access-control-allow-origin'), '*')
        const sdk = await json<Record<string, any>>(config)
        equal(sdk.version, '1.1.0')
        matches(sdk.endpoints, { intents: '/ixp/intents', render: '/ixp/render', metrics: '/ixp/metrics' })
        equal(sdk.cors, { origins: ['http://localhost:3000'] })
        const menu = await json<{ menu: Record<string, unknown>[] }>(await server.request('/ixp/menu'))
        const names = menu.menu.map((item) => item.intent)
        assert(
          names.includes('show_weather') && !names.includes('legacy_search'),
          'deprecated intents are not offered',
        )
        matches(
          menu.menu.find((item) => item.intent === 'greet')!,
          { examples: ['say hello to Ada'] },
        )
        const init = await json<Record<string, any>>(await server.request('/ixp/init'))
        assert(
          Array.isArray(init.menu) && init.theme.mode === 'light' && init.endpoints.render === '/ixp/render',
          'init',
        )
      }),
  },
  {
    name: 'GET /openapi.json describes every route and one render variant per intent',
    run: (t) =>
      withServer(t, async (server) => {
        const doc = await json<Record<string, any>>(await server.request('/ixp/openapi.json'))
        equal(doc.openapi, '3.1.0')
        equal(doc.servers, [{ url: '/ixp' }])
        for (const path of [
          '/intents',
          '/components',
          '/render',
          '/resolve',
          '/crawler_content',
          '/health',
          '/metrics',
        ]) {
          assert(path in doc.paths, `${path} documented`)
        }
        const variants = doc.paths['/render'].post.requestBody.content['application/json'].schema
          .oneOf as unknown[]
        assert(
          variants.some((variant) => JSON.stringify(variant).includes('"const":"show_weather"')),
          'show_weather variant',
        )
        matches(doc.components.schemas['Intent.show_weather.parameters'], { required: ['city'] })
      }),
  },
  // -------------------------------------------------------------------------------------------
  // Part B: bad input
  // -------------------------------------------------------------------------------------------
  {
    name: 'malformed JSON is 400 INVALID_REQUEST, not 500',
    run: (t) =>
      withServer(t, async (server) => {
        for (const body of ['{"intent":', '{intent: 1}', "{'a':1}", '{"a":1}}']) {
          await expectError(await server.request('/ixp/render', post(body)), 400, 'INVALID_REQUEST')
        }
      }),
  },
  {
    name: 'JSON that is not an object (string, number, null, array, boolean) is 400',
    run: (t) =>
      withServer(t, async (server) => {
        for (const body of ['"render me"', '42', 'null', '[{"intent":{"name":"greet"}}]', 'true']) {
          const error = await expectError(
            await server.request('/ixp/render', post(body)),
            400,
            'INVALID_REQUEST',
          )
          assert(error.message.includes('must be a JSON object'), error.message)
        }
      }),
  },
  {
    name: 'non-JSON bodies are 415 UNSUPPORTED_MEDIA_TYPE; no body at all is 400',
    run: (t) =>
      withServer(t, async (server) => {
        const form = await server.request('/ixp/render', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'intent[name]=greet&intent[parameters][name]=Ada',
        })
        await expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE')
        const text = await server.request('/ixp/render', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{"intent":{"name":"greet","parameters":{"name":"Ada"}}}',
        })
        await expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE')
        const untyped = await server.request('/ixp/render', {
          method: 'POST',
          body: new TextEncoder().encode('{"intent":{"name":"greet"}}'),
        })
        await expectError(untyped, 415, 'UNSUPPORTED_MEDIA_TYPE')
        const latin1 = await server.request('/ixp/render', {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=iso-8859-1' },
          body: '{"intent":{"name":"greet","parameters":{"name":"Ada"}}}',
        })
        await expectError(latin1, 415, 'UNSUPPORTED_MEDIA_TYPE')
        await expectError(await server.request('/ixp/render', { method: 'POST' }), 400, 'INVALID_REQUEST')
        await expectError(
          await server.request('/ixp/render', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '',
          }),
          400,
          'INVALID_REQUEST',
        )
        const vendor = await server.request('/ixp/render', {
          ...render('greet', { name: 'Ada' }),
          headers: { 'content-type': 'application/vnd.ixp+json; charset=UTF-8' },
        })
        equal(vendor.status, 200, '+json media types are JSON')
      }),
  },
  {
    name: 'a body over the limit is 413 PAYLOAD_TOO_LARGE',
    run: (t) =>
      withServer(
        t,
        async (server) => {
          const big = JSON.stringify({ intent: { name: 'greet', parameters: { name: 'x'.repeat(5_000) } } })
          const error = await expectError(
            await server.request('/ixp/render', post(big)),
            413,
            'PAYLOAD_TOO_LARGE',
          )
          equal(error.details, { limit: 4_096 })
          equal(
            (await server.request('/ixp/render', render('greet', { name: 'Ada' }))).status,
            200,
            'small bodies pass',
          )
        },
        { bodyLimit: 4_096 },
      ),
  },
  {
    name: 'JSON nested 100 000 levels deep is a 400, not a stack overflow',
    run: (t) =>
      withServer(t, async (server) => {
        const depth = 100_000
        const deepObject = `{"intent":{"name":"greet","parameters":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`
        const error = await expectError(
          await server.request('/ixp/render', post(deepObject)),
          400,
          'INVALID_REQUEST',
        )
        assert(error.message.includes('nested deeper than 64'), error.message)
        const deepArray = `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`
        await expectError(await server.request('/ixp/render', post(deepArray)), 400, 'INVALID_REQUEST')
        const tricky = `{"s":"${'{['.repeat(200)}","intent":{"name":"greet","parameters":{"name":"Ada"}}}`
        equal(
          (await server.request('/ixp/render', post(tricky))).status,
          200,
          'brackets inside strings do not count',
        )
        const greet = '"intent":{"name":"greet","parameters":{"name":"Ada"}}'
        const wide = `{${greet},"options":{"rows":[${'{"a":[1]},'.repeat(300)}{}]}}`
        equal((await server.request('/ixp/render', post(wide))).status, 200, 'many shallow brackets pass')
        // The body object and `options` are two levels; the arrays in `options.deep` make up the rest.
        const nested = (levels: number) =>
          `{${greet},"options":{"deep":${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}}`
        equal((await server.request('/ixp/render', post(nested(64)))).status, 200, '64 levels pass')
        const tooDeep = await expectError(
          await server.request('/ixp/render', post(nested(65))),
          400,
          'INVALID_REQUEST',
        )
        assert(tooDeep.message.includes('nested deeper than 64'), tooDeep.message)
        equal((await server.request('/ixp/health')).status, 200, 'still serving')
      }),
  },
  {
    name: '__proto__, constructor and prototype keys anywhere are 400 and never reach the engine',
    run: (t) =>
      withServer(t, async (server) => {
        const bodies = [
          '{"__proto__":{"polluted":true},"intent":{"name":"greet","parameters":{"name":"Ada"}}}',
          '{"intent":{"name":"greet","parameters":{"name":"Ada","constructor":{"prototype":{"polluted":true}}}}}',
          '{"intent":{"name":"greet","parameters":{"name":"Ada"}},"options":{"list":[{"prototype":1}]}}',
          '{"intent":{"name":"greet","parameters":{"name":"Ada","\\u005f_proto__":{"polluted":true}}}}',
        ]
        for (const body of bodies) {
          const error = await expectError(
            await server.request('/ixp/render', post(body)),
            400,
            'INVALID_REQUEST',
          )
          assert(/'(__proto__|constructor|prototype)'/.test(error.message), error.message)
        }
        equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution')
      }),
  },
  {
    name: 'intent names that are objects, arrays, numbers or huge are 400 and never echoed unbounded',
    run: (t) =>
      withServer(t, async (server) => {
        for (const name of [{ toString: 'x' }, ['greet'], 42, true]) {
          await expectError(await server.request('/ixp/render', render(name)), 400, 'INVALID_REQUEST')
        }
        const huge = 'n'.repeat(100_000)
        const error = await expectError(
          await server.request('/ixp/render', render(huge)),
          400,
          'INVALID_REQUEST',
        )
        assert(error.message.length < 300, `bounded message (${error.message.length} chars)`)
        const long = 'n'.repeat(250)
        const notFound = await expectError(
          await server.request('/ixp/render', render(long)),
          404,
          'INTENT_NOT_SUPPORTED',
        )
        assert(notFound.message.length < 150, `bounded message (${notFound.message.length} chars)`)
      }),
  },
  {
    name: 'unknown routes are 404 NOT_FOUND and wrong methods 405 with Allow, as JSON',
    run: (t) =>
      withServer(t, async (server) => {
        await expectError(await server.request('/ixp/nowhere'), 404, 'NOT_FOUND')
        await expectError(await server.request('/ixp'), 404, 'NOT_FOUND')
        const get = await server.request('/ixp/render')
        equal(get.headers.get('allow'), 'POST, OPTIONS')
        await expectError(get, 405, 'METHOD_NOT_ALLOWED')
        const put = await server.request('/ixp/render', {
          ...render('greet', { name: 'Ada' }),
          method: 'PUT',
        })
        await expectError(put, 405, 'METHOD_NOT_ALLOWED')
        const del = await server.request('/ixp/intents', { method: 'DELETE' })
        equal(del.headers.get('allow'), 'GET, HEAD, OPTIONS')
        await expectError(del, 405, 'METHOD_NOT_ALLOWED')
      }),
  },
  {
    name: 'errors stay JSON with their real status when the client accepts text/html',
    run: (t) =>
      withServer(t, async (server) => {
        const html = { accept: 'text/html,application/xhtml+xml' }
        await expectError(await server.request('/ixp/nowhere', { headers: html }), 404, 'NOT_FOUND')
        await expectError(
          await server.request('/ixp/render', {
            ...render('show_weather', {}),
            headers: { ...html, 'content-type': 'application/json' },
          }),
          400,
          'INVALID_REQUEST',
        )
        await expectError(
          await server.request('/ixp/render', {
            ...render('open_vault'),
            headers: { ...html, 'content-type': 'application/json', origin: 'https://x.example' },
          }),
          403,
          'ORIGIN_NOT_ALLOWED',
        )
      }),
  },
  {
    name: 'an unexpected error is 500 INTERNAL_ERROR with an error id, no message leak, and the server keeps serving',
    run: (t) =>
      withServer(t, async (server) => {
        const error = await expectError(
          await server.request('/ixp/render', render('explode')),
          500,
          'INTERNAL_ERROR',
        )
        assert(!JSON.stringify(error).includes('hunter2'), 'the original message stays in the log')
        assert(typeof error.details?.errorId === 'string' && error.details.errorId.length >= 8, 'errorId')
        equal(Object.keys(error.details!), ['errorId'])
        equal(
          (await server.request('/ixp/render', render('greet', { name: 'Ada' }))).status,
          200,
          'still serving',
        )
      }),
  },
  {
    name: 'a render past its deadline is 504 RENDER_TIMEOUT while other requests are served',
    run: (t) =>
      withServer(
        t,
        async (server) => {
          const started = Date.now()
          const slow = server.request('/ixp/render', render('slow_report'))
          const fast = await server.request('/ixp/render', render('greet', { name: 'Ada' }))
          equal(fast.status, 200, 'served meanwhile')
          const error = await expectError(await slow, 504, 'RENDER_TIMEOUT')
          assert(Date.now() - started < 1_200, `answered at the deadline (${Date.now() - started} ms)`)
          assert(error.message.includes('deadline') || error.message.includes('within'), error.message)
        },
        {},
        createTestEngine({ limits: { renderTimeoutMs: 150 } }),
      ),
  },
  // -------------------------------------------------------------------------------------------
  // Routing and headers
  // -------------------------------------------------------------------------------------------
  {
    name: 'paths are case-insensitive and a trailing slash matches; HEAD works on GET routes',
    run: (t) =>
      withServer(t, async (server) => {
        equal((await server.request('/IXP/Intents')).status, 200)
        equal((await server.request('/ixp/intents/')).status, 200)
        equal((await server.request('/ixp/sdk/CONFIG/')).status, 200)
        const head = await server.request('/ixp/intents', { method: 'HEAD' })
        equal(head.status, 200)
        equal(head.headers.get('content-type'), 'application/json; charset=utf-8')
        equal(await head.text(), '', 'no body')
        equal((await server.request('/ixp/health', { method: 'HEAD' })).status, 200)
      }),
  },
  {
    name: 'CORS: Vary and credentials always; the origin echoed only when allowed; never a refusal',
    run: (t) =>
      withServer(t, async (server) => {
        const listed = await server.request('/ixp/intents', { headers: { origin: 'http://localhost:3000' } })
        equal(listed.status, 200)
        equal(listed.headers.get('access-control-allow-origin'), 'http://localhost:3000')
        equal(listed.headers.get('access-control-allow-credentials'), 'true')
        assert(/origin/i.test(listed.headers.get('vary') ?? ''), 'Vary: Origin')
        const foreign = await server.request('/ixp/intents', {
          headers: { origin: 'https://elsewhere.example' },
        })
        equal(foreign.status, 200)
        equal(foreign.headers.get('access-control-allow-origin'), null)
        equal(foreign.headers.get('access-control-allow-credentials'), 'true')
      }),
  },
  {
    name: 'CORS preflight: OPTIONS on any path is 204 with the allowed methods and headers',
    run: (t) =>
      withServer(t, async (server) => {
        const preflight = {
          method: 'OPTIONS',
          headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
        }
        const known = await server.request('/ixp/render', preflight)
        equal(known.status, 204)
        equal(known.headers.get('access-control-allow-methods'), 'GET,POST,PUT,DELETE,OPTIONS')
        equal(known.headers.get('access-control-allow-headers'), 'Content-Type,Authorization')
        equal(known.headers.get('access-control-allow-origin'), 'http://localhost:3000')
        const unknown = await server.request('/ixp/anything', {
          ...preflight,
          headers: { origin: 'https://x.example' },
        })
        equal(unknown.status, 204)
        equal(unknown.headers.get('access-control-allow-origin'), null)
      }),
  },
  {
    name: 'CORS follows its options: an allow-list, no credentials, exposed headers, max age',
    run: (t) =>
      withServer(
        t,
        async (server) => {
          const allowed = await server.request('/ixp/intents', { headers: { origin: 'https://app.example' } })
          equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example')
          equal(allowed.headers.get('access-control-allow-credentials'), null)
          equal(allowed.headers.get('access-control-expose-headers'), 'X-Request-Id')
          const preflight = await server.request('/ixp/render', {
            method: 'OPTIONS',
            headers: { origin: 'https://app.example' },
          })
          equal(preflight.headers.get('access-control-max-age'), '600')
          equal(preflight.headers.get('access-control-allow-methods'), 'GET,POST')
        },
        {
          cors: {
            origins: ['https://app.example'],
            credentials: false,
            exposedHeaders: ['X-Request-Id'],
            maxAge: 600,
            methods: ['GET', 'POST'],
          },
        },
      ),
  },
  {
    name: 'security headers of the reference are on every answer, errors included; configurable',
    run: async (t) => {
      await withServer(t, async (server) => {
        for (const response of [await server.request('/ixp/intents'), await server.request('/ixp/nowhere')]) {
          await response.arrayBuffer()
          equal(response.headers.get('x-content-type-options'), 'nosniff')
          equal(response.headers.get('x-frame-options'), 'SAMEORIGIN')
          equal(response.headers.get('strict-transport-security'), 'max-age=15552000; includeSubDomains')
          assert(
            (response.headers.get('content-security-policy') ?? '').startsWith("default-src 'self'"),
            'CSP',
          )
          equal(response.headers.get('x-powered-by'), null)
        }
      })
      await withServer(
        t,
        async (server) => {
          const response = await server.request('/ixp/intents')
          equal(response.headers.get('x-frame-options'), 'DENY')
          equal(response.headers.get('content-security-policy'), null)
          equal(response.headers.get('x-content-type-options'), 'nosniff')
        },
        { securityHeaders: { 'X-Frame-Options': 'DENY', 'Content-Security-Policy': false } },
      )
    },
  },
  {
    name: 'x-request-id is honoured when sane, generated otherwise, and always returned',
    run: (t) =>
      withServer(t, async (server) => {
        const given = await server.request('/ixp/intents', { headers: { 'x-request-id': 'abc-123' } })
        equal(given.headers.get('x-request-id'), 'abc-123')
        const generatedId = async (headers: Record<string, string> = {}) =>
          (await server.request('/ixp/intents', { headers })).headers.get('x-request-id') ?? ''
        const first = await generatedId()
        const second = await generatedId()
        const shape = /^([0-9a-f]{16})-([0-9a-z]+)$/
        assert(shape.test(first) && shape.test(second), `generated ids ${first}, ${second}`)
        assert(first !== second, 'every generated id is new')
        equal(shape.exec(first)![1], shape.exec(second)![1], 'one prefix per handler')
        const replaced = await generatedId({ 'x-request-id': 'x'.repeat(500) })
        assert(shape.test(replaced) && replaced !== second, 'an unbounded id is replaced')
        const error = await server.request('/ixp/nowhere', { headers: { 'x-request-id': 'err-1' } })
        equal(error.headers.get('x-request-id'), 'err-1', 'errors carry it too')
      }),
  },
  // -------------------------------------------------------------------------------------------
  // Plugins: routes, response decoration, around
  // -------------------------------------------------------------------------------------------
  {
    name: 'a plugin route is served like a built-in one: headers, context, errors, 405, HEAD, metrics, OpenAPI; a plugin provides the metrics answer',
    run: (t) => {
      // The plugin is applied by ready(), after the handler was made: its routes are picked up then.
      const engine = createTestEngine()
      engine.use(routePlugin())
      return withServer(
        t,
        async (server) => {
          const hello = await server.request('/ixp/hello?name=Ada', { headers: { 'x-request-id': 'rid-7' } })
          equal(hello.status, 200)
          equal(hello.headers.get('x-request-id'), 'rid-7')
          equal(hello.headers.get('x-content-type-options'), 'nosniff')
          equal(hello.headers.get('x-route'), '/hello', 'the response tap ran')
          matches(await hello.json(), { hello: 'Ada', requestId: 'rid-7', basePath: '/ixp', wrapped: null })
          const echo = await server.request('/ixp/echo', {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'hi there',
          })
          equal(echo.status, 201)
          equal(echo.headers.get('x-echo'), 'yes')
          equal(echo.headers.get('content-type'), 'text/plain; charset=utf-8')
          equal(await echo.text(), 'echo: hi there')
          const refused = await expectError(await server.request('/ixp/refuse'), 403, 'FORBIDDEN')
          equal(refused.message, 'Not for you')
          const wrongMethod = await server.request('/ixp/hello', { method: 'DELETE' })
          equal(wrongMethod.headers.get('allow'), 'GET, HEAD, OPTIONS')
          await expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED')
          const head = await server.request('/ixp/HELLO/', { method: 'HEAD' })
          equal(head.status, 200)
          equal(await head.text(), '')
          const missing = await server.request('/ixp/nowhere')
          equal(missing.headers.get('x-route'), 'none', 'errors are decorated too')
          await expectError(missing, 404, 'NOT_FOUND')
          const metrics = await json<{ requests: { byIntent: Record<string, number> }; provider: string }>(
            await server.request('/ixp/metrics'),
          )
          equal(metrics.provider, 'suite-routes', "the plugin's metrics provider answered")
          assert((metrics.requests.byIntent['/hello'] ?? 0) >= 2, 'plugin routes are counted by path')
          const openapi = await json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
            await server.request('/ixp/openapi.json'),
          )
          matches(openapi.paths['/hello']!.get!, { summary: 'Says hello' })
          equal(openapi.paths['/echo'], undefined, 'a route that does not describe itself is not listed')
          assert(openapi.paths['/intents'] !== undefined, 'built-in routes stay listed')
        },
        {},
        engine,
      )
    },
  },
  {
    name: 'around wraps every request, plugin routes and unknown paths included, and may answer a replacement',
    run: (t) => {
      const engine = createTestEngine()
      engine.use(routePlugin())
      const seen: string[] = []
      return withServer(
        t,
        async (server) => {
          const rendered = await server.request('/ixp/render', render('greet', { name: 'Ada' }))
          equal(rendered.headers.get('x-around'), 'done')
          assert('component' in (await json(rendered)), 'the render answered')
          const hello = await server.request('/ixp/hello?name=Bo')
          equal(hello.headers.get('x-around'), 'done')
          matches(await hello.json(), { hello: 'Bo', wrapped: 'yes' })
          const missing = await server.request('/ixp/nowhere')
          equal(missing.headers.get('x-around'), 'done')
          await expectError(missing, 404, 'NOT_FOUND')
          equal(seen, ['POST /ixp/render', 'GET /ixp/hello', 'GET (none)'])
        },
        {
          around: async (request, next, info) => {
            seen.push(`${request.method} ${info.route ?? '(none)'}`)
            const copy = new Request(request, {
              headers: { ...Object.fromEntries(request.headers), 'x-wrapped': 'yes' },
            })
            const response = await next(copy)
            const headers = new Headers(response.headers)
            headers.set('x-around', 'done')
            return new Response(response.body, { status: response.status, headers })
          },
        },
        engine,
      )
    },
  },
]
