/**
 * Two instances sharing Redis, each with `cache({ store: redisStore })` and `realtime({ redis })`: a live
 * subscription on A follows a `restock` command sent over HTTP to B.
 */
import { cache } from '@ixp/plugin-cache'
import { redisStore } from '@ixp/plugin-cache/redis'
import { afterEach, describe, expect, it } from 'vitest'
import { REDIS_URL, redisSkipReason, serve, stockEngine, TestClient, type Running } from './helpers.js'

const skip = await redisSkipReason()
const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

describe.skipIf(skip !== undefined)(`two instances sharing Redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('pushes the new stock to a subscriber on A within a second of a restock on B', async () => {
    const run = crypto.randomUUID().slice(0, 8)
    // The data both instances serve (their shared database).
    const store = { stock: new Map([['SKU-1', 3]]) }
    const instance = async () => {
      const server = await serve(
        stockEngine(store),
        { redis: REDIS_URL, channel: `ixp:realtime:test:${run}` },
        [cache({ store: redisStore({ url: REDIS_URL, prefix: `ixp:cache:test:${run}:` }) })],
      )
      running.push(server)
      return server
    }
    const a = await instance()
    const b = await instance()

    const client = await TestClient.open(a.wsUrl)
    expect(client.ws.protocol).toBe('ixp.v1')
    client.send({ type: 'connection_init' })
    expect(await client.next()).toMatchObject({ type: 'connection_ack' })

    const stockLevel = { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } }
    client.send({ id: 'live', type: 'subscribe', payload: stockLevel })
    const first = await client.next()
    expect(first).toMatchObject({ id: 'live', type: 'next' })
    expect(first.payload.tree.children).toEqual(['SKU-1: 3'])
    // A second render on A is a cache hit now: the push below must not be served from the cache.
    const cached = await fetch(`${a.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(stockLevel),
    })
    expect(cached.headers.get('x-ixp-cache')).toBe('hit')

    const sentAt = performance.now()
    const restock = await fetch(`${b.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent: { name: 'restock', parameters: { sku: 'SKU-1', units: 5 } } }),
    })
    expect(restock.status).toBe(200)
    const pushed = await client.next(1000)
    expect(performance.now() - sentAt).toBeLessThan(1000)
    expect(pushed).toMatchObject({ id: 'live', type: 'next' })
    expect(pushed.payload.tree.children).toEqual(['SKU-1: 8'])

    client.send({ id: 'once', type: 'render', payload: stockLevel })
    expect(await client.next()).toMatchObject({
      id: 'once',
      type: 'result',
      payload: { tree: { children: ['SKU-1: 8'] } },
    })

    client.send('{not json')
    expect(await client.next()).toMatchObject({ type: 'error', payload: { code: 'INVALID_MESSAGE' } })
    client.send({ type: 'ping' })
    expect(await client.next()).toEqual({ type: 'pong' })
  })
})
