import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryStore, rateLimit, type LimitRule, type StoreDecision } from '../src/index.js'
import { redisStore, type RedisStore } from '../src/redis/index.js'
import { attempt, makeEngine, manualClock, rule, T0 } from './helpers.js'
import {
  deleteKeys,
  REDIS_URL,
  redisServerSkipReason,
  redisSkipReason,
  startRedisServer,
  testPrefix,
} from './redis-helpers.js'

const skip = await redisSkipReason()
const prefix = testPrefix()
const stores: RedisStore[] = []

/** A store on the shared Redis, connected. The generous timeout keeps a loaded machine from failing open. */
async function store(options: Parameters<typeof redisStore>[0] = {}) {
  const created = redisStore({ url: REDIS_URL, prefix, timeoutMs: 10_000, ...options })
  stores.push(created)
  await created.ready()
  return created
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe.skipIf(skip)(`Redis store${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await deleteKeys(REDIS_URL, prefix)
  })

  it('decides exactly like the memory store, step for step (the Lua script transcribes the algorithms)', async () => {
    const scenarios: Record<string, LimitRule[]> = {
      fixed: [rule('fixed-window', 5, 1_000)],
      sliding: [rule('sliding-window', 7, 2_000)],
      bucket: [rule('token-bucket', 10, 5_000, 4)],
      several: [
        rule('sliding-window', 3, 1_000),
        rule('fixed-window', 10, 10_000),
        rule('token-bucket', 4, 2_000, 2),
      ],
    }
    for (const [name, rules] of Object.entries(scenarios)) {
      const clock = manualClock(T0 + 123)
      const memory = memoryStore({ clock: clock.now })
      const redis = await store({ clock: clock.now, prefix: `${prefix}parity:${name}:` })
      const next = random(name.length * 7919)
      const maxCost = Math.min(...rules.map((r) => r.capacity))
      const trace: { memory: StoreDecision; redis: StoreDecision; step: number }[] = []
      for (let step = 0; step < 250; step++) {
        clock.advance(Math.floor(next() * 450))
        const cost = Math.min(maxCost, Math.floor(next() * 3))
        const client = `c${Math.floor(next() * 3)}`
        const checks = rules.map((r, i) => ({ key: `${i}|${client}`, rule: r, cost }))
        trace.push({ step, memory: memory.consume(checks), redis: await redis.consume(checks) })
      }
      for (const { step, memory: expected, redis: actual } of trace)
        expect(actual, `${name}, step ${step}`).toEqual(expected)
      expect(trace.some((t) => !t.memory.allowed)).toBe(true)
      expect(trace.some((t) => t.memory.allowed)).toBe(true)
    }
  })

  it('admits exactly 100 of 1,000 concurrent renders, on the Redis clock', async () => {
    const engine = makeEngine([
      rateLimit({ limit: 100, windowMs: 3_600_000, store: await store({ prefix: `${prefix}exact:` }) }),
    ])
    await engine.ready()
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, () => attempt(engine, { ip: '192.0.2.10' })),
    )
    expect(outcomes.filter((o) => o.ok && o.result.meta.rateLimit?.source === 'store')).toHaveLength(100)
    expect(outcomes.filter((o) => !o.ok && o.error.code === 'RATE_LIMITED')).toHaveLength(900)
    await engine.close()
  })

  it('enforces one limit across two engine instances sharing Redis', async () => {
    const shared = `${prefix}shared:`
    const make = async () =>
      makeEngine([
        rateLimit({
          limits: [
            { name: 'burst', limit: 100, windowMs: 3_600_000, algorithm: 'fixed-window' },
            { name: 'bucket', limit: 1_000, windowMs: 3_600_000, algorithm: 'token-bucket', burst: 150 },
          ],
          store: await store({ prefix: shared }),
        }),
      ])
    const [a, b] = [await make(), await make()]
    await Promise.all([a.ready(), b.ready()])
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => attempt(i % 2 === 0 ? a : b, { ip: '192.0.2.20' })),
    )
    const allowed = outcomes.filter((o) => o.ok)
    expect(allowed.filter((o) => o.ok && o.result.meta.rateLimit?.source === 'store')).toHaveLength(100)
    expect(allowed).toHaveLength(100)
    // Both instances admitted some of them.
    expect(outcomes.filter((o, i) => o.ok && i % 2 === 0).length).toBeGreaterThan(0)
    expect(outcomes.filter((o, i) => o.ok && i % 2 === 1).length).toBeGreaterThan(0)
    // Every admitted request saw a distinct remaining count: 99 … 0, whichever instance served it.
    const remaining = allowed
      .map((o) => (o.ok ? o.result.meta.rateLimit!.policies[0]!.remaining : -1))
      .sort((x, y) => x - y)
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i))
    // The refused requests took nothing from the bucket: 150 − 100 tokens left (give or take refill).
    const last = outcomes.filter((o) => !o.ok).at(-1)
    expect(!last?.ok && last?.error.headers?.RateLimit).toMatch(/"bucket";r=5\d;/)
    await Promise.all([a.close(), b.close()])
  })

  it('lets counters expire with their window and writes nothing for refused requests', async () => {
    const clock = manualClock(T0 + 4_000)
    const redis = await store({ clock: clock.now, prefix: `${prefix}ttl:` })
    const client = new Redis(REDIS_URL)
    try {
      const rules = [
        rule('fixed-window', 1, 10_000),
        rule('sliding-window', 5, 10_000),
        rule('token-bucket', 10, 10_000, 5),
      ]
      const checks = rules.map((r, i) => ({ key: `${i}|ttl`, rule: r, cost: 1 }))
      expect((await redis.consume(checks)).allowed).toBe(true)
      const ttls = await Promise.all(rules.map((_, i) => client.pttl(`${prefix}ttl:${i}|ttl`)))
      // Fixed: to the end of the window (6 s); sliding: to the end of the next (16 s); bucket: until full (1 s).
      expect(ttls[0]).toBeGreaterThan(5_000)
      expect(ttls[0]).toBeLessThanOrEqual(6_000)
      expect(ttls[1]).toBeGreaterThan(15_000)
      expect(ttls[1]).toBeLessThanOrEqual(16_000)
      expect(ttls[2]).toBeGreaterThan(0)
      expect(ttls[2]).toBeLessThanOrEqual(1_000)
      const before = await client.hgetall(`${prefix}ttl:1|ttl`)
      expect((await redis.consume(checks)).allowed).toBe(false)
      expect(await client.hgetall(`${prefix}ttl:1|ttl`)).toEqual(before)
    } finally {
      client.disconnect()
    }
  })

  it('never stores a raw API key', async () => {
    const keyPrefix = `${prefix}apikeys:`
    const engine = makeEngine([
      rateLimit({ limit: 5, windowMs: 60_000, key: 'api-key', store: await store({ prefix: keyPrefix }) }),
    ])
    const secret = 'sk_live_do_not_store_me'
    await attempt(engine, { headers: { 'x-api-key': secret } })
    const client = new Redis(REDIS_URL)
    try {
      const keys = await client.keys(`${keyPrefix}*`)
      expect(keys).toHaveLength(1)
      expect(keys[0]).not.toContain(secret)
      expect(JSON.stringify(await client.hgetall(keys[0]!))).not.toContain(secret)
    } finally {
      client.disconnect()
    }
    await engine.close()
  })

  it('works with a client the application owns, and leaves it open', async () => {
    const client = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
    const owned = redisStore({ client, prefix: `${prefix}owned:` })
    await owned.ready()
    const engine = makeEngine([rateLimit({ limit: 1, windowMs: 60_000, store: owned })])
    expect((await attempt(engine, { ip: '192.0.2.30' })).ok).toBe(true)
    expect((await attempt(engine, { ip: '192.0.2.30' })).ok).toBe(false)
    expect((await engine.health()).checks['rate-limit:redis']).toMatchObject({
      status: 'pass',
      latencyMs: expect.any(Number),
    })
    await engine.close()
    expect(client.status).toBe('ready')
    client.disconnect()
  })

  it('checks its options', () => {
    expect(() => redisStore({})).toThrow(/exactly one of 'url'/)
    expect(() => redisStore({ url: 'http://localhost' })).toThrow(/redis:\/\/ or rediss:\/\//)
    expect(() => redisStore({ url: REDIS_URL, timeoutMs: 0 })).toThrow(
      /'timeoutMs' must be a positive integer/,
    )
    expect(() => redisStore({ client: {} as never })).toThrow(/must be an ioredis client/)
  })
})

const noServer = redisServerSkipReason()

describe.skipIf(noServer)(
  `Redis store on a private server${noServer ? ` (skipped: ${noServer})` : ''}`,
  () => {
    let server: Awaited<ReturnType<typeof startRedisServer>>
    beforeAll(async () => {
      server = await startRedisServer()
    })
    afterAll(async () => {
      await server?.stop()
    })

    it('takes one EVALSHA per decision, loading the script with EVAL when the server lacks it', async () => {
      const admin = new Redis(server.url)
      const redis = redisStore({ url: server.url, timeoutMs: 10_000 })
      try {
        await redis.ready()
        await admin.script('FLUSH')
        const checks = [rule('fixed-window', 100, 60_000), rule('token-bucket', 10, 1_000)].map((r, i) => ({
          key: `${i}|rt`,
          rule: r,
          cost: 1,
        }))
        await redis.consume(checks)
        await admin.config('RESETSTAT')
        for (let i = 0; i < 50; i++) await redis.consume(checks)
        const stats = Object.fromEntries(
          (await admin.info('commandstats'))
            .split('\r\n')
            .filter((line) => line.startsWith('cmdstat_'))
            .map((line) => [line.slice(8, line.indexOf(':')), Number(/calls=(\d+)/.exec(line)![1])]),
        )
        // Besides the admin connection's CONFIG RESETSTAT, only the 50 script runs reached the server (the
        // HMGET/HSET/PEXPIRE/TIME calls counted are the script's own, inside those runs).
        const topLevel = Object.keys(stats).filter(
          (name) => !['hmget', 'hset', 'pexpire', 'time'].includes(name),
        )
        expect(topLevel.sort()).toEqual(['config|resetstat', 'evalsha'])
        expect(stats.evalsha).toBe(50)
        expect(stats.time).toBe(50)
      } finally {
        admin.disconnect()
        await redis.close()
      }
    })
  },
)
