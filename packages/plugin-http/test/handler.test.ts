/**
 * The handler's options and extension points through `handler.fetch`: streamed body limits, base paths,
 * option checks, logging, debug, discovery filters, the context hook, metrics providers, OpenAPI validity.
 */
import { Validator } from '@seriousme/openapi-schema-validator'
import { Stage, type IntentDefinition } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import {
  createHttpHandler,
  HttpErrorCodes,
  type HttpHandler,
  type HttpHandlerOptions,
} from '@ixp/plugin-http'
import { DISPATCH } from '../src/internal.js'
import { captureLogger, createTestEngine, type CapturedLog } from './engine.js'

function call(handler: ReturnType<typeof createHttpHandler>, path: string, init?: RequestInit) {
  return handler.fetch(new Request(`http://ixp.test${path}`, init))
}

const renderGreet = (): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"intent":{"name":"greet","parameters":{"name":"Ada"}}}',
})

describe('streamed bodies through the fetch handler', () => {
  it('stops pulling an endless body at the limit and cancels the stream', async () => {
    const limit = 100_000
    const chunk = new Uint8Array(16_384).fill(0x20)
    let pulled = 0
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength
        controller.enqueue(chunk)
      },
      cancel() {
        cancelled = true
      },
    })
    const handler = createHttpHandler(createTestEngine(), { bodyLimit: limit })
    const response = await call(handler, '/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect((await response.json()).error.code).toBe('PAYLOAD_TOO_LARGE')
    // What was read: the limit plus at most the chunk that crossed it and the stream's read-ahead.
    expect(pulled).toBeLessThanOrEqual(limit + 3 * chunk.byteLength)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(cancelled).toBe(true)
  })

  it('refuses bytes that are not UTF-8', async () => {
    const handler = createHttpHandler(createTestEngine())
    const response = await call(handler, '/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    })
    expect(response.status).toBe(400)
    expect((await response.json()).error.message).toContain('UTF-8')
  })
})

describe('base path', () => {
  it('serves under a custom base path and answers 404 outside it', async () => {
    const handler = createHttpHandler(createTestEngine(), { basePath: '/api/ixp/' })
    expect(handler.basePath).toBe('/api/ixp')
    expect((await call(handler, '/api/ixp/intents')).status).toBe(200)
    expect((await call(handler, '/API/IXP/intents')).status).toBe(200)
    expect((await call(handler, '/ixp/intents')).status).toBe(404)
    expect((await call(handler, '/api/ixpintents')).status).toBe(404)
    expect(handler.handles('/api/ixp/render')).toBe(true)
    expect(handler.handles('/api/other')).toBe(false)
  })

  it("serves at the root with basePath ''", async () => {
    const handler = createHttpHandler(createTestEngine(), { basePath: '' })
    expect((await call(handler, '/intents')).status).toBe(200)
    expect((await call(handler, '/render', renderGreet())).status).toBe(200)
    expect(handler.handles('/anything')).toBe(true)
  })
})

