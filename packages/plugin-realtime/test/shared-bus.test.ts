/**
 * Two instances with `cache({ store: redisStore })` and `realtime()`: realtime shares the cache store's bus
 * (`@ixp/core`'s `sharedBus`) whatever the order the plugins were installed in — one subscribed Redis connection
 * per instance, and an invalidation crosses once. Connections are told apart by the `connectionName` each
 * instance's URL carries; messages are counted on a pattern subscription to the test's own prefix.
 */
import type { Engine } from '@ixp/core'
import { sharedBus } from '@ixp/core/plugin-kit'
import { cache } from '@ixp/plugin-cache'
import { redisStore } from '@ixp/plugin-cache/redis'
import { Redis } from 'ioredis'
import { namedRedisUrl, redisClientsNamed } from '../../plugin-cache/test/redis-clients.js'
import { afterEach, describe, expect, it } from 'vitest'
import { realtime } from '../src/index.js'
import { REDIS_URL, redisSkipReason, serve, stockEngine, TestClient, type Running } from './helpers.js'

const skip = await redisSkipReason()
const running: Running[] = []
const closers: (() => unknown)[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
  await Promise.all(closers.splice(0).map((close) => close()))
})

/** Every message published on a channel under `prefix`, as [channel, text]. */
async function messagesUnder(prefix: string): Promise<[string, string][]> {
  const listener = new Redis(REDIS_URL)
  const seen: [string, string][] = []
  listener.on('pmessage', (_pattern: string, channel: string, text: string) => seen.push([channel, text]))
  await listener.psubscribe(`${prefix}*`)
  closers.push(() => listener.disconnect())
  return seen
}

/** Two instances over one shared stock; A installs the cache first, B installs realtime first. */
async function pair(shareBus = true) {
  const run = crypto.randomUUID().slice(0, 8)
  const prefix = `ixp:realtime:shared-test:${run}:`
  const names = { a: `ixp-rt-test-${run}-a`, b: `ixp-rt-test-${run}-b` }
  const store = { stock: new Map([['SKU-1', 3]]) }
  const instance = (name: string, realtimeFirst: boolean) =>
    serve(
      stockEngine(store),
      {
        // Given, as an application with both plugins would: the cache's bus is used instead.
        redis: namedRedisUrl(REDIS_URL, name),
        shareBus,
        channel: `${prefix}realtime`,
        authorizeRoom: () => true,
        authenticate: (ctx: { headers?: Record<string, string | undefined> }) =>
          ctx.headers?.['x-user'] === undefined ? undefined : { id: ctx.headers['x-user'] },
      },
      [
        cache({
          store: redisStore({
            url: namedRedisUrl(REDIS_URL, name),
            prefix: `${prefix}cache:`,
            commandTimeoutMs: 1_000,
          }),
        }),
      ],
      { realtimeFirst },
    )
  const a = await instance(names.a, false)
  running.push(a)
  const b = await instance(names.b, true)
  running.push(b)
  return { a, b, names, prefix }
}

const stockLevel = { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } }

