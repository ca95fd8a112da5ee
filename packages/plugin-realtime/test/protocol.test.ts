import { afterEach, describe, expect, it } from 'vitest'
import { invalidate, serve, stockEngine, TestClient, type Running } from './helpers.js'

const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

async function start(options: Parameters<typeof serve>[1] = {}) {
  const store = { stock: new Map([['SKU-1', 3]]) }
  const server = await serve(stockEngine(store), options)
  running.push(server)
  return { server, store }
}

const stockBody = { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } }

describe('ixp.v1 handshake', () => {
  it('acknowledges connection_init with the connection id', async () => {
    const { server } = await start()
    const client = await TestClient.open(server.wsUrl)
    expect(client.ws.protocol).toBe('ixp.v1')
    client.send({ type: 'connection_init' })
    const ack = await client.next()
    expect(ack.type).toBe('connection_ack')
    expect(server.plugin.connections().map((c) => c.id)).toEqual([ack.payload.connectionId])
  })

  it('closes 4408 when no connection_init comes in time', async () => {
    const { server } = await start({ connectionInitTimeoutMs: 50 })
    const client = await TestClient.open(server.wsUrl)
    expect(await client.closed).toBe(4408)
  })

  it('closes 4401 on an operation before connection_ack', async () => {
    const { server } = await start()
    const client = await TestClient.open(server.wsUrl)
    client.send({ id: '1', type: 'render', payload: stockBody })
    expect(await client.closed).toBe(4401)
  })

  it('closes 4429 on a second connection_init', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ type: 'connection_init' })
    expect(await client.closed).toBe(4429)
  })

  it('leaves other upgrade paths to plugin-http (404)', async () => {
    const { server } = await start()
    const { WebSocket } = await import('ws')
    const ws = new WebSocket(server.wsUrl.replace('/ws', '/elsewhere'), ['ixp.v1'])
    const status = await new Promise<number | undefined>((resolve) =>
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode)),
    )
    expect(status).toBe(404)
  })

  it('closes 4406 when the client does not speak ixp.v1', async () => {
    const { server } = await start()
    const client = await TestClient.open(server.wsUrl, { protocol: null })
    expect(await client.closed).toBe(4406)
  })
})

