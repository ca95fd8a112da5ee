/**
 * Commands and the one invalidation path: commands are never cached or coalesced, a command's `invalidates`
 * purges the answers tagged by `cacheTags`, `engine.invalidate()` purges like `invalidateTag()`, and the
 * per-user scope keys on the principal's kind and id.
 */
import { IxpError, type Invalidation, type IxpContext } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { asUser, setup } from './helpers.js'

async function shop() {
  const fixture = await setup({}, { cacheTags: (p) => [`product:${String(p.id)}`] })
  let restocks = 0
  fixture.engine.registerIntent({
    name: 'restock',
    kind: 'command',
    description: 'Restocks a product',
    component: 'Card',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    invalidates: (p) => [`product:${String(p.id)}`],
    handler: async () => ({ call: ++restocks }),
  })
  const restock = (id: string, context: IxpContext = {}) =>
    fixture.engine.render({ intent: { name: 'restock', parameters: { id } } }, context)
  return { ...fixture, restock, restocks: () => restocks }
}

describe('commands', () => {
  it('are never cached: every call runs the handler, and the answer says bypass', async () => {
    const { restock, restocks, plugin } = await shop()
    const reasons: string[] = []
    plugin.events.on('bypass', (event) => reasons.push(event.reason))
    expect((await restock('1')).meta.cache).toBe('bypass')
    expect((await restock('1')).meta.cache).toBe('bypass')
    expect(restocks()).toBe(2)
    expect(reasons).toEqual(['command', 'command'])
    expect(plugin.stats().entries).toBe(0)
    expect(await plugin.keyFor({ intent: { name: 'restock', parameters: { id: '1' } } })).toBeUndefined()
  })

  it('are never coalesced: concurrent identical commands each run', async () => {
    const { restock, restocks } = await shop()
    await Promise.all([restock('1'), restock('1'), restock('1')])
    expect(restocks()).toBe(3)
  })

  it('refuse cache options at registration (INVALID_DEFINITION at cache)', async () => {
    const { engine } = await shop()
    const register = (cache: unknown) =>
      engine.registerIntent(
        {
          name: 'restock',
          kind: 'command',
          description: 'Restocks',
          component: 'Card',
          parameters: { type: 'object' },
          cache: cache as never,
        },
        { replace: true },
      )
    expect(() => register({ ttl: 5 })).toThrow(/cache must be false or left out: a command/)
    expect(() => register(true)).toThrow(IxpError)
    expect(() => register(false)).not.toThrow()
  })

  it("purge the answers their invalidates names once they succeed, and the query's result carries its tags", async () => {
    const { render, restock, handler } = await shop()
    const first = await render({ id: '1' })
    expect(first.meta.cache).toBe('miss')
    expect(first.tags).toEqual(['product:1'])
    const hit = await render({ id: '1' })
    expect(hit.meta.cache).toBe('hit')
    expect(hit.tags).toEqual(['product:1'])
    await render({ id: '2' })
    await restock('1')
    const after = await render({ id: '1' })
    expect(after.meta.cache).toBe('miss')
    expect(after.props.call).toBe(handler.calls)
    expect((await render({ id: '2' })).meta.cache).toBe('hit')
  })
})

describe('engine.invalidate()', () => {
  it('purges tags and intents like invalidateTag()/invalidateIntent(), which go through it', async () => {
    const { engine, plugin, render } = await shop()
    const events: Invalidation[] = []
    engine.events.on('invalidate', (event) => events.push(event))
    await render({ id: '1' })
    await render({ id: '2' })
    engine.invalidate({ tags: ['product:1'] })
    expect((await render({ id: '1' })).meta.cache).toBe('miss')
    expect((await render({ id: '2' })).meta.cache).toBe('hit')
    expect(await plugin.invalidateTag('product:2')).toBe(1)
    expect(await plugin.invalidateIntent('product')).toBe(1)
    expect(events).toEqual([
      { tags: ['product:1'], intents: [], remote: false },
      { tags: ['product:2'], intents: [], remote: false },
      { tags: [], intents: ['product'], remote: false },
    ])
    expect(plugin.stats().entries).toBe(0)
  })

  it('stops listening when the engine closes', async () => {
    const { engine } = await shop()
    expect(engine.events.listenerCount('invalidate')).toBe(1)
    await engine.close()
    expect(engine.events.listenerCount('invalidate')).toBe(0)
  })
})

describe('per-user scope', () => {
  it("keys on the principal's kind and id: a token whose subject is an API key's id gets its own answer", async () => {
    const { render, handler } = await setup({}, { cache: { scope: 'user' } })
    const key = { user: { id: 'admin-key', roles: ['admin'], permissions: [], method: 'api-key' } }
    const token = { user: { id: 'admin-key', roles: [], permissions: [], method: 'jwt' } }
    const asKey = await render({ id: '1' }, key as unknown as IxpContext)
    expect(asKey.meta.cache).toBe('miss')
    const asToken = await render({ id: '1' }, token as unknown as IxpContext)
    expect(asToken.meta.cache).toBe('miss')
    expect(asToken.props.call).toBe(2)
    expect(handler.calls).toBe(2)
    expect((await render({ id: '1' }, asUser('admin-key'))).meta.cache).toBe('hit')
  })
})
