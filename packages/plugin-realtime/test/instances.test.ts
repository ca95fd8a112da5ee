/** Two instances sharing Redis (REDIS_URL, or the local one): rooms, users, broadcasts and invalidations. */
import { afterEach, describe, expect, it } from 'vitest'
import {
  invalidate,
  REDIS_URL,
  redisSkipReason,
  serve,
  stockEngine,
  TestClient,
  type Running,
} from './helpers.js'

const skip = await redisSkipReason()
const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

/** Two instances on one (fresh) channel, over one shared stock store. */
async function pair() {
  const channel = `ixp:realtime:test:${crypto.randomUUID()}`
  const store = { stock: new Map([['SKU-1', 3]]) }
  const options = {
    redis: REDIS_URL,
    channel,
    authorizeRoom: () => true,
    authenticate: (ctx: { headers?: Record<string, string | undefined> }) =>
      ctx.headers?.['x-user'] === undefined ? undefined : { id: ctx.headers['x-user'] },
  }
  const a = await serve(stockEngine(store), options)
  running.push(a)
  const b = await serve(stockEngine(store), options)
  running.push(b)
  return { a, b, store }
}

describe.skipIf(skip !== undefined)(
  `across instances through Redis${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('delivers room broadcasts, broadcastAll and sendToUser made on B to sockets on A', async () => {
      const { a, b } = await pair()
      const client = await TestClient.connect(a.wsUrl, { 'x-user': 'alice' })
      client.send({ id: 'j', type: 'join', payload: { room: 'portland' } })
      await client.next()
      expect(b.plugin.broadcast('portland', 'restocked', { sku: 'SKU-1' })).toBe(0)
      expect(await client.next()).toEqual({
        type: 'event',
        payload: { room: 'portland', event: 'restocked', data: { sku: 'SKU-1' } },
      })
      b.plugin.broadcastAll('notice', 1)
      expect(await client.next()).toEqual({ type: 'event', payload: { event: 'notice', data: 1 } })
      b.plugin.sendToUser('alice', 'dm', 'hi')
      expect(await client.next()).toEqual({ type: 'event', payload: { event: 'dm', data: 'hi' } })
      b.plugin.sendToUser('bob', 'dm', 'not for alice')
      b.plugin.broadcast('boise', 'restocked', {})
      await client.nothingFor(100)
    })

    it('re-renders a subscription on A when B invalidates its intent', async () => {
      const { a, b, store } = await pair()
      const client = await TestClient.connect(a.wsUrl)
      client.send({
        id: 'live',
        type: 'subscribe',
        payload: { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } },
      })
      expect((await client.next()).payload.tree.children).toEqual(['SKU-1: 3'])
      store.stock.set('SKU-1', 12)
      invalidate(b.engine, { tags: ['stock:SKU-1'] })
      const pushed = await client.next(1000)
      expect(pushed).toMatchObject({ id: 'live', type: 'next' })
      expect(pushed.payload.tree.children).toEqual(['SKU-1: 12'])
    })

    it('does not relay invalidations that arrived from another instance back (no echo storm)', async () => {
      const { a, b } = await pair()
      const client = await TestClient.connect(a.wsUrl)
      client.send({
        id: 'live',
        type: 'subscribe',
        payload: { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } },
      })
      await client.next()
      invalidate(b.engine, { intents: ['stock_level'] })
      await client.next(1000)
      await client.nothingFor(200)
    })
  },
)
