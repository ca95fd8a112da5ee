// A remote component is registered below: its checks come with `@ixp/core/remote`.
import '@ixp/core/remote'
import { createEngine, IxpError, silentLogger, type IxpContext } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { cache, cacheControl, CacheErrorCodes } from '../src/index.js'
import { asUser, manualClock, recordingLogger, setup } from './helpers.js'

describe('hits and misses', () => {
  it('runs the handler once, then answers from the cache with meta.cache and its age', async () => {
    const clock = manualClock()
    const { render, handler } = await setup({ clock: clock.now })
    const first = await render()
    expect(first.meta.cache).toBe('miss')
    clock.advance(2_500)
    const second = await render()
    expect(second.meta.cache).toBe('hit')
    expect(second.meta.cacheAge).toBe(2)
    expect(handler.calls).toBe(1)
    expect(second.props).toEqual(first.props)
    expect(second.tree).toEqual(first.tree)
    expect(second.ttl).toBe(first.ttl)
    expect(second.component).toEqual(first.component)
    expect(second.intent).toBe('product')
  })

  it('hands every hit its own copy', async () => {
    const { render } = await setup()
    await render()
    const hit = await render()
    ;(hit.props.echo as Record<string, unknown>).id = 'changed'
    const again = await render()
    expect((again.props.echo as Record<string, unknown>).id).toBe('42')
  })

  it('ignores the order of parameters and tells different ones apart', async () => {
    const { render, handler } = await setup()
    await render({ id: '42', lang: 'en' })
    expect((await render({ lang: 'en', id: '42' })).meta.cache).toBe('hit')
    expect((await render({ id: '42', lang: 'fr' })).meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('keys on request options too (they become props)', async () => {
    const { engine, handler } = await setup()
    const request = (options?: Record<string, unknown>) => ({
      intent: { name: 'product', parameters: { id: '1' } },
      options,
    })
    await engine.render(request({ theme: 'dark' }))
    expect((await engine.render(request({ theme: 'light' }))).meta.cache).toBe('miss')
    expect((await engine.render(request({ theme: 'dark' }))).meta.cache).toBe('hit')
    expect(handler.calls).toBe(2)
  })

  it('does not cache failures', async () => {
    const { render, handler } = await setup()
    handler.fail = new IxpError('UPSTREAM_DOWN', 'the catalogue did not answer', { status: 502 })
    await expect(render()).rejects.toMatchObject({ code: 'UPSTREAM_DOWN' })
    handler.fail = undefined
    expect((await render()).meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('caches remote component records', async () => {
    const plugin = cache()
    const engine = createEngine({ logger: silentLogger, plugins: [plugin] })
    engine.registerComponent({
      name: 'Remote',
      remoteUrl: 'https://cdn.example/remote.js',
      exportName: 'Remote',
    })
    let calls = 0
    engine.registerIntent({
      name: 'remote',
      description: 'A remote card',
      component: 'Remote',
      parameters: { type: 'object', properties: {} },
      handler: () => ({ calls: ++calls }),
    })
    const first = await engine.render({ intent: { name: 'remote', parameters: {} } })
    const second = await engine.render({ intent: { name: 'remote', parameters: {} } })
    expect(second.meta.cache).toBe('hit')
    expect(second.record).toEqual(first.record)
    expect(second.tree).toBeUndefined()
    expect(calls).toBe(1)
  })
})

describe('TTL', () => {
  it("follows the render's ttl by default (the IXP rules)", async () => {
    const clock = manualClock()
    const { render, handler } = await setup({ clock: clock.now }, { ttl: 60 })
    expect((await render()).ttl).toBe(60)
    clock.advance(59_999)
    expect((await render()).meta.cache).toBe('hit')
    clock.advance(1)
    expect((await render()).meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it("is overridden by the plugin, then by the intent's cache.ttl, then by the handler", async () => {
    const clock = manualClock()
    const plugin = await setup({ clock: clock.now, ttl: 30 })
    await plugin.render()
    clock.advance(30_000)
    expect((await plugin.render()).meta.cache).toBe('miss')

    const intent = await setup(
      { clock: clock.now, ttl: 30 },
      { cache: { ttl: (params) => (params.id === 'short' ? 1 : 100) } },
    )
    await intent.render({ id: 'short' })
    await intent.render({ id: 'long' })
    clock.advance(50_000)
    expect((await intent.render({ id: 'short' })).meta.cache).toBe('miss')
    expect((await intent.render({ id: 'long' })).meta.cache).toBe('hit')

    const control = { calls: 0 }
    const handled = await setup(
      { clock: clock.now },
      {
        cache: { ttl: 100 },
        handler: (_params, ctx) => {
          control.calls++
          cacheControl(ctx).ttl(5)
          return { at: control.calls }
        },
      },
    )
    await handled.render()
    clock.advance(4_000)
    expect((await handled.render()).meta.cache).toBe('hit')
    clock.advance(1_000)
    expect((await handled.render()).meta.cache).toBe('miss')
  })

  it('does not store an answer whose TTL is 0 or that the handler marks noStore', async () => {
    const zero = await setup({}, { ttl: 0 })
    await zero.render()
    expect((await zero.render()).meta.cache).toBe('miss')
    expect(zero.plugin.stats().sets).toBe(0)

    let calls = 0
    const noStore = await setup(
      {},
      {
        handler: (_params, ctx) => {
          calls++
          cacheControl(ctx).noStore()
          return {}
        },
      },
    )
    await noStore.render()
    await noStore.render()
    expect(calls).toBe(2)
  })
})

describe('scope', () => {
  it('shares between anonymous callers and keeps signed-in callers apart by default', async () => {
    const { render, handler } = await setup()
    await render()
    expect((await render()).meta.cache).toBe('hit')
    const alice = await render({ id: '42' }, asUser('alice'))
    expect(alice.meta.cache).toBe('miss')
    expect(alice.props.user).toBe('alice')
    const bob = await render({ id: '42' }, asUser('bob'))
    expect(bob.meta.cache).toBe('miss')
    expect(bob.props.user).toBe('bob')
    const aliceAgain = await render({ id: '42' }, asUser('alice'))
    expect(aliceAgain.meta.cache).toBe('hit')
    expect(aliceAgain.props.user).toBe('alice')
    expect(handler.calls).toBe(3)
  })

  it('never caches an intent with an auth requirement for a caller without a user', async () => {
    const { render, handler, plugin } = await setup({ defaultScope: 'public' }, {
      auth: { roles: ['member'] },
    } as never)
    expect((await render()).meta.cache).toBe('bypass')
    expect((await render()).meta.cache).toBe('bypass')
    expect(handler.calls).toBe(2)
    await render({ id: '42' }, asUser('alice'))
    const bob = await render({ id: '42' }, asUser('bob'))
    expect(bob.meta.cache).toBe('miss')
    expect(bob.props.user).toBe('bob')
    const events: string[] = []
    plugin.events.on('bypass', (event) => events.push(event.reason))
    await render()
    expect(events).toEqual(['no-identity'])
  })

  it('shares an intent declared public between users, and a tenant intent within a tenant', async () => {
    const shared = await setup({}, { cache: { scope: 'public' } })
    await shared.render({ id: '1' }, asUser('alice'))
    expect((await shared.render({ id: '1' }, asUser('bob'))).meta.cache).toBe('hit')

    const tenant = await setup({}, { cache: { scope: 'tenant' } })
    await tenant.render({ id: '1' }, asUser('alice', { tenant: 'acme' }))
    expect((await tenant.render({ id: '1' }, asUser('bob', { tenant: 'acme' }))).meta.cache).toBe('hit')
    expect((await tenant.render({ id: '1' }, asUser('carol', { tenant: 'globex' }))).meta.cache).toBe('miss')
    expect((await tenant.render({ id: '1' })).meta.cache).toBe('bypass')
  })

  it('takes the identity from a custom function', async () => {
    const { render } = await setup({
      identify: (ctx) => ({ user: ctx.session as string | undefined }),
      defaultScope: 'user',
    })
    await render({ id: '1' }, { session: 's1' })
    expect((await render({ id: '1' }, { session: 's1' })).meta.cache).toBe('hit')
    expect((await render({ id: '1' }, { session: 's2' })).meta.cache).toBe('miss')
    expect((await render({ id: '1' })).meta.cache).toBe('bypass')
  })
})

describe('bypass and refresh', () => {
  it("skips the cache for ctx.cache = 'bypass' and re-renders and stores for 'refresh'", async () => {
    const { render, handler } = await setup()
    await render()
    const bypassed = await render({ id: '42' }, { cache: 'bypass' })
    expect(bypassed.meta.cache).toBe('bypass')
    expect(bypassed.props.call).toBe(2)
    expect((await render()).props.call).toBe(1)
    const refreshed = await render({ id: '42' }, { cache: 'refresh' })
    expect(refreshed.meta.cache).toBe('miss')
    expect(refreshed.props.call).toBe(3)
    const after = await render()
    expect(after.meta.cache).toBe('hit')
    expect(after.props.call).toBe(3)
    expect(handler.calls).toBe(3)
  })

  it('skips intents with cache: false, those not opting in, and renders the predicate picks', async () => {
    const off = await setup({}, { cache: false })
    await off.render()
    expect((await off.render()).meta.cache).toBe('bypass')

    const optIn = await setup({ intents: 'opt-in' })
    await optIn.render()
    expect((await optIn.render()).meta.cache).toBe('bypass')
    const optedIn = await setup({ intents: 'opt-in' }, { cache: true })
    await optedIn.render()
    expect((await optedIn.render()).meta.cache).toBe('hit')

    const predicate = await setup({ bypass: (state) => state.parameters?.id === 'live' })
    await predicate.render({ id: 'live' })
    expect((await predicate.render({ id: 'live' })).meta.cache).toBe('bypass')
    await predicate.render({ id: 'other' })
    expect((await predicate.render({ id: 'other' })).meta.cache).toBe('hit')
  })
})

describe('keys', () => {
  it('vary by what varyBy returns and can be replaced by a key function', async () => {
    const varied = await setup(
      {},
      { cache: { varyBy: (_params, ctx) => ctx.headers?.['accept-language'] ?? null } },
    )
    const lang = (value: string): IxpContext => ({ headers: { 'accept-language': value } })
    await varied.render({ id: '1' }, lang('en'))
    expect((await varied.render({ id: '1' }, lang('de'))).meta.cache).toBe('miss')
    expect((await varied.render({ id: '1' }, lang('en'))).meta.cache).toBe('hit')

    const keyed = await setup({}, { cache: { key: (params) => String(params.id).toLowerCase() } })
    await keyed.render({ id: 'ABC' })
    expect((await keyed.render({ id: 'abc' })).meta.cache).toBe('hit')
  })

  it('change with the intent version, so a deploy starts afresh', async () => {
    const { engine, render, handler } = await setup()
    await render()
    const definition = engine.intents.get('product')!
    engine.registerIntent({ ...definition, version: '2.0.0' }, { replace: true })
    expect((await render()).meta.cache).toBe('miss')
    expect(handler.calls).toBe(2)
  })

  it('are what keyFor returns', async () => {
    const { plugin, render } = await setup()
    const seen: string[] = []
    plugin.events.on('miss', (event) => seen.push(event.key))
    await render({ id: '7' }, asUser('alice'))
    expect(
      await plugin.keyFor({ intent: { name: 'product', parameters: { id: '7' } } }, asUser('alice')),
    ).toBe(seen[0])
    expect(seen[0]).toContain(':u=/api-key/alice:')
    expect(await plugin.keyFor({ intent: { name: 'missing' } })).toBeUndefined()
  })

  it('follow the parameters asked, whatever was asked just before (equal parameters reuse their material)', async () => {
    const { plugin } = await setup()
    const key = (parameters: Record<string, unknown>) =>
      plugin.keyFor({ intent: { name: 'product', parameters } })
    const withProto = Object.assign(Object.create({ inherited: 1 }) as Record<string, unknown>, { id: '1' })
    const asked: Record<string, unknown>[] = [
      { id: '1' },
      { id: '1' },
      { id: '2' },
      { id: '1', lang: 'en' },
      { lang: 'en', id: '1' },
      { id: '1', lang: undefined },
      { id: '1' },
      { id: 1 },
      { id: '1' },
      withProto,
      { id: '1' },
    ]
    const keys: (string | undefined)[] = []
    for (const parameters of asked) keys.push(await key(parameters))
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
    expect(keys[3]).not.toBe(keys[0])
    expect(keys[4]).toBe(keys[3])
    expect(keys[5]).toBe(keys[0])
    expect(keys[7]).not.toBe(keys[0])
    expect(keys[8]).toBe(keys[0])
    // Not a plain object: not cached, whatever it holds.
    expect(keys[9]).toBeUndefined()
    expect(keys[10]).toBe(keys[0])
  })

  it('follow the render asked, whatever was asked just before (the last key is reused only for the same render)', async () => {
    const { plugin, engine, render } = await setup()
    const seen: string[] = []
    plugin.events.on('hit', (event) => seen.push(event.key))
    plugin.events.on('miss', (event) => seen.push(event.key))
    const key = (id: string, context: IxpContext = {}) =>
      plugin.keyFor({ intent: { name: 'product', parameters: { id } } }, context)
    const asked: [string, IxpContext][] = [
      ['1', {}],
      ['2', {}],
      ['2', asUser('alice')],
      ['2', {}],
      ['1', {}],
    ]
    for (const [id, context] of asked) await render({ id }, context)
    expect(seen).toEqual(await Promise.all(asked.map(([id, context]) => key(id, context))))
    expect(new Set(seen).size).toBe(3)
    const definition = engine.intents.get('product')!
    engine.registerIntent(Object.assign({}, definition, { version: '2.0.0' }), { replace: true })
    expect((await render({ id: '1' })).meta.cache).toBe('miss')
    expect(seen.at(-1)).toBe(await key('1'))
    expect(seen.at(-1)).not.toBe(seen[0])
  })

  it('bypass (and warn once) when the key material is not plain JSON or a key function throws', async () => {
    const logger = recordingLogger()
    const { render } = await setup(
      {},
      { cache: { varyBy: (params) => (params.id === 'bad' ? new Date(0) : 1) } },
      { logger },
    )
    expect((await render({ id: 'bad' })).meta.cache).toBe('bypass')
    expect((await render({ id: 'bad' })).meta.cache).toBe('bypass')
    expect(logger.lines.filter((line) => line.message.includes('key material'))).toHaveLength(1)
    expect((await render({ id: 'ok' })).meta.cache).toBe('miss')

    const throwing = await setup({
      key: () => {
        throw new Error('boom')
      },
    })
    expect((await throwing.render()).meta.cache).toBe('bypass')
    expect(throwing.plugin.stats()).toMatchObject({ errors: 1, bypasses: 1 })
    expect(throwing.handler.calls).toBe(1)
  })
})

describe('values that cannot be serialised', () => {
  it('are served but not cached, with one warning', async () => {
    const logger = recordingLogger()
    const { render, handler, plugin } = await setup({}, {}, { logger })
    handler.extra = { when: new Date(0) }
    const first = await render()
    expect(first.props.when).toBeInstanceOf(Date)
    await render()
    await render()
    expect(handler.calls).toBe(3)
    expect(plugin.stats().sets).toBe(0)
    const warnings = logger.lines.filter((line) => line.message.includes('not plain JSON'))
    expect(warnings).toHaveLength(1)
  })
})

describe('bounds, stats, events and health', () => {
  it('evicts the least recently used entry beyond max and reports it', async () => {
    const { render, plugin } = await setup({ max: 2 })
    const evicted: string[] = []
    plugin.events.on('evict', (event) => evicted.push(event.key))
    await render({ id: '1' })
    await render({ id: '2' })
    await render({ id: '1' })
    await render({ id: '3' })
    expect(evicted).toHaveLength(1)
    expect(evicted[0]).toContain('"2"')
    expect((await render({ id: '1' })).meta.cache).toBe('hit')
    expect((await render({ id: '2' })).meta.cache).toBe('miss')
    expect(plugin.stats()).toMatchObject({ evictions: 2, entries: 2 })
  })

  it('stays within maxSize bytes', async () => {
    const { render, plugin, handler } = await setup({ max: 0, maxSize: 2_000 })
    handler.extra = { blob: 'x'.repeat(500) }
    for (let i = 0; i < 10; i++) await render({ id: String(i) })
    const stats = plugin.stats()
    expect(stats.bytes).toBeLessThanOrEqual(2_000)
    expect(stats.bytes).toBeGreaterThan(1_000)
    expect(stats.entries).toBeLessThan(10)
    expect(stats.evictions).toBe(10 - stats.entries)
  })

  it('counts and emits what happens, and reports in the health check', async () => {
    const { render, plugin, engine } = await setup()
    const events: string[] = []
    for (const name of ['hit', 'miss', 'set', 'bypass'] as const)
      plugin.events.on(name, () => events.push(name))
    await render()
    await render()
    await render({ id: '42' }, { cache: 'bypass' })
    expect(events).toEqual(['miss', 'set', 'hit', 'bypass'])
    expect(plugin.stats()).toMatchObject({
      hits: 1,
      misses: 1,
      bypasses: 1,
      sets: 1,
      entries: 1,
      inFlight: 0,
    })
    expect(plugin.stats().bytes).toBeGreaterThan(0)
    const health = await engine.health()
    expect(health.checks.cache).toMatchObject({ status: 'pass', entries: 1, hitRatio: 0.5 })
  })
})

describe('misuse', () => {
  it('refuses bad options at creation, naming the option', () => {
    expect(() => cache({ max: -1 })).toThrow(expect.objectContaining({ code: 'CACHE_INVALID_OPTIONS' }))
    expect(() => cache({ max: 0 })).toThrow(/max/)
    expect(() => cache({ staleWhileRevalidate: Number.NaN })).toThrow(/staleWhileRevalidate/)
    expect(() => cache({ defaultScope: 'everyone' as never })).toThrow(/defaultScope/)
    expect(() => cache({ lock: true })).toThrow(/lock/)
    expect(() => cache({ store: { name: 'x' } as never })).toThrow(/store/)
  })

  it("refuses the old clock option name 'now', pointing to 'clock'", () => {
    expect(() => cache({ now: () => 0 } as never)).toThrow(
      expect.objectContaining({ code: 'CACHE_INVALID_OPTIONS', details: { option: 'now' } }),
    )
    expect(() => cache({ now: () => 0 } as never)).toThrow(/renamed 'clock'/)
  })

  it('builds every code from its table: status, template and expose', async () => {
    const plugin = cache()
    await expect(plugin.keyFor({ intent: { name: 'x' } } as never, {} as never)).rejects.toMatchObject({
      code: 'CACHE_NOT_INSTALLED',
      status: 500,
      expose: false,
      message: 'keyFor() needs the plugin installed on an engine (engine.use(cache))',
    })
    expect(CacheErrorCodes).toEqual({
      CACHE_INVALID_OPTIONS: 500,
      CACHE_INVALID_DIRECTIVE: 500,
      CACHE_INVALID_ARGUMENT: 500,
      CACHE_NOT_INSTALLED: 500,
      CACHE_STORE_UNAVAILABLE: 503,
      IDEMPOTENCY_KEY_INVALID: 400,
      IDEMPOTENCY_KEY_MISMATCH: 422,
      IDEMPOTENCY_KEY_IN_USE: 409,
      IDEMPOTENCY_UNAVAILABLE: 503,
    })
  })

  it('refuses an intent with an unusable cache field, at registration or when the plugin is applied', async () => {
    const { engine } = await setup()
    const register = (field: unknown) =>
      engine.registerIntent({
        name: 'bad',
        description: 'bad',
        component: 'Card',
        parameters: { type: 'object' },
        cache: field as never,
      })
    expect(() => register({ ttl: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_DEFINITION' }))
    expect(() => register({ scope: 'world' })).toThrow(/cache\.scope/)
    expect(() => register({ tags: ['ok', ''] })).toThrow(/cache\.tags\.1/)
    expect(() => register({ tll: 5 })).toThrow(/cache\.tll is not a known field/)

    const early = createEngine({ logger: silentLogger })
    early.registerIntent({
      name: 'bad',
      description: 'bad',
      component: 'Card',
      parameters: { type: 'object' },
      cache: 'yes' as never,
    })
    early.use(cache())
    await expect(early.ready()).rejects.toMatchObject({ code: 'PLUGIN_APPLY_FAILED' })
  })

  it('refuses a second engine and bad invalidation arguments', async () => {
    const { plugin } = await setup()
    const other = createEngine({ logger: silentLogger, plugins: [plugin] })
    await expect(other.ready()).rejects.toMatchObject({ code: 'PLUGIN_APPLY_FAILED' })
    expect(() => plugin.invalidateTag('')).toThrow(
      expect.objectContaining({ code: 'CACHE_INVALID_ARGUMENT' }),
    )
    expect(() => plugin.invalidate([1 as never])).toThrow(/invalidate/)
    await expect(cache().keyFor({ intent: { name: 'x' } })).rejects.toMatchObject({
      code: 'CACHE_NOT_INSTALLED',
    })
  })

  it('cacheControl checks its arguments and does nothing without the plugin', async () => {
    const ctx: IxpContext = {}
    expect(() => cacheControl(ctx).tag('')).toThrow(
      expect.objectContaining({ code: 'CACHE_INVALID_DIRECTIVE' }),
    )
    expect(() => cacheControl(ctx).ttl(-5)).toThrow(/ttl/)
    expect(Object.keys(ctx)).toEqual([])
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({ name: 'Card', render: () => null })
    engine.registerIntent({
      name: 'tagged',
      description: 'tagged',
      component: 'Card',
      parameters: { type: 'object' },
      handler: (_params, context) => {
        cacheControl(context).tag('a').ttl(1)
        return { ok: true }
      },
    })
    expect((await engine.render({ intent: { name: 'tagged', parameters: {} } })).props.ok).toBe(true)
  })
})

describe('answering without waiting', () => {
  it('answers a hit of the in-process level synchronously (renderNow gives the result itself)', async () => {
    const { engine, handler } = await setup()
    await engine.render({ intent: { name: 'product', parameters: { id: '7' } } })
    const hit = engine.renderNow({ intent: { name: 'product', parameters: { id: '7' } } })
    expect(hit).not.toBeInstanceOf(Promise)
    expect(hit).toMatchObject({ meta: { cache: 'hit' }, props: { echo: { id: '7' } } })
    expect(handler.calls).toBe(1)
  })

  it('keeps a render with a synchronous handler synchronous on a miss too, and stores its answer', async () => {
    const engine = createEngine({ logger: silentLogger, plugins: [cache()] })
    engine.registerComponent({
      name: 'Card',
      render: (props) => ({ type: 'card', props: { id: String(props.id) }, children: [] }),
    })
    engine.registerIntent({
      name: 'product',
      description: 'A product card',
      component: 'Card',
      parameters: { type: 'object', properties: { id: { type: 'string' } } },
      handler: (params) => ({ id: params.id }),
    })
    await engine.ready()
    const miss = engine.renderNow({ intent: { name: 'product', parameters: { id: '1' } } })
    expect(miss).not.toBeInstanceOf(Promise)
    expect(miss).toMatchObject({ meta: { cache: 'miss' } })
    expect(engine.renderNow({ intent: { name: 'product', parameters: { id: '1' } } })).toMatchObject({
      meta: { cache: 'hit' },
      tree: { props: { id: '1' } },
    })
  })
})
