import { IxpError } from '@ixp/core'
import { Redis } from 'ioredis'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { CacheOptions } from '../src/index.js'
import { redisStore } from '../src/redis/index.js'
import {
  REDIS_URL,
  deletePrefix,
  eventually,
  inspector,
  killConnections,
  redisSkipReason,
  setup,
  uniquePrefix,
  type Fixture,
} from './helpers.js'

const skip = await redisSkipReason()
const prefixes: string[] = []
const engines: Fixture[] = []

/** An engine whose cache uses the shared Redis under `prefix`; its connections are named `name`. */
async function instance(
  prefix: string,
  name: string,
  options: CacheOptions = {},
  intent = {},
): Promise<Fixture> {
  const fixture = await setup(
    {
      // Generous timeouts: these tests are about sharing, not faults, and CI machines can be slow.
      storeTimeoutMs: 2_000,
      ...options,
      store: redisStore({
        url: REDIS_URL,
        prefix,
        commandTimeoutMs: 1_000,
        redisOptions: { connectionName: name },
      }),
    },
    { cache: { tags: (params: Record<string, unknown>) => [`product:${String(params.id)}`] }, ...intent },
  )
  engines.push(fixture)
  return fixture
}

function freshPrefix(): string {
  const prefix = uniquePrefix()
  prefixes.push(prefix)
  return prefix
}

const names = () => `ixp-cache-test-${crypto.randomUUID().slice(0, 8)}`

