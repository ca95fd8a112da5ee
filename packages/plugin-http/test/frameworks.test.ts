/** How each framework adapter lives with the rest of an application (beyond the shared suite). */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import express from 'express'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpHandler } from '@ixp/plugin-http'
import { ixpExpress } from '@ixp/plugin-http/express'
import { ixpFastify } from '@ixp/plugin-http/fastify'
import { ixpHono } from '@ixp/plugin-http/hono'
import { createTestEngine } from './engine.js'
import { listening } from './transports.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const greet = JSON.stringify({ intent: { name: 'greet', parameters: { name: 'Ada' } } })
const postJson = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
})

async function expressApp(setup: (app: express.Express) => void) {
  const app = express()
  setup(app)
  const server = await listening(createServer(app))
  cleanups.push(server.close)
  return server
}

describe('Express', () => {
  it('without a mount path, answers under the base path and passes everything else on', async () => {
    const server = await expressApp((app) => {
      app.use(ixpExpress(createTestEngine()))
      app.get('/hello', (_req, res) => {
        res.send('hi')
      })
    })
    expect((await server.request('/ixp/render', postJson(greet))).status).toBe(200)
    const hello = await server.request('/hello')
    expect(await hello.text()).toBe('hi')
    expect(hello.headers.get('x-powered-by')).toBe('Express')
    const ixp = await server.request('/ixp/intents')
    expect(ixp.headers.get('x-powered-by')).toBeNull()
  })

  it('parses bodies express.raw() or express.text() read first, with the same checks', async () => {
    for (const parser of [
      express.raw({ type: 'application/json' }),
      express.text({ type: 'application/json' }),
    ]) {
      const server = await expressApp((app) => {
        app.use(parser)
        app.use('/ixp', ixpExpress(createTestEngine()))
      })
      expect((await server.request('/ixp/render', postJson(greet))).status).toBe(200)
      const polluted = await server.request(
        '/ixp/render',
        postJson('{"__proto__":{},"intent":{"name":"greet"}}'),
      )
      expect(polluted.status).toBe(400)
      const array = await server.request('/ixp/render', postJson('[1]'))
      expect((await array.json()).error.message).toContain('must be a JSON object')
    }
  })

  it("answers express.json()'s own failures as IXP errors and leaves other errors to Express", async () => {
    const server = await expressApp((app) => {
      app.use(express.json({ limit: 100 }))
      app.use('/boom', () => {
        throw new Error('not ours')
      })
      app.use(ixpExpress(createTestEngine()))
      app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).send(`app handler: ${error.message}`)
      })
    })
    const tooLarge = await server.request(
      '/ixp/render',
      postJson(JSON.stringify({ intent: { name: 'greet', parameters: { name: 'x'.repeat(200) } } })),
    )
    expect(tooLarge.status).toBe(413)
    expect((await tooLarge.json()).error.code).toBe('PAYLOAD_TOO_LARGE')
    const malformed = await server.request('/ixp/render', postJson('{"intent":'))
    expect(malformed.status).toBe(400)
    expect(malformed.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await malformed.json()).error.code).toBe('INVALID_REQUEST')
    const other = await server.request('/boom')
    expect(await other.text()).toBe('app handler: not ours')
  })
})

describe('Fastify', () => {
  async function fastifyApp(setup: (app: FastifyInstance) => Promise<void>) {
    const app = Fastify()
    await setup(app)
    await app.listen({ port: 0, host: '127.0.0.1' })
    cleanups.push(() => app.close())
    const { port } = app.server.address() as AddressInfo
    return (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init)
  }

  it('keeps its content-type parsers to itself: the application still parses JSON and forms its way', async () => {
    const request = await fastifyApp(async (app) => {
      app.post('/echo', async (req: FastifyRequest) => ({ got: req.body }))
      await app.register(ixpFastify, { engine: createTestEngine(), prefix: '/ixp' })
    })
    expect(await (await request('/echo', postJson('{"a":1}'))).json()).toEqual({ got: { a: 1 } })
    expect((await request('/ixp/render', postJson(greet))).status).toBe(200)
    const form = await request('/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
    expect(form.status).toBe(415)
    // Fastify refuses an unknown media type for its own routes, as before the plugin came.
    expect(
      (await request('/echo', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' }))
        .status,
    ).toBe(415)
  })

  it("runs the application's hooks for IXP routes and serves under the handler's base path without a prefix", async () => {
    const seen: string[] = []
    const request = await fastifyApp(async (app) => {
      app.addHook('onRequest', async (req: FastifyRequest) => {
        seen.push(req.url)
      })
      app.get('/', async () => 'home')
      await app.register(ixpFastify, { handler: createHttpHandler(createTestEngine()) })
    })
    expect((await request('/ixp/intents')).status).toBe(200)
    expect((await request('/ixp/nowhere')).status).toBe(404)
    expect(await (await request('/')).text()).toBe('home')
    expect((await request('/elsewhere')).status).toBe(404)
    expect(seen).toEqual(['/ixp/intents', '/ixp/nowhere', '/', '/elsewhere'])
  })
})

describe('Hono', () => {
  it('passes other paths on, and reads a body an earlier handler already took through Hono', async () => {
    const app = new Hono()
    const peeked: unknown[] = []
    app.use('/ixp/*', async (c, next) => {
      if (c.req.method === 'POST') peeked.push(await c.req.json())
      await next()
    })
    app.use(ixpHono(createTestEngine()))
    app.get('/hello', (c) => c.text('hi'))
    expect(await (await app.request('/hello')).text()).toBe('hi')
    const rendered = await app.request('/ixp/render', postJson(greet))
    expect(rendered.status).toBe(200)
    expect(peeked).toEqual([JSON.parse(greet)])
    expect((await app.request('/ixp/render', postJson('{"__proto__":{}}'))).status).toBe(400)
  })

  it('runs on @hono/node-server with the client address from the runtime', async () => {
    const engine = createTestEngine()
    const addresses: unknown[] = []
    engine.hooks.admission.tapPromise({ name: 'test:ip' }, async (state) => {
      addresses.push(state.context.ip)
    })
    const app = new Hono<{ Bindings: { incoming: { socket: { remoteAddress?: string } } } }>()
    app.use(
      ixpHono(engine, {
        ip: (c) =>
          (c.env as { incoming: { socket: { remoteAddress?: string } } }).incoming.socket.remoteAddress,
      }),
    )
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((resolve) => server.once('listening', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    const { port } = server.address() as AddressInfo
    const response = await fetch(`http://127.0.0.1:${port}/ixp/render`, postJson(greet))
    expect(response.status).toBe(200)
    expect(addresses).toEqual(['127.0.0.1'])
  })
})
