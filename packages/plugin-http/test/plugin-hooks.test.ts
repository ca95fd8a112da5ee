/**
 * `httpHooks(engine)`: the route table plugins build (clashes, replacement, malformed routes, plugins applied
 * after the handler was made), the metrics provider hook, and connection upgrades — a real WebSocket (`ws`)
 * through `createNodeServer`, Express with `attachUpgrades`, raw sockets for refusals, and the web path.
 */
import { connect, type AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { IxpError, type Engine, type IxpPlugin } from '@ixp/core'
import { createHttpHandler, httpHooks, type HttpRoute } from '@ixp/plugin-http'
import { ixpExpress } from '@ixp/plugin-http/express'
import { attachUpgrades, createNodeServer } from '@ixp/plugin-http/node'
import { createTestEngine } from './engine.js'

const closing: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closing.splice(0)) await close()
})

function routesPlugin(name: string, routes: HttpRoute[]): IxpPlugin {
  return {
    name,
    apply(engine) {
      httpHooks(engine).routes.tap(name, (list) => [...list, ...routes])
    },
  }
}

const hello = (text: string): HttpRoute => ({
  method: 'GET',
  path: '/hello',
  handler: () => new Response(text),
})

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closing.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return (server.address() as AddressInfo).port
}

describe('the route table', () => {
  it('refuses a plugin route that clashes with a built-in one, naming both, at ready()', async () => {
    const engine = createTestEngine()
    createHttpHandler(engine)
    engine.use(routesPlugin('health-plugin', [{ ...hello('mine'), path: '/health' }]))
    const error = await engine.ready().then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(IxpError)
    expect((error as IxpError).code).toBe('HTTP_ROUTE_CONFLICT')
    expect((error as IxpError).message).toMatch(
      /'health-plugin' adds GET \/health.*'@ixp\/plugin-http'.*replace: true/,
    )
  })

  it('refuses two plugins serving the same route when the handler is made after ready()', async () => {
    const engine = createTestEngine({
      plugins: [routesPlugin('first', [hello('1')]), routesPlugin('second', [hello('2')])],
    })
    await engine.ready()
    expect(() => createHttpHandler(engine)).toThrow(/'second' adds GET \/hello, which 'first' already serves/)
  })

  it('lets a plugin replace a built-in route when it says so', async () => {
    const engine = createTestEngine({
      plugins: [routesPlugin('health-plugin', [{ ...hello('all good'), path: '/health', replace: true }])],
    })
    const handler = createHttpHandler(engine)
    const response = await handler.fetch(new Request('http://x/ixp/health'))
    expect(await response.text()).toBe('all good')
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })

  it('names the plugin and the fault of a malformed route', async () => {
    const engine = createTestEngine()
    await engine.ready()
    engine.use(routesPlugin('sloppy', [{ ...hello('x'), method: 'FETCH' as 'GET' }]))
    await engine.ready()
    expect(() => createHttpHandler(engine)).toThrow(/a route added by 'sloppy' has method FETCH/)
    const other = createTestEngine({
      plugins: [routesPlugin('pathless', [{ ...hello('x'), path: 'hello' }])],
    })
    await other.ready()
    expect(() => createHttpHandler(other)).toThrow(/'pathless' has path hello/)
  })

  it('serves routes of a plugin installed after ready() and after the handler was made', async () => {
    const engine = createTestEngine()
    await engine.ready()
    const handler = createHttpHandler(engine)
    expect((await handler.fetch(new Request('http://x/ixp/hello'))).status).toBe(404)
    engine.use(routesPlugin('late', [hello('late hello')]))
    await engine.ready()
    expect(await (await handler.fetch(new Request('http://x/ixp/hello'))).text()).toBe('late hello')
  })

  it('stops serving the routes of a plugin removed with engine.unuse()', async () => {
    const engine = createTestEngine({ plugins: [routesPlugin('removable', [hello('here')])] })
    const handler = createHttpHandler(engine)
    expect(await (await handler.fetch(new Request('http://x/ixp/hello'))).text()).toBe('here')
    await engine.unuse('removable')
    expect((await handler.fetch(new Request('http://x/ixp/hello'))).status).toBe(404)
  })

  it('answers a route that returns no Response with a 500 and no leak', async () => {
    const engine = createTestEngine({
      plugins: [routesPlugin('broken', [{ ...hello('x'), handler: () => 'text' as unknown as Response }])],
    })
    const response = await createHttpHandler(engine).fetch(new Request('http://x/ixp/hello'))
    expect(response.status).toBe(500)
    const body = (await response.json()) as { error: { code: string; details: { errorId: string } } }
    expect(body.error.code).toBe('INTERNAL_ERROR')
    expect(body.error.details.errorId).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('the metrics provider hook', () => {
  const providing: IxpPlugin = {
    name: 'metrics-plugin',
    apply(engine) {
      httpHooks(engine).metricsProvider.tap(
        'metrics-plugin',
        (given) =>
          given ??
          ((collector) => ({
            contentType: 'text/plain',
            body: `total ${collector.snapshot().requests.total}\n`,
          })),
      )
    },
  }

  it('serves the provider a plugin gives', async () => {
    const handler = createHttpHandler(createTestEngine({ plugins: [providing] }))
    const response = await handler.fetch(new Request('http://x/ixp/metrics'))
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toMatch(/^total \d+\n$/)
  })

  it("lets the handler's own metrics.provider option win", async () => {
    const handler = createHttpHandler(createTestEngine({ plugins: [providing] }), {
      metrics: { provider: () => ({ contentType: 'application/json', body: '{"own":true}' }) },
    })
    expect(await (await handler.fetch(new Request('http://x/ixp/metrics'))).json()).toEqual({ own: true })
  })
})

/** A plugin answering WebSocket upgrades at `/ws` with `ws`, refusing `/private`, throwing at `/broken`. */
function socketPlugin(): IxpPlugin {
  const sockets = new WebSocketServer({ noServer: true })
  return {
    name: 'sockets',
    apply(engine) {
      httpHooks(engine).upgrade.tap('sockets', (upgrade) => {
        if (upgrade.path === '/private') return new Response('{"error":"no"}', { status: 401 })
        if (upgrade.path === '/broken') throw new Error('socket plugin bug')
        if (upgrade.path !== '/ws' || upgrade.node === undefined) return undefined
        const { request, socket, head } = upgrade.node
        sockets.handleUpgrade(request, socket, head, (ws) => {
          ws.send(`hello ${upgrade.context.requestId} ${upgrade.request.headers.get('x-client')}`)
          ws.on('message', (data) => ws.send(`echo ${String(data)}`))
        })
        return true
      })
      return () => sockets.close()
    },
  }
}

/** Sends a raw upgrade request and reads the answer until the server closes the socket. */
function rawUpgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      )
    })
    let text = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    socket.on('close', () => resolve(text))
    socket.on('error', reject)
    setTimeout(() => reject(new Error(`no close after ${text}`)), 5_000).unref()
  })
}

