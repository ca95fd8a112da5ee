/**
 * What only a real connection shows: reading stops at the body limit, a client that goes away aborts the
 * render, the graceful close, HEAD lengths and the client address.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpHandler } from '@ixp/plugin-http'
import { createNodeServer, type IxpNodeServer } from '@ixp/plugin-http/node'
import { createTestEngine, observed } from './engine.js'

const servers: IxpNodeServer[] = []

async function start(options: Parameters<typeof createNodeServer>[1] = {}, engine = createTestEngine()) {
  const server = createNodeServer(engine, options)
  servers.push(server)
  const sockets: Socket[] = []
  server.on('connection', (socket) => sockets.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port, sockets }
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('node:http body limit', () => {
  it('stops reading a streamed body at the limit and answers 413 with Connection: close', async () => {
    const limit = 256 * 1024
    const { port, sockets } = await start({ bodyLimit: limit })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    let written = 0
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/ixp/render',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      })
      req.on('response', resolve)
      req.on('error', reject)
      req.write('{"intent":{"name":"greet","parameters":{"name":"')
      // Keeps writing (with backpressure) for as long as the server takes bytes: an endless body.
      const pump = () => {
        while (!req.destroyed) {
          written += chunk.length
          if (!req.write(chunk)) {
            req.once('drain', pump)
            return
          }
        }
      }
      pump()
    })
    const body = await new Promise<string>((resolve) => {
      let text = ''
      response.setEncoding('utf8').on('data', (part: string) => (text += part))
      response.on('end', () => resolve(text))
    })
    expect(response.statusCode).toBe(413)
    expect(response.headers.connection).toBe('close')
    expect(JSON.parse(body).error.code).toBe('PAYLOAD_TOO_LARGE')
    await sleep(200)
    const bytesRead = Math.max(...sockets.map((socket) => socket.bytesRead))
    // The server read the limit plus what was in flight in one read, not the megabytes the client pushed.
    expect(bytesRead).toBeLessThan(limit + 512 * 1024)
    expect(written).toBeGreaterThan(limit)
  })

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const { port, sockets } = await start({ bodyLimit: 1024 })
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(
      'POST /ixp/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{"intent":',
    )
    const answer = await new Promise<string>((resolve) => {
      let text = ''
      socket.setEncoding('utf8').on('data', (part: string) => (text += part))
      socket.on('close', () => resolve(text))
    })
    expect(answer.startsWith('HTTP/1.1 413')).toBe(true)
    expect(answer).toContain('"PAYLOAD_TOO_LARGE"')
    expect(Math.max(...sockets.map((s) => s.bytesRead))).toBeLessThan(1024)
  })
})

describe('node:http aborts', () => {
  it('aborts the render when the client goes away, and keeps serving', async () => {
    const { port } = await start()
    const before = observed.aborted
    const startedBefore = observed.started
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    const body = '{"intent":{"name":"slow_report","parameters":{}}}'
    socket.write(
      `POST /ixp/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    )
    for (let i = 0; i < 50 && observed.started === startedBefore; i++) await sleep(10)
    expect(observed.started).toBe(startedBefore + 1)
    socket.destroy()
    for (let i = 0; i < 50 && observed.aborted === before; i++) await sleep(10)
    expect(observed.aborted).toBe(before + 1)
    const health = await fetch(`http://127.0.0.1:${port}/ixp/health`)
    expect(health.status).toBe(200)
  })

  it('ends a body read when the client goes away mid-body, for each request of a connection', async () => {
    const { port } = await start()
    const body = '{"intent":{"name":"greet","parameters":{"name":"Ada"}}}'
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    // A whole request first (its body read ends normally), then one whose body never completes.
    const head = `POST /ixp/render HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length:`
    socket.write(`${head} ${body.length}\r\n\r\n${body}`)
    await new Promise((resolve) => socket.once('data', resolve))
    socket.write(`${head} ${body.length + 100}\r\n\r\n${body}`)
    await sleep(50)
    socket.destroy()
    const aborted = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/ixp/metrics`)).json()
      return (metrics as { errors: { byType: Record<string, number> } }).errors.byType.ABORTED ?? 0
    }
    for (let i = 0; i < 50 && (await aborted()) === 0; i++) await sleep(10)
    expect(await aborted()).toBe(1)
  })

  it('the fetch handler hands the request signal to the render', async () => {
    const handler = createHttpHandler(createTestEngine())
    const controller = new AbortController()
    const before = observed.aborted
    const pending = handler.fetch(
      new Request('http://ixp.test/ixp/render', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"intent":{"name":"slow_report","parameters":{}}}',
        signal: controller.signal,
      }),
    )
    await sleep(50)
    controller.abort()
    const response = await pending
    expect(response.status).toBe(499)
    expect((await response.json()).error.code).toBe('ABORTED')
    await sleep(20)
    expect(observed.aborted).toBe(before + 1)
  })
})

describe('createNodeServer graceful close', () => {
  it('stops accepting, lets requests in flight finish with Connection: close, then resolves', async () => {
    const { server, port } = await start()
    const inFlight = fetch(`http://127.0.0.1:${port}/ixp/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"intent":{"name":"slow_report","parameters":{}}}',
    })
    await sleep(100)
    const started = Date.now()
    const closed = server.closeGracefully(5_000)
    await sleep(50)
    await expect(fetch(`http://127.0.0.1:${port}/ixp/health`)).rejects.toThrow()
    const response = await inFlight
    expect(response.status).toBe(200)
    expect(response.headers.get('connection')).toBe('close')
    await closed
    expect(Date.now() - started).toBeLessThan(4_000)
    expect(server.listening).toBe(false)
  })

  it('cuts what is left at the deadline', async () => {
    const { server, port } = await start()
    const inFlight = fetch(`http://127.0.0.1:${port}/ixp/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"intent":{"name":"slow_report","parameters":{}}}',
    }).then(
      (response) => response.status,
      () => 'cut',
    )
    await sleep(100)
    const started = Date.now()
    await server.closeGracefully(100)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await inFlight).toBe('cut')
  })

  it('closes idle keep-alive connections at once', async () => {
    const { server, port } = await start()
    expect((await fetch(`http://127.0.0.1:${port}/ixp/health`)).status).toBe(200)
    const started = Date.now()
    await server.closeGracefully(5_000)
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})

describe('node:http details', () => {
  it('HEAD sends the headers of GET, with its Content-Length, and no body', async () => {
    const { port } = await start()
    const get = await fetch(`http://127.0.0.1:${port}/ixp/theme`)
    const length = Buffer.byteLength(await get.text())
    const head = await new Promise<IncomingMessage>((resolve) =>
      httpRequest({ port, host: '127.0.0.1', method: 'HEAD', path: '/ixp/theme' }, resolve).end(),
    )
    expect(head.statusCode).toBe(200)
    expect(Number(head.headers['content-length'])).toBe(length)
  })

  it('puts the client address into the context, from X-Forwarded-For only when trusted', async () => {
    const seen: unknown[] = []
    const engine = createTestEngine()
    engine.hooks.admission.tapPromise({ name: 'test:ip' }, async (state) => {
      seen.push(state.context.ip)
    })
    const render = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
      body: '{"intent":{"name":"greet","parameters":{"name":"Ada"}}}',
    }
    const direct = await start({}, engine)
    await fetch(`http://127.0.0.1:${direct.port}/ixp/render`, render)
    // One hop (the socket's peer is the proxy): the entry it appended, the rightmost, is the client.
    const oneHop = await start({ trustProxy: 1 }, engine)
    await fetch(`http://127.0.0.1:${oneHop.port}/ixp/render`, render)
    const twoHops = await start({ trustProxy: 2 }, engine)
    await fetch(`http://127.0.0.1:${twoHops.port}/ixp/render`, render)
    const ranges = await start({ trustProxy: ['127.0.0.1', '10.0.0.0/8'] }, engine)
    await fetch(`http://127.0.0.1:${ranges.port}/ixp/render`, render)
    // Rotating the leftmost entry (what a client writes) does not change the address behind one trusted hop.
    for (const forged of ['1.1.1.1', '2.2.2.2']) {
      await fetch(`http://127.0.0.1:${oneHop.port}/ixp/render`, {
        ...render,
        headers: { ...render.headers, 'x-forwarded-for': `${forged}, 198.51.100.7` },
      })
    }
    expect(seen).toEqual([
      '127.0.0.1',
      '10.0.0.1',
      '203.0.113.9',
      '203.0.113.9',
      '198.51.100.7',
      '198.51.100.7',
    ])
  })

  it('refuses trustProxy: true (the leftmost X-Forwarded-For entry is client-chosen) and bad ranges', () => {
    const engine = createTestEngine()
    expect(() => createNodeServer(engine, { trustProxy: true as never })).toThrow(
      expect.objectContaining({
        code: 'HTTP_INVALID_OPTIONS',
        message: expect.stringContaining('any client can write'),
      }),
    )
    expect(() => createNodeServer(engine, { trustProxy: ['10.0.0.0/40'] })).toThrow(
      expect.objectContaining({
        code: 'HTTP_INVALID_OPTIONS',
        message: expect.stringContaining('10.0.0.0/40'),
      }),
    )
  })
})
