/**
 * Redis faults against a throwaway redis-server this file starts, kills, pauses and restarts (the machine's
 * shared Redis is never touched).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisStore } from '../src/redis/index.js'
import type { CacheOptions } from '../src/index.js'
import {
  eventually,
  inspector,
  recordingLogger,
  redisServerInstalled,
  setup,
  ThrowawayRedis,
  type Fixture,
} from './helpers.js'

const installed = await redisServerInstalled()
const skip = !installed && !process.env.CI ? 'redis-server is not installed and CI is not set' : undefined

const fixtures: Fixture[] = []

describe.skipIf(skip !== undefined)(`redis faults${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: ThrowawayRedis

  beforeAll(async () => {
    server = await ThrowawayRedis.start()
  })

  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fixture) => fixture.engine.close()))
    await server.start().catch(() => undefined)
  })

  afterAll(async () => {
    await server.kill()
  })

  async function instance(
    options: CacheOptions = {},
    logger = recordingLogger(),
    prefix = `faults:${crypto.randomUUID()}:`,
  ): Promise<Fixture> {
    const fixture = await setup(
      {
        ...options,
        store: redisStore({ url: server.url, prefix, circuitResetMs: 200 }),
      },
      {},
      { logger },
    )
    fixtures.push(fixture)
    return fixture
  }

  const storeStatus = async (fixture: Fixture) =>
    (await fixture.engine.health()).checks['cache:redis']?.status

  it('starts and serves while Redis is down, says degraded, and recovers when it comes up', async () => {
    await server.kill()
    const logger = recordingLogger()
    const fixture = await instance({}, logger)
    expect(logger.lines.some((line) => line.message.includes('redis unreachable at start'))).toBe(true)
    expect((await fixture.render()).meta.cache).toBe('miss')
    expect((await fixture.render()).meta.cache).toBe('hit')
    const health = await fixture.engine.health()
    expect(health.status).toBe('degraded')
    expect(health.checks['cache:redis']?.status).toBe('warn')
    expect(fixture.plugin.stats().errors).toBeGreaterThan(0)

    await server.start()
    await eventually(async () => (await storeStatus(fixture)) === 'pass', 5_000, 'recovery')
    expect((await fixture.engine.health()).status).toBe('healthy')
    await fixture.render({ id: 'after' })
    await fixture.plugin.idle()
    const errors = fixture.plugin.stats().errors
    await fixture.render({ id: 'after-2' })
    await fixture.plugin.idle()
    expect(fixture.plugin.stats().errors).toBe(errors)
  })

  it('keeps serving through a crash and a restart, never failing a request', async () => {
    const prefix = `faults:${crypto.randomUUID()}:`
    const a = await instance({}, recordingLogger(), prefix)
    const b = await instance({}, recordingLogger(), prefix)
    await a.render({ id: '1' })
    await a.plugin.idle()
    await server.kill()
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => a.render({ id: String(i % 4) })))
    expect(during.every((result) => result.props.echo !== undefined)).toBe(true)
    expect(await storeStatus(a)).toBe('warn')
    await server.start()
    await eventually(
      async () => (await storeStatus(a)) === 'pass' && (await storeStatus(b)) === 'pass',
      5_000,
      'recovery',
    )
    // The restarted server is empty: the first instance fills it again and the second reads from it.
    await a.render({ id: 'new' })
    await a.plugin.idle()
    const shared = await b.render({ id: 'new' })
    expect(shared.meta.cache).toBe('hit')
    expect(b.handler.calls).toBe(0)
  })

  it('bounds a slow Redis by the command timeout, opens the circuit, and closes it when Redis answers', async () => {
    const fixture = await instance()
    const admin = inspector(server.url)
    try {
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL')
      const started = performance.now()
      const results = []
      for (let i = 0; i < 6; i++) results.push(await fixture.render({ id: `slow-${i}` }))
      const elapsed = performance.now() - started
      expect(results.every((result) => result.meta.cache === 'miss')).toBe(true)
      // Six misses against a paused Redis: a few bounded timeouts, then the open circuit answers at once.
      expect(elapsed).toBeLessThan(2_000)
      expect(await storeStatus(fixture)).toBe('warn')
      await eventually(async () => (await storeStatus(fixture)) === 'pass', 8_000, 'the circuit to close')
      await fixture.render({ id: 'back' })
      await fixture.plugin.idle()
      const key = await fixture.plugin.keyFor({ intent: { name: 'product', parameters: { id: 'back' } } })
      const keys = await admin.keys('faults:*')
      expect(keys.some((stored) => stored.endsWith(`entry:${key}`))).toBe(true)
    } finally {
      admin.disconnect()
    }
  })

  it('replays an invalidation Redis missed, so no instance reads the outdated answer afterwards', async () => {
    const prefix = `faults:${crypto.randomUUID()}:`
    const make = async () => {
      const fixture = await setup(
        { store: redisStore({ url: server.url, prefix, circuitResetMs: 200 }) },
        { cache: { tags: ['catalogue'] } },
        { logger: recordingLogger() },
      )
      fixtures.push(fixture)
      return fixture
    }
    const a = await make()
    const b = await make()
    await a.render()
    await a.plugin.idle()
    await b.render()
    const admin = inspector(server.url)
    try {
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL')
      expect(await a.plugin.invalidateTag('catalogue')).toBe(1)
      expect(a.plugin.stats().errors).toBeGreaterThan(0)
      expect((await a.engine.health()).checks['cache:redis']).toMatchObject({ pendingInvalidations: 1 })
      // Nothing touches Redis from here on but the store's own replay timer.
      await eventually(() => b.plugin.stats().entries === 0, 5_000, 'the replayed message')
      expect(await admin.keys(`${prefix}entry:*`)).toEqual([])
      expect((await a.engine.health()).checks['cache:redis']).toMatchObject({
        status: 'pass',
        pendingInvalidations: 0,
      })
    } finally {
      admin.disconnect()
    }
  })
})
