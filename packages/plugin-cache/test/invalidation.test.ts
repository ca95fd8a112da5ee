import { describe, expect, it } from 'vitest'
import { cacheControl, type InvalidationTarget } from '../src/index.js'
import { delay, setup } from './helpers.js'

describe('invalidation', () => {
  it('drops entries by the tags an intent declares', async () => {
    const { render, plugin, handler } = await setup(
      {},
      { cache: { tags: (params) => [`product:${String(params.id)}`, 'catalogue'] } },
    )
    await render({ id: '1' })
    await render({ id: '2' })
    expect(await plugin.invalidateTag('product:1')).toBe(1)
    expect((await render({ id: '1' })).meta.cache).toBe('miss')
    expect((await render({ id: '2' })).meta.cache).toBe('hit')
    expect(await plugin.invalidateTag(['catalogue'])).toBe(2)
    expect((await render({ id: '2' })).meta.cache).toBe('miss')
    expect(handler.calls).toBe(4)
  })

  it('drops entries by the tags a handler attaches', async () => {
    const { render, plugin } = await setup(
      {},
      {
        cache: { tags: ['static'] },
        handler: (params, ctx) => {
          cacheControl(ctx).tag(`product:${String(params.id)}`)
          return { id: params.id }
        },
      },
    )
    const tags: (readonly string[])[] = []
    plugin.events.on('set', (event) => tags.push(event.tags))
    await render({ id: '9' })
    expect(tags).toEqual([['static', 'product:9']])
    await plugin.invalidateTag('product:9')
    expect((await render({ id: '9' })).meta.cache).toBe('miss')
  })

  it('drops every entry of an intent, by key, or everything', async () => {
    const { engine, render, plugin } = await setup()
    engine.registerIntent({ ...engine.intents.get('product')!, name: 'other' })
    await render({ id: '1' })
    await render({ id: '2' })
    await render({ id: '1' }, {}, 'other')
    expect(await plugin.invalidateIntent('product')).toBe(2)
    expect((await render({ id: '1' }, {}, 'other')).meta.cache).toBe('hit')
    expect((await render({ id: '1' })).meta.cache).toBe('miss')

    const key = await plugin.keyFor({ intent: { name: 'product', parameters: { id: '1' } } })
    expect(await plugin.invalidate(key!)).toBe(1)
    expect((await render({ id: '1' })).meta.cache).toBe('miss')

    expect(await plugin.clear()).toBe(2)
    expect(plugin.stats().entries).toBe(0)
  })

  it('reports each invalidation as an event', async () => {
    const { render, plugin } = await setup({}, { cache: { tags: ['t'] } })
    const seen: { target: InvalidationTarget; origin: string; removed: number }[] = []
    plugin.events.on('invalidate', (event) => seen.push(event))
    await render()
    await plugin.invalidateTag('t')
    expect(seen).toEqual([{ target: { kind: 'tags', values: ['t'] }, origin: 'local', removed: 1 }])
    expect(plugin.stats().invalidations).toBe(1)
  })

  it('does not store an answer whose render started before an invalidation that covers it', async () => {
    const { render, plugin, handler } = await setup({}, { cache: { tags: ['product:1'] } })
    handler.delayMs = 300
    const rendering = render({ id: '1' })
    await delay(5)
    await plugin.invalidateTag('product:1')
    const result = await rendering
    expect(result.meta.cache).toBe('miss')
    expect(plugin.stats().sets).toBe(0)
    handler.delayMs = 0
    expect((await render({ id: '1' })).meta.cache).toBe('miss')
  })

  it('still stores answers an unrelated invalidation does not cover', async () => {
    const { render, plugin, handler } = await setup({}, { cache: { tags: ['product:1'] } })
    handler.delayMs = 300
    const rendering = render({ id: '1' })
    await delay(5)
    await plugin.invalidateTag('product:2')
    await plugin.invalidateIntent('something-else')
    await rendering
    expect(plugin.stats().sets).toBe(1)
  })
})