async function talk(url: string): Promise<string[]> {
  const ws = new WebSocket(url, { headers: { 'x-client': 'vitest', 'x-request-id': 'ws-1' } })
  const messages: string[] = []
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      messages.push(String(data))
      if (messages.length === 1) ws.send('ping')
      else ws.close()
    })
    ws.on('close', () => resolve())
    ws.on('error', reject)
  })
  return messages
}

describe('connection upgrades', () => {
  async function nodeServer(engine: Engine = createTestEngine({ plugins: [socketPlugin()] })) {
    closing.push(() => engine.close())
    return listen(createNodeServer(engine))
  }

  it('hands a WebSocket upgrade to the plugin that takes it (createNodeServer)', async () => {
    const port = await nodeServer()
    expect(await talk(`ws://127.0.0.1:${port}/ixp/ws`)).toEqual(['hello ws-1 vitest', 'echo ping'])
  })

  it('answers an upgrade nobody takes with a JSON 404 and closes the socket', async () => {
    const port = await nodeServer()
    const answer = await rawUpgrade(port, '/ixp/elsewhere')
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/)
    expect(answer).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/)
    expect(answer).toMatch(/\r\nx-content-type-options: nosniff\r\n/)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } }
    expect(body.error.code).toBe('NOT_FOUND')
    expect(await rawUpgrade(port, '/outside')).toMatch(/^HTTP\/1\.1 404 /)
  })

  it("writes a tap's refusal, and a throwing tap's 500 without its message", async () => {
    const port = await nodeServer()
    const refused = await rawUpgrade(port, '/ixp/private')
    expect(refused).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/)
    expect(refused.endsWith('{"error":"no"}')).toBe(true)
    const broken = await rawUpgrade(port, '/ixp/broken')
    expect(broken).toMatch(/^HTTP\/1\.1 500 /)
    expect(broken).toContain('"INTERNAL_ERROR"')
    expect(broken).not.toContain('socket plugin bug')
  })

  it('reaches plugins on an Express server through attachUpgrades', async () => {
    const engine = createTestEngine({ plugins: [socketPlugin()] })
    closing.push(() => engine.close())
    const handler = createHttpHandler(engine)
    const app = express()
    app.use('/ixp', ixpExpress(handler))
    const server = createServer(app)
    attachUpgrades(server, handler)
    const port = await listen(server)
    expect(await talk(`ws://127.0.0.1:${port}/ixp/ws`)).toEqual(['hello ws-1 vitest', 'echo ping'])
    expect(await rawUpgrade(port, '/ixp/nothing')).toMatch(/^HTTP\/1\.1 404 /)
  })

  it('offers Upgrade: websocket requests to the taps on the fetch path and returns their Response', async () => {
    const offered: string[] = []
    const engine = createTestEngine({
      plugins: [
        {
          name: 'web-sockets',
          apply(engine) {
            httpHooks(engine).upgrade.tap('web-sockets', (upgrade) => {
              offered.push(upgrade.path)
              return upgrade.path === '/ws'
                ? new Response(null, { status: 204, headers: { 'x-upgraded': 'yes' } })
                : undefined
            })
          },
        },
      ],
    })
    const handler = createHttpHandler(engine)
    const upgrade = { headers: { upgrade: 'websocket', connection: 'Upgrade' } }
    const taken = await handler.fetch(new Request('http://x/ixp/ws', upgrade))
    expect(taken.status).toBe(204)
    expect(taken.headers.get('x-upgraded')).toBe('yes')
    // Not taken: answered as any request.
    expect((await handler.fetch(new Request('http://x/ixp/intents', upgrade))).status).toBe(200)
    expect((await handler.fetch(new Request('http://x/ixp/ws'))).status).toBe(404)
    expect(offered).toEqual(['/ws', '/intents'])
  })
})
