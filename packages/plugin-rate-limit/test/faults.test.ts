import { describe, expect, it } from 'vitest'
import {
  memoryStore,
  rateLimit,
  type RateLimitOptions,
  type RateLimitStore,
  type StoreDecision,
} from '../src/index.js'
import { attempt, makeEngine, recordingLogger } from './helpers.js'

/** A store that can be switched off, answering synchronously or asynchronously like a network store. */
function switchableStore(mode: 'sync' | 'async') {
  const inner = memoryStore()
  const state = { down: false, calls: 0, closed: false }
  const store: RateLimitStore = {
    kind: 'switchable',
    consume(checks) {
      state.calls++
      if (mode === 'sync') {
        if (state.down) throw new Error('store unreachable')
        return inner.consume(checks)
      }
      return new Promise<StoreDecision>((resolve, reject) =>
        setImmediate(() =>
          state.down ? reject(new Error('store unreachable')) : resolve(inner.consume(checks)),
        ),
      )
    },
    check: () => (state.down ? { status: 'warn', message: 'unreachable' } : { status: 'pass' }),
    close: () => {
      state.closed = true
    },
  }
  return { store, state }
}

function setup(options: Partial<RateLimitOptions>, mode: 'sync' | 'async' = 'async') {
  const { store, state } = switchableStore(mode)
  const logger = recordingLogger()
  const engine = makeEngine(
    [rateLimit({ limit: 2, windowMs: 60_000, storeRetryMs: 0, store, ...options })],
    logger,
  )
  return { engine, state, logger }
}

const client = { ip: '198.51.100.20' }

describe('when the store fails', () => {
  it.each(['sync', 'async'] as const)(
    'fails open by default, says so in health, and recovers by itself (%s store)',
    async (mode) => {
      const { engine, state, logger } = setup({}, mode)
      expect((await attempt(engine, client)).ok).toBe(true)
      state.down = true
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => attempt(engine, client)))
      expect(outcomes.every((o) => o.ok)).toBe(true)
      const admitted = outcomes[0]!
      expect(admitted.ok && admitted.result.meta.rateLimit).toEqual({
        allowed: true,
        cost: 1,
        policies: [],
        source: 'fail-open',
      })
      expect(admitted.ok && admitted.result.meta.headers).toBeUndefined()
      expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([
        { level: 'warn', message: 'rate-limit: switchable store failed; deciding without it' },
      ])
      const degraded = await engine.health()
      expect(degraded.status).toBe('degraded')
      expect(degraded.checks['rate-limit:switchable']).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('store unreachable'),
      })

      state.down = false
      expect((await engine.health()).status).toBe('healthy')
      expect(logger.lines.at(-1)).toEqual({
        level: 'info',
        message: 'rate-limit: switchable store recovered',
      })
      // Counting resumed where it stopped: one unit was taken before the outage.
      const back = await attempt(engine, client)
      expect(back.ok && back.result.meta.rateLimit?.source).toBe('store')
      expect((await attempt(engine, client)).ok).toBe(false)
    },
  )

  it('fails closed with 503 RATE_LIMIT_UNAVAILABLE when asked to', async () => {
    const { engine, state } = setup({ onStoreError: 'closed', storeRetryMs: 2_000 })
    state.down = true
    const refused = await attempt(engine, client)
    expect(!refused.ok && refused.error).toMatchObject({
      code: 'RATE_LIMIT_UNAVAILABLE',
      status: 503,
      headers: { 'Retry-After': '2' },
    })
  })

  it('decides with the fallback memory store while the store is down', async () => {
    const { engine, state } = setup({ fallback: true, onStoreError: 'closed' })
    state.down = true
    const first = await attempt(engine, client)
    expect(first.ok && first.result.meta.rateLimit?.source).toBe('fallback')
    expect(first.ok && first.result.meta.headers?.RateLimit).toMatch(/^"default";r=1;t=\d+$/)
    expect((await attempt(engine, client)).ok).toBe(true)
    const third = await attempt(engine, client)
    expect(!third.ok && third.error.code).toBe('RATE_LIMITED')
    expect((await engine.health()).checks['rate-limit:switchable']).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('deciding with the fallback store'),
    })
  })

  it('skips a failing store for storeRetryMs instead of waiting on it for every request', async () => {
    const { engine, state } = setup({ storeRetryMs: 60_000 })
    state.down = true
    for (let i = 0; i < 5; i++) await attempt(engine, client)
    expect(state.calls).toBe(1)
  })

  it('a hung store (answering only by timing out) does not stall traffic after its first timeout', async () => {
    // Like a stopped Redis behind the store's command timeout: every call waits `hangMs`, then fails.
    const hangMs = 150
    const calls: number[] = []
    let hung = true
    const inner = memoryStore()
    const store: RateLimitStore = {
      kind: 'hanging',
      consume(checks) {
        calls.push(checks.length)
        if (!hung) return inner.consume(checks)
        return new Promise<StoreDecision>((_, reject) =>
          setTimeout(() => reject(new Error('timed out')), hangMs),
        )
      },
    }
    const engine = makeEngine([rateLimit({ limit: 100, windowMs: 60_000, storeRetryMs: 50, store })])
    expect((await attempt(engine, client)).ok).toBe(true) // the one request that waited on the timeout
    // Past the retry interval, bursts of requests keep flowing: none waits for the probe.
    for (let burst = 0; burst < 4; burst++) {
      await new Promise((resolve) => setTimeout(resolve, 60))
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(engine, client)))
      expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
    }
    // No request waited on the store: only probes (decisions over no limits) reached it, one at a time.
    expect(calls.slice(1).every((count) => count === 0)).toBe(true)
    expect(calls.length).toBeLessThanOrEqual(1 + 4)
    hung = false
    await new Promise((resolve) => setTimeout(resolve, hangMs + 60))
    await attempt(engine, client) // starts the probe that sees the store back
    await new Promise((resolve) => setTimeout(resolve, 10))
    const back = await attempt(engine, client)
    expect(back.ok && back.result.meta.rateLimit?.source).toBe('store')
  })

  it('closes its stores when the engine closes', async () => {
    const { engine, state } = setup({})
    await engine.ready()
    await engine.close()
    expect(state.closed).toBe(true)
  })
})