describe.skipIf(skip !== undefined)(`redis store${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const look = inspector()

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((fixture) => fixture.engine.close()))
  })

  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
    look.disconnect()
  })

  it('shares answers between instances through Redis', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names())
    const b = await instance(prefix, names())
    const levels: string[] = []
    b.plugin.events.on('hit', (event) => levels.push(event.level))
    expect((await a.render({ id: '1' })).meta.cache).toBe('miss')
    await a.plugin.idle()
    const fromRedis = await b.render({ id: '1' })
    expect(fromRedis.meta.cache).toBe('hit')
    expect(fromRedis.props.call).toBe(1)
    expect((await b.render({ id: '1' })).meta.cache).toBe('hit')
    expect(levels).toEqual(['l2', 'l1'])
    expect(b.handler.calls).toBe(0)
    expect(b.plugin.stats()).toMatchObject({ hits: 2, storeHits: 1 })
  })

  it('stores JSON with the stored-at time, the windows and the tags, for the entry lifetime', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names(), { ttl: 30, staleWhileRevalidate: 10 })
    await a.render({ id: '5' })
    await a.plugin.idle()
    const key = await a.plugin.keyFor({ intent: { name: 'product', parameters: { id: '5' } } })
    const raw = await look.get(`${prefix}entry:${key}`)
    const stored = JSON.parse(raw!)
    expect(stored).toMatchObject({
      v: 1,
      intent: 'product',
      tags: ['product:5'],
      ttl: 30,
      staleWhileRevalidate: 10,
    })
    expect(typeof stored.storedAt).toBe('number')
    expect(stored.data.props.call).toBe(1)
    const pttl = await look.pttl(`${prefix}entry:${key}`)
    expect(pttl).toBeGreaterThan(39_000)
    expect(pttl).toBeLessThanOrEqual(40_000)
    expect(await look.smembers(`${prefix}group:t:product:5`)).toEqual([key])
    expect(await look.smembers(`${prefix}group:i:product`)).toEqual([key])
  })

  it('invalidates a tag on every instance and in Redis', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names())
    const b = await instance(prefix, names())
    await a.render({ id: '1' })
    await a.render({ id: '2' })
    await a.plugin.idle()
    await b.render({ id: '1' })
    await b.render({ id: '2' })
    expect(b.plugin.stats().entries).toBe(2)
    const remote: string[] = []
    b.plugin.events.on('invalidate', (event) => remote.push(event.origin))
    await a.plugin.invalidateTag('product:1')
    await eventually(() => remote.length === 1, 2_000, 'the invalidation message')
    expect(remote).toEqual(['remote'])
    expect(b.plugin.stats().entries).toBe(1)
    const key = await a.plugin.keyFor({ intent: { name: 'product', parameters: { id: '1' } } })
    expect(await look.exists(`${prefix}entry:${key}`)).toBe(0)
    expect((await b.render({ id: '1' })).meta.cache).toBe('miss')
    expect((await b.render({ id: '2' })).meta.cache).toBe('hit')
  })

  it('invalidates an intent, a key, or everything on every instance', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names())
    const b = await instance(prefix, names())
    const fill = async () => {
      await a.render({ id: '1' })
      await a.render({ id: '2' })
      await a.plugin.idle()
      await b.render({ id: '1' })
      await b.render({ id: '2' })
    }
    await fill()
    await a.plugin.invalidateIntent('product')
    await eventually(() => b.plugin.stats().entries === 0, 2_000, 'intent invalidation')
    expect((await b.render({ id: '1' })).meta.cache).toBe('miss')

    await b.plugin.idle()
    const key = (await a.plugin.keyFor({ intent: { name: 'product', parameters: { id: '1' } } }))!
    await a.render({ id: '1' })
    await a.plugin.invalidate(key)
    await eventually(() => b.plugin.stats().entries === 1, 2_000, 'key invalidation')
    expect(await look.exists(`${prefix}entry:${key}`)).toBe(0)

    await fill()
    await b.plugin.clear()
    await eventually(() => a.plugin.stats().entries === 0, 2_000, 'clear')
    const [, left] = await look.scan('0', 'MATCH', `${prefix}entry:*`, 'COUNT', 1000)
    expect(left).toEqual([])
  })

  it('renders once across instances with the lock', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names(), { lock: { pollMs: 10 } })
    const b = await instance(prefix, names(), { lock: { pollMs: 10 } })
    a.handler.delayMs = 100
    b.handler.delayMs = 100
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => a.render({ id: '1' })),
      ...Array.from({ length: 5 }, () => b.render({ id: '1' })),
    ])
    expect(a.handler.calls + b.handler.calls).toBe(1)
    const statuses = results.map((result) => result.meta.cache)
    expect(statuses.filter((status) => status === 'miss')).toHaveLength(1)
    expect(statuses.filter((status) => status === 'coalesced')).toHaveLength(9)
    expect(new Set(results.map((result) => result.props.call))).toEqual(new Set([1]))
    await a.plugin.idle()
    await b.plugin.idle()
    const key = await a.plugin.keyFor({ intent: { name: 'product', parameters: { id: '1' } } })
    expect(await look.exists(`${prefix}lock:${key}`)).toBe(0)
  })

  it('takes over the lock at once when its holder fails', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names(), { lock: { pollMs: 10, waitMs: 5_000 } })
    const b = await instance(prefix, names(), { lock: { pollMs: 10, waitMs: 5_000 } })
    a.handler.delayMs = 50
    a.handler.fail = new IxpError('UPSTREAM_DOWN', 'down', { status: 503 })
    const failing = a.render({ id: '1' })
    await new Promise((resolve) => setTimeout(resolve, 10))
    const started = performance.now()
    const taken = b.render({ id: '1' })
    await expect(failing).rejects.toMatchObject({ code: 'UPSTREAM_DOWN' })
    const result = await taken
    expect(result.meta.cache).toBe('miss')
    expect(b.handler.calls).toBe(1)
    // It took over when the lock was released, long before its 5 s wait ran out.
    expect(performance.now() - started).toBeLessThan(2_500)
  })

  it('keeps serving when its connection is killed mid-test, and recovers', async () => {
    const prefix = freshPrefix()
    const name = names()
    const a = await instance(prefix, name)
    await a.render({ id: '1' })
    await a.plugin.idle()
    expect(await killConnections(name)).toBe(1)
    const during = await Promise.all([a.render({ id: '1' }), a.render({ id: '2' }), a.render({ id: '3' })])
    expect(during.map((result) => result.meta.cache)).toEqual(['hit', 'miss', 'miss'])
    await eventually(
      async () => (await a.engine.health()).checks['cache:redis']?.status === 'pass',
      5_000,
      'reconnection',
    )
    await a.render({ id: '4' })
    await a.plugin.idle()
    const key = await a.plugin.keyFor({ intent: { name: 'product', parameters: { id: '4' } } })
    expect(await look.exists(`${prefix}entry:${key}`)).toBe(1)
  })

  it('starts its in-process level over when its invalidation channel was cut (messages may be lost)', async () => {
    const prefix = freshPrefix()
    const name = names()
    const a = await instance(prefix, names())
    const b = await instance(prefix, name)
    await b.render({ id: '1' })
    expect(b.plugin.stats().entries).toBe(1)
    expect(await killConnections(`${name}:bus`)).toBe(1)
    await eventually(() => b.plugin.stats().entries === 0, 5_000, 'the resync after reconnecting')
    await b.render({ id: '2' })
    await a.plugin.invalidateTag('product:2')
    await eventually(() => b.plugin.stats().entries === 0, 2_000, 'invalidations after reconnecting')
  })

  it('reports the store in the health route', async () => {
    const a = await instance(freshPrefix(), names())
    const health = await a.engine.health()
    expect(health.status).toBe('healthy')
    expect(health.checks['cache:redis']).toMatchObject({ status: 'pass', message: 'redis reachable' })
    expect(typeof health.checks['cache:redis']?.latencyMs).toBe('number')
  })

  it('works with a client you own, and leaves it open', async () => {
    const prefix = freshPrefix()
    const client = new Redis(REDIS_URL, { enableOfflineQueue: false })
    await new Promise((resolve) => client.once('ready', resolve))
    const fixture = await setup({ store: redisStore({ client, prefix }) })
    await fixture.render()
    await fixture.plugin.idle()
    const key = await fixture.plugin.keyFor({ intent: { name: 'product', parameters: { id: '42' } } })
    expect(await client.exists(`${prefix}entry:${key}`)).toBe(1)
    await fixture.engine.close()
    expect(client.status).toBe('ready')
    client.disconnect()
  })

  it('ignores entries it cannot read', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names())
    const key = await a.plugin.keyFor({ intent: { name: 'product', parameters: { id: '1' } } })
    await look.set(`${prefix}entry:${key}`, '{"v":99,"garbage":true}', 'PX', 60_000)
    const result = await a.render({ id: '1' })
    expect(result.meta.cache).toBe('miss')
    expect(a.handler.calls).toBe(1)
  })

  it('refuses unusable options', () => {
    expect(() => redisStore({} as never)).toThrow(expect.objectContaining({ code: 'CACHE_INVALID_OPTIONS' }))
    expect(() => redisStore({ url: REDIS_URL, commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/)
    expect(() => redisStore({ url: REDIS_URL, prefix: '' })).toThrow(/prefix/)
  })
})
