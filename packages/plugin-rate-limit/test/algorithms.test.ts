import { describe, expect, it } from 'vitest'
import { memoryStore, type LimitRule } from '../src/index.js'
import { manualClock, rule, T0 } from './helpers.js'

function harness(...rules: LimitRule[]) {
  const clock = manualClock()
  const store = memoryStore({ clock: clock.now })
  const consume = (cost = 1, key = 'client') =>
    store.consume(rules.map((r, i) => ({ key: `${i}|${key}`, rule: r, cost })))
  /** How many unit requests pass in a row right now. */
  const drain = (max = 1000) => {
    let passed = 0
    while (passed < max && consume().allowed) passed++
    return passed
  }
  return { clock, store, consume, drain }
}

describe('fixed window', () => {
  it('admits `limit` per epoch-aligned window and reports the time to its end', () => {
    const { clock, consume } = harness(rule('fixed-window', 3, 10_000))
    clock.set(T0 + 2_000)
    expect([consume(), consume(), consume()].map((d) => d.outcomes[0])).toEqual([
      { allowed: true, remaining: 2, resetMs: 8_000, retryAfterMs: 0 },
      { allowed: true, remaining: 1, resetMs: 8_000, retryAfterMs: 0 },
      { allowed: true, remaining: 0, resetMs: 8_000, retryAfterMs: 0 },
    ])
    expect(consume()).toEqual({
      allowed: false,
      outcomes: [{ allowed: false, remaining: 0, resetMs: 8_000, retryAfterMs: 8_000 }],
    })
    clock.set(T0 + 9_999)
    expect(consume().allowed).toBe(false)
    clock.set(T0 + 10_000)
    expect(consume().outcomes[0]).toEqual({ allowed: true, remaining: 2, resetMs: 10_000, retryAfterMs: 0 })
  })

  it('lets a burst of twice the limit straddle a window edge (the reason sliding windows exist)', () => {
    const { clock, drain } = harness(rule('fixed-window', 10, 10_000))
    clock.set(T0 + 9_999)
    expect(drain()).toBe(10)
    clock.set(T0 + 10_000)
    expect(drain()).toBe(10)
  })
})

describe('sliding window', () => {
  it('weighs the previous window by how much of it is still inside the sliding window', () => {
    const { clock, consume, drain } = harness(rule('sliding-window', 10, 10_000))
    clock.set(T0 + 9_000)
    expect(drain()).toBe(10)
    // Window 1 starts: all of window 0 still counts.
    clock.set(T0 + 10_000)
    expect(consume()).toEqual({
      allowed: false,
      outcomes: [{ allowed: false, remaining: 0, resetMs: 10_000, retryAfterMs: 1_000 }],
    })
    clock.set(T0 + 11_000)
    expect(consume().outcomes[0]).toEqual({ allowed: true, remaining: 0, resetMs: 19_000, retryAfterMs: 0 })
    expect(consume().allowed).toBe(false)
    // Half of window 0 left: 10 × 0.5 + 1 = 6 counted, 4 more fit.
    clock.set(T0 + 15_000)
    expect(drain()).toBe(4)
    // Window 2: window 1 (5 requests) is now the previous window, whole.
    clock.set(T0 + 20_000)
    expect(drain()).toBe(5)
    // Two windows later nothing is remembered.
    clock.set(T0 + 40_000)
    expect(consume().outcomes[0]).toEqual({ allowed: true, remaining: 9, resetMs: 20_000, retryAfterMs: 0 })
  })

  it('does not let a burst straddle the window edge', () => {
    const { clock, drain } = harness(rule('sliding-window', 10, 10_000))
    clock.set(T0 + 9_999)
    expect(drain()).toBe(10)
    clock.set(T0 + 10_000)
    expect(drain()).toBe(0)
  })

  it('computes the wait when the current window alone is over the limit', () => {
    const { clock, consume, drain } = harness(rule('sliding-window', 10, 10_000))
    clock.set(T0 + 2_000)
    expect(drain()).toBe(10)
    // Needs window 1 to start (8 s) and then 10 × (1 − w/10 s) ≤ 9, i.e. 1 s more.
    expect(consume().outcomes[0]!.retryAfterMs).toBe(9_000)
    clock.set(T0 + 10_999)
    expect(consume().allowed).toBe(false)
    clock.set(T0 + 11_000)
    expect(consume().allowed).toBe(true)
  })
})

