import { describe, expect, it } from 'vitest'
import { memoryStore, rateLimit } from '../src/index.js'
import { attempt, makeEngine, rule } from './helpers.js'

describe('memory store bound', () => {
  it('holds at most `max` counters through a million distinct keys', () => {
    const store = memoryStore({ max: 10_000 })
    const limit = rule('sliding-window', 5, 60_000)
    let peak = 0
    for (let i = 0; i < 1_000_000; i++) {
      const decision = store.consume([{ key: `k${i}`, rule: limit, cost: 1 }])
      if (!decision.allowed) throw new Error(`fresh key k${i} was refused`)
      if ((i & 0xfff) === 0) peak = Math.max(peak, store.size)
    }
    expect(Math.max(peak, store.size)).toBe(10_000)
    // The most recent clients are the ones kept: they are still counted.
    expect(store.consume([{ key: 'k999999', rule: limit, cost: 1 }]).outcomes[0]!.remaining).toBe(3)
    // The oldest were evicted and start afresh.
    expect(store.consume([{ key: 'k0', rule: limit, cost: 1 }]).outcomes[0]!.remaining).toBe(4)
  })

  it('stays bounded behind the plugin with many distinct client addresses', async () => {
    const store = memoryStore({ max: 500 })
    const engine = makeEngine([
      rateLimit({
        limits: [
          { limit: 5, windowMs: 1_000 },
          { limit: 50, windowMs: 60_000 },
        ],
        store,
      }),
    ])
    for (let i = 0; i < 5_000; i++) {
      await attempt(engine, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` })
    }
    expect(store.size).toBe(500)
  })
})
