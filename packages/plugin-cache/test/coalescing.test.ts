import { IxpError } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { cacheControl } from '../src/index.js'
import { delay, setup } from './helpers.js'

describe('request coalescing', () => {
  it('runs the handler once for 100 concurrent identical requests', async () => {
    const { render, handler, plugin } = await setup()
    handler.delayMs = 20
    const results = await Promise.all(Array.from({ length: 100 }, () => render({ id: '42' })))
    expect(handler.calls).toBe(1)
    const statuses = results.map((result) => result.meta.cache)
    expect(statuses.filter((status) => status === 'miss')).toHaveLength(1)
    expect(statuses.filter((status) => status === 'coalesced')).toHaveLength(99)
    expect(new Set(results.map((result) => JSON.stringify(result.props))).size).toBe(1)
    expect(new Set(results.map((result) => result.props)).size).toBe(100)
    expect(plugin.stats()).toMatchObject({ misses: 1, coalesced: 99, inFlight: 0 })
    expect((await render({ id: '42' })).meta.cache).toBe('hit')
  })

  it('runs one handler per key, not one for all', async () => {
    const { render, handler } = await setup()
    handler.delayMs = 10
    await Promise.all([render({ id: '1' }), render({ id: '2' }), render({ id: '1' }), render({ id: '2' })])
    expect(handler.calls).toBe(2)
  })

  it('gives waiters the same error when the render fails, and caches nothing', async () => {
    const { render, handler, plugin } = await setup()
    handler.delayMs = 20
    handler.fail = new IxpError('UPSTREAM_DOWN', 'the catalogue did not answer', { status: 502 })
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => render()))
    expect(handler.calls).toBe(1)
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'UPSTREAM_DOWN', status: 502 })
    }
    expect(plugin.stats().inFlight).toBe(0)
    handler.fail = undefined
    expect((await render()).meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('lets waiters outlive a timed-out owner: they get its late answer, which is also stored', async () => {
    // The owner times out at 300 ms; its handler answers at 400 ms, before the waiter's own deadline (550 ms).
    const { render, handler } = await setup({}, {}, { limits: { renderTimeoutMs: 300 } })
    handler.delayMs = 400
    const owner = render()
    await delay(250)
    const waiter = render()
    await expect(owner).rejects.toMatchObject({ code: 'RENDER_TIMEOUT' })
    const shared = await waiter
    expect(shared.meta.cache).toBe('coalesced')
    expect(shared.props.call).toBe(1)
    const later = await render()
    expect(later.meta.cache).toBe('hit')
    expect(handler.calls).toBe(1)
  })

  it('does not queue new requests behind a timed-out render', async () => {
    const { render, handler } = await setup({}, {}, { limits: { renderTimeoutMs: 40 } })
    handler.delayMs = 200
    await expect(render()).rejects.toMatchObject({ code: 'RENDER_TIMEOUT' })
    handler.delayMs = 0
    const fresh = await render()
    expect(fresh.meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('makes a waiter the new owner when the first caller goes away', async () => {
    const { render, handler } = await setup()
    handler.delayMs = 300
    const leaving = new AbortController()
    const owner = render({ id: '42' }, { signal: leaving.signal })
    await delay(5)
    const waiter = render()
    leaving.abort()
    await expect(owner).rejects.toMatchObject({ code: 'ABORTED' })
    const result = await waiter
    expect(result.meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('stops a waiter at its own deadline', async () => {
    const { render, handler } = await setup()
    handler.delayMs = 300
    const owner = render()
    await delay(5)
    const impatient = new AbortController()
    const waiter = render({ id: '42' }, { signal: impatient.signal })
    impatient.abort()
    await expect(waiter).rejects.toMatchObject({ code: 'ABORTED' })
    expect((await owner).meta.cache).toBe('miss')
    expect(handler.calls).toBe(1)
  })

  it('lets each waiter render alone when the answer cannot be shared', async () => {
    const { render, handler } = await setup()
    handler.delayMs = 10
    handler.extra = { when: new Date(0) }
    const results = await Promise.all([render(), render(), render()])
    expect(results.map((result) => result.meta.cache)).toEqual(['miss', 'miss', 'miss'])
    expect(handler.calls).toBe(3)
  })

  it('shares an answer marked noStore with concurrent requests without storing it', async () => {
    let calls = 0
    const { render } = await setup(
      {},
      {
        handler: async (_params, ctx) => {
          calls++
          await delay(10)
          cacheControl(ctx).noStore()
          return { calls }
        },
      },
    )
    const results = await Promise.all([render(), render()])
    expect(results.map((result) => result.meta.cache)).toEqual(['miss', 'coalesced'])
    expect((await render()).meta.cache).toBe('miss')
    expect(calls).toBe(2)
  })

  it('can be turned off', async () => {
    const { render, handler } = await setup({ coalesce: false })
    handler.delayMs = 10
    await Promise.all(Array.from({ length: 5 }, () => render()))
    expect(handler.calls).toBe(5)
  })
})