describe('option checks at start-up', () => {
  const bad: [string, HttpHandlerOptions][] = [
    ['basePath without a leading slash', { basePath: 'ixp' }],
    ['a zero body limit', { bodyLimit: 0 }],
    ['a fractional depth', { maxJsonDepth: 1.5 }],
    ['a metrics endpoint on another route', { metrics: { endpoint: '/intents' } }],
    ['a metrics endpoint without a slash', { metrics: { endpoint: 'metrics' } }],
    ['CORS origins of the wrong type', { cors: { origins: 42 as never } }],
    ['a CORS method that is no token', { cors: { methods: ['GET POST'] } }],
    ['a negative CORS max age', { cors: { maxAge: -1 } }],
    ['a security header with a newline', { securityHeaders: { 'X-Test': 'a\nb' } }],
    ['a security header name with a space', { securityHeaders: { 'X Test': 'a' } }],
    [
      'two crawler sources with one name',
      {
        crawler: {
          sources: [
            { name: 'a', list: () => [] },
            { name: 'a', list: () => [] },
          ],
        },
      },
    ],
    ['a crawler source without list()', { crawler: { sources: [{ name: 'a' } as never] } }],
  ]
  it.each(bad)('refuses %s with HTTP_INVALID_OPTIONS', (_what, options) => {
    expect(() => createHttpHandler(createTestEngine(), options)).toThrow(
      expect.objectContaining({
        code: 'HTTP_INVALID_OPTIONS',
        message: expect.stringContaining('@ixp/plugin-http'),
      }),
    )
  })

  it('exports its error table', () => {
    expect(HttpErrorCodes).toEqual({
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      REQUEST_TIMEOUT: 408,
      HEADERS_TOO_LARGE: 431,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      HTTP_INVALID_OPTIONS: 500,
      HTTP_ROUTE_CONFLICT: 500,
      HTTP_INVALID_ROUTE: 500,
    })
  })

  it("answers with its table's message templates, filled in at the throw site", async () => {
    const handler = createHttpHandler(createTestEngine())
    const messageOf = async (response: Response) =>
      ((await response.json()) as { error: { message: string } }).error
    const form = await call(handler, '/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    })
    expect(form.status).toBe(415)
    expect(await messageOf(form)).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message:
        "Content-Type 'text/plain' is not supported; send UTF-8 JSON with Content-Type: application/json",
    })
    const latin1 = await call(handler, '/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: '{}',
    })
    expect((await messageOf(latin1)).message).toBe(
      "Charset 'latin1' is not supported; send UTF-8 JSON with Content-Type: application/json",
    )
    const deleted = await call(handler, '/ixp/intents', { method: 'DELETE' })
    expect(deleted.status).toBe(405)
    expect((await messageOf(deleted)).message).toBe(
      'Method DELETE is not allowed here; use GET, HEAD, OPTIONS',
    )
    const missing = await call(handler, '/ixp/nothing')
    expect(await messageOf(missing)).toMatchObject({
      code: 'NOT_FOUND',
      message: 'The requested resource was not found',
    })
  })
})

describe('logging and debug', () => {
  it('logs nothing per request by default, one structured line per request when asked', async () => {
    const logs: CapturedLog[] = []
    const quiet = createHttpHandler(createTestEngine({ logger: captureLogger(logs) }))
    await call(quiet, '/ixp/intents')
    await call(quiet, '/ixp/nowhere')
    expect(logs).toEqual([])
    const chatty = createHttpHandler(createTestEngine({ logger: captureLogger(logs) }), { logRequests: true })
    await call(chatty, '/ixp/intents', { headers: { 'x-request-id': 'log-1' } })
    expect(logs).toEqual([
      {
        level: 'info',
        message: 'request',
        fields: expect.objectContaining({
          method: 'GET',
          path: '/ixp/intents',
          status: 200,
          requestId: 'log-1',
        }),
      },
    ])
  })

  it('logs an unexpected error with the id the caller got; debug puts the stack into the answer', async () => {
    const logs: CapturedLog[] = []
    const handler = createHttpHandler(createTestEngine({ logger: captureLogger(logs) }))
    const render = { ...renderGreet(), body: '{"intent":{"name":"explode","parameters":{}}}' }
    const body = await (await call(handler, '/ixp/render', render)).json()
    const logged = logs.find((log) => log.message === 'request failed')
    expect(logged?.fields).toMatchObject({ errorId: body.error.details.errorId, code: 'INTERNAL_ERROR' })
    expect(String(logged?.fields?.message)).toContain('hunter2')
    expect(String(logged?.fields?.stack)).toContain('engine.ts')

    const debug = createHttpHandler(createTestEngine(), { debug: true })
    const detailed = await (await call(debug, '/ixp/render', render)).json()
    expect(detailed.error.details.message).toContain('postgres')
    expect(detailed.error.details.stack).toContain('Error')
  })
})