describe('operations', () => {
  it('answers a render frame with the POST /render body under the same id', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'r-1', type: 'render', payload: stockBody })
    const result = await client.next()
    expect(result).toMatchObject({ id: 'r-1', type: 'result' })
    const http = await fetch(`${server.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(stockBody),
    })
    expect(result.payload).toEqual(await http.json())
    expect(result.payload.tree).toEqual({ type: 'p', props: {}, children: ['SKU-1: 3'] })
  })

  it('answers a resolve frame with the POST /resolve body', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'q', type: 'resolve', payload: { query: 'stock_level' } })
    const result = await client.next()
    expect(result).toMatchObject({
      id: 'q',
      type: 'result',
      payload: { matched: true, intent: 'stock_level' },
    })
  })

  it('answers a failed render with the HTTP error object under the same id', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'e', type: 'render', payload: { intent: { name: 'nope' } } })
    const error = await client.next()
    expect(error).toMatchObject({ id: 'e', type: 'error', payload: { code: 'INTENT_NOT_SUPPORTED' } })
    expect(typeof error.payload.timestamp).toBe('string')
    client.send({ id: 'v', type: 'render', payload: { intent: { name: 'stock_level', parameters: {} } } })
    expect(await client.next()).toMatchObject({
      id: 'v',
      type: 'error',
      payload: { code: 'INVALID_REQUEST' },
    })
  })

  it('answers a malformed frame with INVALID_MESSAGE and stays usable (ping → pong)', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send('{not json')
    const error = await client.next()
    expect(error).toMatchObject({ type: 'error', payload: { code: 'INVALID_MESSAGE' } })
    expect(error.payload.message).toMatch(/JSON/)
    client.send({ type: 'ping' })
    expect(await client.next()).toEqual({ type: 'pong' })
    client.send({ type: 'launch', id: 'x' })
    expect(await client.next()).toMatchObject({ type: 'error', payload: { code: 'INVALID_MESSAGE' } })
    client.send({ type: 'render', id: 'no-payload' })
    expect(await client.next()).toMatchObject({
      type: 'error',
      id: 'no-payload',
      payload: { code: 'INVALID_MESSAGE' },
    })
    client.send({ id: 'ok', type: 'render', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: 'ok', type: 'result' })
  })

  it('closes 4400 after repeated malformed frames', async () => {
    const { server } = await start({ limits: { maxInvalidMessages: 3 } })
    const client = await TestClient.connect(server.wsUrl)
    for (let i = 0; i < 4; i++) client.send('garbage')
    expect(await client.closed).toBe(4400)
    expect(client.frames.filter((frame) => frame.type === 'error')).toHaveLength(3)
  })

  it('closes 4409 when an id is reused while its operation is active', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 's', type: 'subscribe', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: 's', type: 'next' })
    client.send({ id: 's', type: 'render', payload: stockBody })
    expect(await client.closed).toBe(4409)
  })

  it('closes 1009 on a frame over maxFrameBytes', async () => {
    const { server } = await start({ limits: { maxFrameBytes: 1024 } })
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'big', type: 'render', payload: { intent: { name: 'x'.repeat(2000) } } })
    expect(await client.closed).toBe(1009)
  })

  it('refuses frames over operationsPerSecond with REALTIME_RATE_LIMITED', async () => {
    const { server } = await start({ limits: { operationsPerSecond: 3 } })
    const client = await TestClient.connect(server.wsUrl)
    for (let i = 0; i < 5; i++) client.send({ type: 'ping' })
    const frames = [
      await client.next(),
      await client.next(),
      await client.next(),
      await client.next(),
      await client.next(),
    ]
    expect(frames.filter((frame) => frame.type === 'pong')).toHaveLength(3)
    expect(frames.filter((frame) => frame.payload?.code === 'REALTIME_RATE_LIMITED')).toHaveLength(2)
  })
})

describe('live subscriptions', () => {
  it('pushes next now and again on each invalidation of its intent', async () => {
    const { server, store } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'live', type: 'subscribe', payload: stockBody })
    const first = await client.next()
    expect(first).toMatchObject({ id: 'live', type: 'next' })
    expect(first.payload.tree.children).toEqual(['SKU-1: 3'])
    store.stock.set('SKU-1', 7)
    invalidate(server.engine, { intents: ['stock_level'] })
    const second = await client.next()
    expect(second).toMatchObject({ id: 'live', type: 'next' })
    expect(second.payload.tree.children).toEqual(['SKU-1: 7'])
  })

  it('pushes next when a command invalidates one of the render’s tags', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'live', type: 'subscribe', payload: stockBody })
    expect((await client.next()).payload.tree.children).toEqual(['SKU-1: 3'])
    client.send({
      id: 'cmd',
      type: 'render',
      payload: { intent: { name: 'restock', parameters: { sku: 'SKU-1', units: 4 } } },
    })
    const frames = [await client.next(), await client.next()]
    expect(frames.find((frame) => frame.id === 'cmd')?.type).toBe('result')
    expect(frames.find((frame) => frame.id === 'live')?.payload.tree.children).toEqual(['SKU-1: 7'])
    invalidate(server.engine, { tags: ['stock:SKU-2'] })
    await client.nothingFor(100)
    invalidate(server.engine, { tags: ['stock:SKU-1'] })
    expect(await client.next()).toMatchObject({ id: 'live', type: 'next' })
  })

  it('does not re-render on an invalidation naming something else', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'live', type: 'subscribe', payload: stockBody })
    await client.next()
    invalidate(server.engine, { intents: ['greeting'], tags: ['unrelated'] })
    await client.nothingFor(150)
  })

  it('coalesces a burst of invalidations into one push', async () => {
    const { server, store } = await start({ coalesceMs: 30 })
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'live', type: 'subscribe', payload: stockBody })
    await client.next()
    for (let units = 10; units < 20; units++) {
      store.stock.set('SKU-1', units)
      invalidate(server.engine, { intents: ['stock_level'] })
    }
    const pushed = await client.next()
    expect(pushed.payload.tree.children).toEqual(['SKU-1: 19'])
    await client.nothingFor(150)
  })

  it('stops pushing after the client completes it', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'live', type: 'subscribe', payload: stockBody })
    await client.next()
    client.send({ id: 'live', type: 'complete' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    invalidate(server.engine, { intents: ['stock_level'] })
    await client.nothingFor(150)
    // The id is free again.
    client.send({ id: 'live', type: 'render', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: 'live', type: 'result' })
  })

  it('sends complete when the intent is unregistered', async () => {
    const store = { stock: new Map([['SKU-1', 1]]) }
    const engine = stockEngine(store)
    const unregister = engine.registerIntent({
      name: 'temporary',
      description: 'Goes away',
      parameters: { type: 'object' },
      component: 'StockLevel',
    })
    const server = await serve(engine)
    running.push(server)
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 't', type: 'subscribe', payload: { intent: { name: 'temporary', parameters: {} } } })
    const first = await client.next()
    expect(first, JSON.stringify(first)).toMatchObject({ id: 't', type: 'next' })
    unregister()
    expect(await client.next()).toEqual({ id: 't', type: 'complete' })
  })

  it('refuses subscriptions over limits.subscriptions', async () => {
    const { server } = await start({ limits: { subscriptions: 1 } })
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'a', type: 'subscribe', payload: stockBody })
    await client.next()
    client.send({ id: 'b', type: 'subscribe', payload: stockBody })
    expect(await client.next()).toMatchObject({
      id: 'b',
      type: 'error',
      payload: { code: 'TOO_MANY_SUBSCRIPTIONS' },
    })
  })

  it('answers a failed first render with error and frees the id', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'x', type: 'subscribe', payload: { intent: { name: 'missing' } } })
    expect(await client.next()).toMatchObject({
      id: 'x',
      type: 'error',
      payload: { code: 'INTENT_NOT_SUPPORTED' },
    })
    client.send({ id: 'x', type: 'subscribe', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: 'x', type: 'next' })
  })
})

describe('shutdown and dead peers', () => {
  it('closes every socket with 1001 when the engine closes', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    await server.engine.close()
    expect(await client.closed).toBe(1001)
  })

  it('drops a socket that does not answer heartbeats', async () => {
    const { server } = await start({ heartbeatMs: 50 })
    const { WebSocket } = await import('ws')
    const ws = new WebSocket(server.wsUrl, ['ixp.v1'], { autoPong: false })
    const client = new TestClient(ws)
    await new Promise((resolve) => ws.once('open', resolve))
    client.send({ type: 'connection_init' })
    await client.next()
    const code = await client.closed
    expect(code).toBe(1006)
    expect(server.plugin.connections()).toHaveLength(0)
  })

  it('drops a client that does not read (slow consumer) instead of queueing without bound', async () => {
    const { server } = await start({ limits: { maxBufferedBytes: 64 * 1024 }, authorizeRoom: () => true })
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'j', type: 'join', payload: { room: 'flood' } })
    await client.next()
    const socket = (client.ws as unknown as { _socket: { pause(): void } })._socket
    socket.pause()
    const chunk = 'x'.repeat(16 * 1024)
    for (let i = 0; i < 2000 && server.plugin.connections().length > 0; i++) {
      server.plugin.broadcast('flood', 'data', chunk)
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(server.plugin.connections()).toHaveLength(0)
  })
})