async function restockOver(http: string): Promise<void> {
  const answer = await fetch(`${http}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ intent: { name: 'restock', parameters: { sku: 'SKU-1', units: 5 } } }),
  })
  expect(answer.status).toBe(200)
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 150))

describe.skipIf(skip !== undefined)(
  `realtime on the cache's Redis bus${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it("delivers rooms, sendToUser and a command's invalidation across instances on the cache's bus", async () => {
      const { a, b } = await pair()
      expect([a.plugin.server?.busKind, b.plugin.server?.busKind]).toEqual(['shared', 'shared'])
      const alice = await TestClient.connect(a.wsUrl, { 'x-user': 'alice' })
      alice.send({ id: 'j', type: 'join', payload: { room: 'portland' } })
      await alice.next()
      alice.send({ id: 'live', type: 'subscribe', payload: stockLevel })
      expect((await alice.next()).payload.tree.children).toEqual(['SKU-1: 3'])

      b.plugin.broadcast('portland', 'restocked', { sku: 'SKU-1' })
      expect(await alice.next()).toEqual({
        type: 'event',
        payload: { room: 'portland', event: 'restocked', data: { sku: 'SKU-1' } },
      })
      b.plugin.sendToUser('alice', 'dm', 'hi')
      expect(await alice.next()).toEqual({ type: 'event', payload: { event: 'dm', data: 'hi' } })

      const sentAt = performance.now()
      await restockOver(b.url)
      const pushed = await alice.next(1000)
      expect(performance.now() - sentAt).toBeLessThan(1000)
      expect(pushed).toMatchObject({ id: 'live', type: 'next' })
      expect(pushed.payload.tree.children).toEqual(['SKU-1: 8'])
      // One re-render: the invalidation reached A once.
      await alice.nothingFor(200)
    })

    it('opens one subscribed connection per instance, and an invalidation crosses once', async () => {
      const { a, b, names, prefix } = await pair()
      const messages = await messagesUnder(prefix)
      for (const name of [names.a, names.b]) {
        const connections = await redisClientsNamed(REDIS_URL, name, { suffixed: true })
        // The cache's command connection and its subscribed one, which realtime shares: none of realtime's own.
        expect(connections.map((fields) => fields.name).sort()).toEqual([name, `${name}:bus`])
        expect(connections.filter((fields) => Number(fields.sub) > 0)).toHaveLength(1)
      }
      const client = await TestClient.connect(a.wsUrl)
      client.send({ id: 'live', type: 'subscribe', payload: stockLevel })
      await client.next()

      await restockOver(b.url)
      await client.next(1000)
      b.plugin.broadcastAll('notice', 1)
      await client.next(1000)
      await settle()
      expect(messages.map(([channel]) => channel).sort()).toEqual([
        `${prefix}cache:bus:realtime`,
        `${prefix}cache:invalidate`,
      ])
    })

    it('with shareBus: false, opens its own connections and relays invalidations itself', async () => {
      const { a, b, names, prefix } = await pair(false)
      expect(a.plugin.server?.busKind).toBe('redis')
      const messages = await messagesUnder(prefix)
      const connections = await redisClientsNamed(REDIS_URL, names.a, { suffixed: true })
      expect(
        connections
          .filter((fields) => Number(fields.sub) > 0)
          .map((fields) => fields.name)
          .sort(),
      ).toEqual([`${names.a}:bus`, `${names.a}:realtime-bus`])
      const client = await TestClient.connect(a.wsUrl)
      client.send({ id: 'live', type: 'subscribe', payload: stockLevel })
      await client.next()
      await restockOver(b.url)
      await client.next(1000)
      await settle()
      // The same invalidation twice: once by each plugin's relay.
      expect(messages.map(([channel]) => channel).sort()).toEqual([
        `${prefix}cache:invalidate`,
        `${prefix}realtime`,
      ])
    })

    it("counts every instance's connections with clusterConnections, connections() staying per instance", async () => {
      const { a, b } = await pair()
      await TestClient.connect(a.wsUrl, { 'x-user': 'alice' })
      const bob = await TestClient.connect(b.wsUrl, { 'x-user': 'bob' })
      bob.send({ id: 'j', type: 'join', payload: { room: 'boise' } })
      await bob.next()
      expect(a.plugin.connections().map((info) => info.userId)).toEqual(['alice'])
      const all = await a.plugin.clusterConnections({ timeoutMs: 300 })
      const byUser = Object.fromEntries(all.map((info) => [info.userId, info]))
      expect(Object.keys(byUser).sort()).toEqual(['alice', 'bob'])
      expect(byUser.alice).toMatchObject({ instance: a.plugin.server!.instance, rooms: [], transport: 'ws' })
      expect(byUser.bob).toMatchObject({ instance: b.plugin.server!.instance, rooms: ['boise'] })
      expect(byUser.bob).not.toHaveProperty('user')
      await expect(a.plugin.clusterConnections({ timeoutMs: 0 })).rejects.toMatchObject({
        code: 'REALTIME_INVALID_OPTIONS',
        message: expect.stringMatching(/timeoutMs/),
      })
    })

    it('finds the bus when installed on an engine that is already ready', async () => {
      const prefix = `ixp:realtime:shared-test:${crypto.randomUUID().slice(0, 8)}:`
      const engine: Engine = stockEngine({ stock: new Map() }, [
        cache({ store: redisStore({ url: REDIS_URL, prefix: `${prefix}cache:` }) }),
      ])
      closers.push(() => engine.close())
      await engine.ready()
      const plugin = realtime()
      engine.use(plugin)
      await engine.ready()
      expect(plugin.server?.busKind).toBe('shared')
      expect(engine.extension(sharedBus).current?.by).toBe('@ixp/plugin-cache')
    })
  },
)

describe('without a bus', () => {
  it('stays in memory when no plugin offers a bus and no redis is given', async () => {
    const engine = stockEngine({ stock: new Map() })
    const plugin = realtime()
    engine.use(plugin)
    await engine.ready()
    expect(plugin.server?.busKind).toBe('memory')
    // Nobody to ask: this instance's connections at once, not after the timeout.
    const started = performance.now()
    expect(await plugin.clusterConnections({ timeoutMs: 5_000 })).toEqual([])
    expect(performance.now() - started).toBeLessThan(1_000)
    await engine.close()
  })

  it('refuses a shareBus that is not a boolean', () => {
    expect(() => realtime({ shareBus: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({
        code: 'REALTIME_INVALID_OPTIONS',
        message: expect.stringMatching(/shareBus/),
      }),
    )
  })
})