describe('extension points', () => {
  it('discovery filters decide what /intents, /menu, /crawler_content and /openapi.json show', async () => {
    const engine = createTestEngine()
    engine.hooks.discoverIntents.tapPromise(
      { name: 'test:auth', stage: Stage.AUTH },
      async (intents, ctx, purpose) =>
        ctx.headers?.authorization || purpose === 'resolve'
          ? intents
          : intents.filter((i: IntentDefinition) => i.name !== 'pick_theme' && i.name !== 'show_weather'),
    )
    const handler = createHttpHandler(engine)
    const names = async (headers: Record<string, string> = {}) =>
      ((await (await call(handler, '/ixp/intents', { headers })).json()).intents as { name: string }[]).map(
        (i) => i.name,
      )
    expect(await names()).not.toContain('pick_theme')
    expect(await names({ authorization: 'Bearer x' })).toContain('pick_theme')
    const menu = (await (await call(handler, '/ixp/menu')).json()).menu as { intent: string }[]
    expect(menu.map((item) => item.intent)).not.toContain('pick_theme')
    const crawler = await (await call(handler, '/ixp/crawler_content')).json()
    expect(crawler.contents).toEqual([])
    const doc = await (await call(handler, '/ixp/openapi.json')).json()
    expect(doc.components.schemas['Intent.pick_theme.parameters']).toBeUndefined()
  })

  it('the context option adds fields every render sees', async () => {
    const engine = createTestEngine()
    const seen: unknown[] = []
    engine.hooks.admission.tapPromise({ name: 'test:tenant' }, async (state) => {
      seen.push(state.context.tenant)
    })
    const handler = createHttpHandler(engine, {
      context: ({ headers, path }) => ({ tenant: `${headers['x-tenant']}@${path}` }),
    })
    await call(handler, '/ixp/render', {
      ...renderGreet(),
      headers: { 'content-type': 'application/json', 'x-tenant': 'acme' },
    })
    expect(seen).toEqual(['acme@/render'])
  })

  it('answers a transport request that throws with a JSON error instead of throwing', async () => {
    const handler = createHttpHandler(createTestEngine())
    const dispatch = (handler as unknown as Record<symbol, (request: unknown) => unknown>)[DISPATCH]!
    const broken = {
      method: 'GET',
      path: '/ixp/intents',
      query: '',
      relative: false,
      header: () => {
        throw new Error('broken adapter')
      },
      headers: () => ({}),
      body: { present: false, length: 0, text: () => '' },
      signal: undefined,
      ip: undefined,
    }
    const answer = (await dispatch(broken)) as { status: number; body: string }
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.body).error.code).toBe('INTERNAL_ERROR')
    expect(answer.body).not.toContain('broken adapter')
  })

  it('answers remote records as the engine made them, or as a hook changed them', async () => {
    const engine = createTestEngine()
    engine.registerComponent({ name: 'Map', remoteUrl: 'https://cdn.example/"map".js', exportName: 'Map' })
    const parameters = { type: 'object', properties: { city: { type: 'string' } } } as const
    for (const name of ['map_plain', 'map_moved', 'map_extra', 'map_class']) {
      engine.registerIntent({ name, description: 'A map', component: 'Map', parameters })
    }
    engine.hooks.afterRender.tapPromise({ name: 'test:records' }, async (result) => {
      if (result.intent === 'map_moved') result.record = { ...result.record!, moduleUrl: 'https://b/m.js' }
      if (result.intent === 'map_extra') result.record = { ...result.record!, integrity: 'sha384-x' } as never
      if (result.intent === 'map_class') {
        // Same keys in the same order, but its own serialisation.
        class SignedRecord {
          constructor(
            readonly moduleUrl: string,
            readonly exportName: string,
            readonly props: Record<string, unknown>,
          ) {}
          toJSON() {
            return { signed: `${this.exportName}@${this.moduleUrl}` }
          }
        }
        const { moduleUrl, exportName, props } = result.record!
        result.record = new SignedRecord(moduleUrl, exportName, props) as never
      }
      return result
    })
    const handler = createHttpHandler(engine)
    const recordOf = async (name: string, city: string) => {
      const body = JSON.stringify({ intent: { name, parameters: { city } } })
      const answer = await call(handler, '/ixp/render', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      return ((await answer.json()) as { record: unknown }).record
    }
    const plain = { moduleUrl: 'https://cdn.example/"map".js', exportName: 'Map', props: { city: 'Oslo' } }
    expect(await recordOf('map_plain', 'Oslo')).toEqual(plain)
    expect(await recordOf('map_moved', 'Rome')).toEqual({
      moduleUrl: 'https://b/m.js',
      exportName: 'Map',
      props: { city: 'Rome' },
    })
    expect(await recordOf('map_plain', 'Oslo')).toEqual(plain)
    expect(await recordOf('map_class', 'Oslo')).toEqual({ signed: 'Map@https://cdn.example/"map".js' })
    expect(await recordOf('map_extra', 'Nice')).toEqual({
      ...plain,
      props: { city: 'Nice' },
      integrity: 'sha384-x',
    })
  })

  it('request ids come from a custom generator, or are neither read nor sent when disabled', async () => {
    let n = 0
    const numbered = createHttpHandler(createTestEngine(), {
      requestId: { header: 'x-trace', generate: () => `t-${++n}` },
    })
    expect((await call(numbered, '/ixp/intents')).headers.get('x-trace')).toBe('t-1')
    // A generator that throws or returns junk falls back to a generated id.
    const broken = createHttpHandler(createTestEngine(), {
      requestId: { generate: () => 'not sane' },
    })
    expect((await call(broken, '/ixp/intents')).headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}-1$/)
    // Each handler has its own random prefix, so ids of two processes do not collide.
    const prefixOf = async (handler: HttpHandler) =>
      (await call(handler, '/ixp/intents')).headers.get('x-request-id')!.split('-')[0]
    expect(await prefixOf(createHttpHandler(createTestEngine()))).not.toBe(
      await prefixOf(createHttpHandler(createTestEngine())),
    )
    const off = createHttpHandler(createTestEngine(), { requestId: false })
    expect((await call(off, '/ixp/intents')).headers.get('x-request-id')).toBeNull()
  })

  it('CORS can be switched off; OPTIONS then answers known routes with Allow only', async () => {
    const handler = createHttpHandler(createTestEngine(), { cors: false })
    const answer = await call(handler, '/ixp/intents', { headers: { origin: 'http://localhost:3000' } })
    expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    expect(answer.headers.get('vary')).toBeNull()
    const options = await call(handler, '/ixp/render', { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('allow')).toBe('POST, OPTIONS')
    expect((await call(handler, '/ixp/unknown', { method: 'OPTIONS' })).status).toBe(404)
  })

  it("CORS origins '*' without credentials send a literal *, a function decides per origin", async () => {
    const any = createHttpHandler(createTestEngine(), { cors: { origins: '*', credentials: false } })
    expect(
      (await call(any, '/ixp/intents', { headers: { origin: 'https://x.example' } })).headers.get(
        'access-control-allow-origin',
      ),
    ).toBe('*')
    const byRule = createHttpHandler(createTestEngine(), {
      cors: { origins: (origin) => origin.endsWith('.example.com') },
    })
    const allowed = await call(byRule, '/ixp/intents', { headers: { origin: 'https://a.example.com' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://a.example.com')
    const denied = await call(byRule, '/ixp/intents', { headers: { origin: 'https://example.org' } })
    expect(denied.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('failing extensions', () => {
  it('a provider or hook that throws or returns nothing is a 500 with an error id, and the handler goes on', async () => {
    const engine = createTestEngine()
    engine.hooks.discoverComponents.tapPromise({ name: 'test:broken' }, async () => {
      throw new Error('directory offline')
    })
    const handler = createHttpHandler(engine, {
      crawler: { provider: () => undefined },
      metrics: { provider: () => ({ nonsense: true }) as never },
    })
    for (const path of ['/ixp/crawler_content', '/ixp/metrics', '/ixp/components']) {
      const response = await call(handler, path)
      expect(response.status).toBe(500)
      const body = await response.json()
      expect(body.error.code).toBe('INTERNAL_ERROR')
      expect(typeof body.error.details.errorId).toBe('string')
      expect(JSON.stringify(body)).not.toContain('offline')
    }
    expect((await call(handler, '/ixp/intents')).status).toBe(200)
  })
})

describe('a logger that throws', () => {
  it('does not keep errors or logged requests from being answered', async () => {
    const broken = () => {
      throw new Error('log disk full')
    }
    const logger = { debug: broken, info: broken, warn: broken, error: broken }
    const handler = createHttpHandler(createTestEngine({ logger }), { logRequests: true })
    expect((await call(handler, '/ixp/intents')).status).toBe(200)
    const failed = await call(handler, '/ixp/render', {
      ...renderGreet(),
      body: '{"intent":{"name":"explode","parameters":{}}}',
    })
    expect(failed.status).toBe(500)
    expect((await failed.json()).error.code).toBe('INTERNAL_ERROR')
  })
})

describe('metrics', () => {
  it('a provider answers the route (Prometheus text) and still receives the counting collector', async () => {
    const handler = createHttpHandler(createTestEngine(), {
      metrics: {
        endpoint: '/stats',
        provider: (collector) => ({
          contentType: 'text/plain; version=0.0.4',
          body: `ixp_requests_total ${collector.snapshot().requests.total}\n`,
        }),
      },
    })
    await call(handler, '/ixp/intents')
    const response = await call(handler, '/ixp/stats')
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4')
    expect(await response.text()).toBe('ixp_requests_total 1\n')
    expect((await call(handler, '/ixp/metrics')).status).toBe(404)
  })

  it('metrics can be switched off (no route, no counting)', async () => {
    const handler = createHttpHandler(createTestEngine(), { metrics: { enabled: false } })
    await call(handler, '/ixp/intents')
    expect((await call(handler, '/ixp/metrics')).status).toBe(404)
    expect(handler.metrics.snapshot().requests.total).toBe(0)
  })

  it('percentiles cover the last 1000 requests', async () => {
    const handler = createHttpHandler(createTestEngine())
    for (let i = 0; i < 1_100; i++) handler.metrics.record('/x', 200, i < 100 ? 10_000 : 1, undefined)
    const snapshot = handler.metrics.snapshot()
    expect(snapshot.requests.total).toBe(1_100)
    expect(snapshot.performance.p99ResponseTime).toBe(1)
    expect(snapshot.performance.averageResponseTime).toBe(1)
  })
})

describe('OpenAPI', () => {
  it('the document is a valid OpenAPI 3.1 description whose references all resolve', async () => {
    const handler = createHttpHandler(createTestEngine())
    const doc = await (await call(handler, '/ixp/openapi.json')).json()
    const validator = new Validator()
    const result = await validator.validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
    expect(() => validator.resolveRefs()).not.toThrow()
  })

  it('shows the kind of every intent in /intents and the document (query by default)', async () => {
    const engine = createTestEngine()
    engine.registerIntent({
      name: 'restock',
      kind: 'command',
      description: 'Adds units to a stock',
      component: 'Greeting',
      parameters: { type: 'object', properties: { sku: { type: 'string' } } },
      invalidates: (p) => [`stock:${String(p.sku)}`],
    })
    const handler = createHttpHandler(engine)
    const listed = (await (await call(handler, '/ixp/intents')).json()) as {
      intents: { name: string; kind: string }[]
    }
    const kinds = new Map(listed.intents.map((intent) => [intent.name, intent.kind]))
    expect(kinds.get('restock')).toBe('command')
    expect(kinds.get('greet')).toBe('query')
    const doc = await (await call(handler, '/ixp/openapi.json')).json()
    const variants = doc.paths['/render'].post.requestBody.content['application/json'].schema.oneOf as {
      title?: string
      'x-ixp-kind'?: string
    }[]
    expect(variants.find((variant) => variant.title === 'restock')?.['x-ixp-kind']).toBe('command')
    expect(variants.find((variant) => variant.title === 'greet')?.['x-ixp-kind']).toBe('query')
    expect((await new Validator().validate(doc)).valid).toBe(true)
  })

  it('the validator rejects a broken document (the check can fail)', async () => {
    const handler = createHttpHandler(createTestEngine())
    const doc = await (await call(handler, '/ixp/openapi.json')).json()
    doc.paths['/render'].post.responses = 'none'
    expect((await new Validator().validate(doc)).valid).toBe(false)
  })

  it('follows registrations, and intents with odd names get safe schema keys', async () => {
    const engine = createTestEngine()
    const handler = createHttpHandler(engine)
    const first = await (await call(handler, '/ixp/openapi.json')).json()
    engine.registerComponent({ name: 'Plain', remoteUrl: 'https://cdn.example.com/p.js', exportName: 'P' })
    engine.registerIntent({
      name: 'odd name/with:chars',
      description: 'An intent with an unusual name',
      component: 'Plain',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
    })
    const second = await (await call(handler, '/ixp/openapi.json')).json()
    expect(Object.keys(second.components.schemas).length).toBe(
      Object.keys(first.components.schemas).length + 1,
    )
    expect(second.components.schemas['Intent.odd_name_with_chars.parameters']).toBeDefined()
    expect((await new Validator().validate(second)).valid).toBe(true)
  })

  it('can be switched off', async () => {
    const handler = createHttpHandler(createTestEngine(), { openapi: false })
    expect((await call(handler, '/ixp/openapi.json')).status).toBe(404)
  })
})
