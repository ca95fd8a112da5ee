import { IxpError } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { manualClock, setup } from './helpers.js'

const SECOND = 1_000

describe('stale-while-revalidate', () => {
  it('serves the stale answer and refreshes it once in the background', async () => {
    const clock = manualClock()
    const { render, handler, plugin } = await setup({ clock: clock.now, ttl: 10, staleWhileRevalidate: 30 })
    handler.delayMs = 20
    await render()
    clock.advance(15 * SECOND)
    const stale = await Promise.all(Array.from({ length: 5 }, () => render()))
    expect(stale.map((result) => result.meta.cache)).toEqual(Array(5).fill('stale'))
    expect(stale.every((result) => result.props.call === 1)).toBe(true)
    expect(stale[0]!.meta.cacheAge).toBe(15)
    await plugin.idle()
    expect(handler.calls).toBe(2)
    const fresh = await render()
    expect(fresh.meta.cache).toBe('hit')
    expect(fresh.props.call).toBe(2)
    expect(plugin.stats()).toMatchObject({ stale: 5, refreshes: 1 })
  })

  it('renders in the foreground once the stale window is over', async () => {
    const clock = manualClock()
    const { render, handler } = await setup({ clock: clock.now, ttl: 10, staleWhileRevalidate: 30 })
    await render()
    clock.advance(40 * SECOND)
    expect((await render()).meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('does not tie the refresh to the caller that triggered it', async () => {
    const clock = manualClock()
    const { render, handler, plugin } = await setup({ clock: clock.now, ttl: 10, staleWhileRevalidate: 30 })
    await render()
    clock.advance(15 * SECOND)
    handler.delayMs = 30
    const leaving = new AbortController()
    const stale = await render({ id: '42' }, { signal: leaving.signal })
    leaving.abort()
    expect(stale.meta.cache).toBe('stale')
    await plugin.idle()
    const fresh = await render()
    expect(fresh.props.call).toBe(2)
    expect(fresh.meta.cache).toBe('hit')
  })

  it('keeps serving stale for staleIfError when the refresh fails, then gives up', async () => {
    const clock = manualClock()
    const { render, handler, plugin } = await setup({
      clock: clock.now,
      ttl: 10,
      staleWhileRevalidate: 10,
      staleIfError: 60,
    })
    await render()
    handler.fail = new IxpError('UPSTREAM_DOWN', 'down', { status: 503 })
    clock.advance(15 * SECOND)
    expect((await render()).meta.cache).toBe('stale')
    await plugin.idle()
    const refreshes: boolean[] = []
    plugin.events.on('refresh', (event) => refreshes.push(event.ok))
    clock.advance(20 * SECOND)
    const served = await render()
    expect(served.meta.cache).toBe('stale')
    expect(served.props.call).toBe(1)
    await plugin.idle()
    expect(refreshes).toEqual([false])
    clock.advance(60 * SECOND)
    await expect(render()).rejects.toMatchObject({ code: 'UPSTREAM_DOWN' })
  })

  it('without staleIfError, a failed refresh leaves the entry to expire at the end of the stale window', async () => {
    const clock = manualClock()
    const { render, handler, plugin } = await setup({ clock: clock.now, ttl: 10, staleWhileRevalidate: 10 })
    await render()
    handler.fail = new IxpError('UPSTREAM_DOWN', 'down', { status: 503 })
    clock.advance(12 * SECOND)
    expect((await render()).meta.cache).toBe('stale')
    await plugin.idle()
    clock.advance(10 * SECOND)
    await expect(render()).rejects.toMatchObject({ code: 'UPSTREAM_DOWN' })
  })

  it('drops the stale answer when the refresh says the question itself fails now (4xx)', async () => {
    const clock = manualClock()
    const { render, handler, plugin } = await setup({
      clock: clock.now,
      ttl: 10,
      staleWhileRevalidate: 30,
      staleIfError: 60,
    })
    await render()
    handler.fail = new IxpError('NOT_FOUND', 'no such product', { status: 404 })
    clock.advance(15 * SECOND)
    expect((await render()).meta.cache).toBe('stale')
    await plugin.idle()
    await expect(render()).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('serves stale after a failed foreground render when staleIfError allows it', async () => {
    const clock = manualClock()
    const { render, handler, plugin } = await setup({ clock: clock.now, ttl: 10, staleIfError: 60 })
    await render()
    clock.advance(15 * SECOND)
    handler.fail = new IxpError('UPSTREAM_DOWN', 'down', { status: 503 })
    await expect(render()).rejects.toMatchObject({ code: 'UPSTREAM_DOWN' })
    clock.advance(2 * SECOND)
    handler.fail = undefined
    const stale = await render()
    expect(stale.meta.cache).toBe('stale')
    expect(stale.props.call).toBe(1)
    await plugin.idle()
    const refreshed = await render()
    expect(refreshed.meta.cache).toBe('hit')
    expect(refreshed.props.call).toBe(3)
  })

  it('uses the windows an intent declares', async () => {
    const clock = manualClock()
    const { render, plugin } = await setup(
      { clock: clock.now },
      { cache: { ttl: 1, staleWhileRevalidate: 100 } },
    )
    await render()
    clock.advance(50 * SECOND)
    expect((await render()).meta.cache).toBe('stale')
    await plugin.idle()
  })
})
