import { describe, expect, it } from 'vitest'
import { BodyDeadlines, type PendingBody } from '../src/node/body-deadlines.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A pending body that records when it expired. */
function body(): PendingBody & { expiredAfterMs: number | undefined } {
  const startedAt = performance.now()
  const pending = {
    startedAt: 0,
    expiredAfterMs: undefined as number | undefined,
    expire: () => {
      pending.expiredAfterMs = performance.now() - startedAt
    },
  }
  return pending
}

describe('body deadlines (one sweeper instead of a timer per body)', () => {
  it('expires a body after at least the timeout, soon after it (an eighth of it, plus timer lateness)', async () => {
    const deadlines = new BodyDeadlines(160)
    const slow = body()
    deadlines.watch(slow)
    await sleep(100)
    expect(slow.expiredAfterMs).toBeUndefined()
    while (slow.expiredAfterMs === undefined) await sleep(20)
    expect(slow.expiredAfterMs).toBeGreaterThanOrEqual(159)
    // 180 ms at most on an idle machine; the bound leaves room for a loaded one's late timers.
    expect(slow.expiredAfterMs).toBeLessThan(2_000)
  })

  it('never expires a body that was unwatched (it arrived), and expires later ones on their own time', async () => {
    const deadlines = new BodyDeadlines(120)
    const arrived = body()
    deadlines.watch(arrived)
    deadlines.unwatch(arrived)
    await sleep(60)
    const late = body()
    deadlines.watch(late)
    while (late.expiredAfterMs === undefined) await sleep(20)
    expect(arrived.expiredAfterMs).toBeUndefined()
    expect(late.expiredAfterMs).toBeGreaterThanOrEqual(119)
  })
})
