import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { rateLimit, type RateLimitOptions } from '../src/index.js'
import { redisStore, type RedisStore } from '../src/redis/index.js'
import { attempt, makeEngine, recordingLogger } from './helpers.js'
import {
  deleteKeys,
  eventually,
  REDIS_URL,
  redisServerSkipReason,
  redisSkipReason,
  startRedisServer,
  testPrefix,
} from './redis-helpers.js'

const noServer = redisServerSkipReason()
const client = { ip: '192.0.2.50' }

describe.skipIf(noServer)(`Redis dropped mid-test${noServer ? ` (skipped: ${noServer})` : ''}`, () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>
  const engines: ReturnType<typeof makeEngine>[] = []

  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()))
    await server.start().catch(() => {})
  })
  afterAll(async () => {
    await server?.stop()
  })

  async function setup(options: Partial<RateLimitOptions>) {
    const store = redisStore({ url: server.url, timeoutMs: 5_000, redisOptions: { retryStrategy: () => 50 } })
    const logger = recordingLogger()
    const engine = makeEngine(
      [
        rateLimit({
          limit: 3,
          windowMs: 3_600_000,
          algorithm: 'fixed-window',
          storeRetryMs: 50,
          store,
          ...options,
        }),
      ],
      logger,
    )
    engines.push(engine)
    await engine.ready()
    return { engine, store, logger }
  }

  const source = async (engine: ReturnType<typeof makeEngine>) => {
    const outcome = await attempt(engine, client)
    return outcome.ok ? outcome.result.meta.rateLimit?.source : outcome.error.code
  }

  async function dropRedis(store: RedisStore) {
    await server.stop()
    await eventually(() => store.client.status !== 'ready', 5_000, 'the client to notice')
  }

  it('fails open while Redis is down, reports degraded health, and recovers by itself', async () => {
    const { engine, store, logger } = await setup({})
    expect(await source(engine)).toBe('store')
    expect((await engine.health()).status).toBe('healthy')

    await dropRedis(store)
    expect(await Promise.all([1, 2, 3, 4, 5].map(() => source(engine)))).toEqual(Array(5).fill('fail-open'))
    const health = await engine.health()
    expect(health.status).toBe('degraded')
    expect(health.checks['rate-limit:redis']!.status).toBe('warn')
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: 'rate-limit: redis store failed; deciding without it',
    })

    // A fresh server (no persistence, no cached script): the client reconnects and EVAL reloads the script.
    await server.start()
    await eventually(async () => (await engine.health()).status === 'healthy', 10_000, 'healthy again')
    const back = await attempt(engine, client)
    expect(back.ok && back.result.meta.rateLimit).toMatchObject({
      source: 'store',
      policies: [{ remaining: 2 }],
    })
    expect(logger.lines).toContainEqual({ level: 'info', message: 'rate-limit: redis store recovered' })
  })

  it('keeps limiting with the in-memory fallback while Redis is down', async () => {
    const { engine, store } = await setup({ fallback: true, onStoreError: 'closed' })
    expect(await source(engine)).toBe('store')
    await dropRedis(store)
    expect([await source(engine), await source(engine), await source(engine), await source(engine)]).toEqual([
      'fallback',
      'fallback',
      'fallback',
      'RATE_LIMITED',
    ])
    expect((await engine.health()).checks['rate-limit:redis']).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('deciding with the fallback store'),
    })
    await server.start()
    await eventually(async () => (await source(engine)) === 'store', 10_000, 'decisions from Redis again')
  })

  it('refuses with 503 while Redis is down when failing closed', async () => {
    const { engine, store } = await setup({ onStoreError: 'closed' })
    await dropRedis(store)
    const refused = await attempt(engine, client)
    expect(!refused.ok && refused.error).toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE', status: 503 })
    await server.start()
    await eventually(async () => (await source(engine)) === 'store', 10_000, 'decisions from Redis again')
  })

  it('starts while Redis is down and picks it up when it appears', async () => {
    await server.stop()
    const { engine, logger } = await setup({ onStoreError: 'closed' })
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: 'rate-limit: the redis store is not reachable yet; deciding without it until it is',
    })
    expect(await source(engine)).toBe('RATE_LIMIT_UNAVAILABLE')
    await server.start()
    await eventually(async () => (await source(engine)) === 'store', 10_000, 'decisions from Redis')
  })
})

const noRedis = await redisSkipReason()

describe.skipIf(noRedis)(`Redis connection killed${noRedis ? ` (skipped: ${noRedis})` : ''}`, () => {
  const prefix = testPrefix()
  afterAll(async () => {
    await deleteKeys(REDIS_URL, prefix)
  })

  it('reconnects after CLIENT KILL and keeps counting where it was', async () => {
    const store = redisStore({
      url: REDIS_URL,
      prefix,
      timeoutMs: 5_000,
      redisOptions: { retryStrategy: () => 50 },
    })
    const engine = makeEngine([
      rateLimit({ limit: 5, windowMs: 3_600_000, algorithm: 'fixed-window', storeRetryMs: 50, store }),
    ])
    await engine.ready()
    expect((await attempt(engine, client)).ok).toBe(true)
    expect((await attempt(engine, client)).ok).toBe(true)
    const admin = new Redis(REDIS_URL)
    try {
      const id = await (store.client as Redis).client('ID')
      expect(await admin.client('KILL', 'ID', String(id))).toBe(1)
      await eventually(
        async () => {
          const outcome = await attempt(engine, client)
          return outcome.ok && outcome.result.meta.rateLimit?.source === 'store'
        },
        10_000,
        'decisions from Redis again',
      )
      // Two before the kill, one just now: the next admitted request leaves one.
      const next = await attempt(engine, client)
      expect(next.ok && next.result.meta.rateLimit?.policies[0]?.remaining).toBe(1)
    } finally {
      admin.disconnect()
      await engine.close()
    }
  })
})