describe('token bucket', () => {
  it('admits a burst up to its capacity, then refills at limit per window', () => {
    const { clock, consume, drain } = harness(rule('token-bucket', 10, 10_000, 5))
    clock.set(T0)
    expect(consume().outcomes[0]).toEqual({ allowed: true, remaining: 4, resetMs: 1_000, retryAfterMs: 0 })
    expect(drain()).toBe(4)
    expect(consume().outcomes[0]).toEqual({
      allowed: false,
      remaining: 0,
      resetMs: 5_000,
      retryAfterMs: 1_000,
    })
    clock.set(T0 + 1_000)
    expect(drain()).toBe(1)
    clock.set(T0 + 3_500)
    expect(drain()).toBe(2)
    expect(consume().outcomes[0]).toEqual({ allowed: false, remaining: 0, resetMs: 4_500, retryAfterMs: 500 })
    clock.set(T0 + 100_000)
    expect(drain()).toBe(5)
  })

  it('never refills while the clock goes backwards', () => {
    const { clock, drain } = harness(rule('token-bucket', 10, 10_000, 2))
    clock.set(T0 + 5_000)
    expect(drain()).toBe(2)
    clock.set(T0)
    expect(drain()).toBe(0)
  })
})

describe('several limits and costs', () => {
  it('refuses when one limit refuses, and a refused request takes nothing from the others', () => {
    const { clock, consume } = harness(rule('fixed-window', 2, 1_000), rule('fixed-window', 5, 60_000))
    clock.set(T0)
    consume()
    consume()
    const refused = consume()
    expect(refused.allowed).toBe(false)
    expect(refused.outcomes).toEqual([
      { allowed: false, remaining: 0, resetMs: 1_000, retryAfterMs: 1_000 },
      { allowed: true, remaining: 3, resetMs: 60_000, retryAfterMs: 0 },
    ])
    clock.set(T0 + 1_000)
    expect([consume().allowed, consume().allowed, consume().allowed]).toEqual([true, true, false])
    clock.set(T0 + 2_000)
    expect(consume().allowed).toBe(true)
    const daily = consume()
    expect(daily.allowed).toBe(false)
    expect(daily.outcomes).toEqual([
      { allowed: true, remaining: 1, resetMs: 1_000, retryAfterMs: 0 },
      { allowed: false, remaining: 0, resetMs: 58_000, retryAfterMs: 58_000 },
    ])
  })

  it('takes `cost` units at once and checks without taking at cost 0', () => {
    const { clock, consume } = harness(rule('fixed-window', 10, 60_000))
    clock.set(T0)
    expect(consume(3).outcomes[0]!.remaining).toBe(7)
    expect(consume(3).outcomes[0]!.remaining).toBe(4)
    expect(consume(3).outcomes[0]!.remaining).toBe(1)
    expect(consume(3)).toMatchObject({ allowed: false, outcomes: [{ remaining: 1 }] })
    expect(consume(0)).toMatchObject({ allowed: true, outcomes: [{ remaining: 1 }] })
    expect(consume(1).outcomes[0]!.remaining).toBe(0)
  })

  it('keeps clients apart', () => {
    const { clock, consume } = harness(rule('fixed-window', 1, 60_000))
    clock.set(T0)
    expect(consume(1, 'a').allowed).toBe(true)
    expect(consume(1, 'a').allowed).toBe(false)
    expect(consume(1, 'b').allowed).toBe(true)
  })
})
