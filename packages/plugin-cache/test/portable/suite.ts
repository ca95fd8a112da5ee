/**
 * The main entry on runtimes without Node built-ins or code generation (workerd): hits, coalescing,
 * per-user scope, hashed keys (Web Crypto), tags and stale-while-revalidate through a real engine. Uses the
 * core's dependency-free harness, since vitest cannot run there.
 */
import { createEngine, silentLogger, type IxpContext } from '@ixp/core'
import { assert, describe, equal, sleep, test } from '../../../core/test/portable/harness.js'
import { cache, cacheControl, type CacheOptions } from '../../src/index.js'

async function fixture(options: CacheOptions = {}) {
  const plugin = cache(options)
  const engine = createEngine({ logger: silentLogger, plugins: [plugin] })
  const counter = { calls: 0 }
  engine.registerComponent({
    name: 'Card',
    render: (props) => ({ type: 'card', props: {}, children: [String(props.call)] }),
  })
  engine.registerIntent({
    name: 'product',
    description: 'A product',
    component: 'Card',
    parameters: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' } } },
    cache: { tags: (params) => [`product:${String(params.id)}`] },
    handler: async (params, ctx) => {
      counter.calls++
      const call = counter.calls
      await sleep(5)
      if (params.id === 'tagged') cacheControl(ctx).tag('extra')
      return { call, user: (ctx.user as { id?: string } | undefined)?.id ?? null }
    },
  })
  await engine.ready()
  const render = (parameters: Record<string, unknown> = { id: '1' }, context: IxpContext = {}) =>
    engine.render({ intent: { name: 'product', parameters } }, context)
  return { plugin, engine, counter, render }
}

const user = (id: string) =>
  ({ user: { id, roles: [], permissions: [], method: 'api-key' } }) as unknown as IxpContext

describe('plugin-cache', () => {
  test('answers the second render from the cache', async () => {
    const { render, counter } = await fixture()
    equal((await render()).meta.cache, 'miss')
    const hit = await render()
    equal(hit.meta.cache, 'hit')
    equal(hit.props.call, 1)
    equal(counter.calls, 1)
  })

  test('runs the handler once for concurrent identical renders', async () => {
    const { render, counter } = await fixture()
    const results = await Promise.all(Array.from({ length: 20 }, () => render()))
    equal(counter.calls, 1)
    equal(results.filter((result) => result.meta.cache === 'coalesced').length, 19)
  })

  test('keeps users apart', async () => {
    const { render } = await fixture()
    await render({ id: '1' }, user('alice'))
    const bob = await render({ id: '1' }, user('bob'))
    equal(bob.meta.cache, 'miss')
    equal(bob.props.user, 'bob')
  })

  test('hashes long parameters with Web Crypto', async () => {
    const { render, plugin } = await fixture()
    const text = 'x'.repeat(500)
    await render({ id: '1', text })
    equal((await render({ id: '1', text })).meta.cache, 'hit')
    const key = await plugin.keyFor({ intent: { name: 'product', parameters: { id: '1', text } } })
    assert(typeof key === 'string' && /:#[A-Za-z0-9_-]{43}$/.test(key), `unexpected key ${String(key)}`)
  })

  test('invalidates by tag', async () => {
    const { render, plugin } = await fixture()
    await render({ id: 'tagged' })
    equal(await plugin.invalidateTag('extra'), 1)
    equal((await render({ id: 'tagged' })).meta.cache, 'miss')
  })

  test('serves stale while one refresh runs', async () => {
    let now = Date.UTC(2030, 0, 1)
    const { render, plugin, counter } = await fixture({ clock: () => now, ttl: 1, staleWhileRevalidate: 60 })
    await render()
    now += 5_000
    equal((await render()).meta.cache, 'stale')
    await plugin.idle()
    equal(counter.calls, 2)
    const fresh = await render()
    equal(fresh.meta.cache, 'hit')
    equal(fresh.props.call, 2)
  })
})
