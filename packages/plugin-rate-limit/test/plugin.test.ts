import { IxpError, type IxpContext, type RenderResult } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { memoryStore, rateLimit, type LimitCheck, type RateLimitOptions } from '../src/index.js'
import { attempt, makeEngine, manualClock, T0 } from './helpers.js'

function setup(options: Omit<RateLimitOptions, 'store'>, start = T0) {
  const clock = manualClock(start)
  const store = memoryStore({ clock: clock.now })
  const seen: LimitCheck[] = []
  const engine = makeEngine([
    rateLimit({
      ...options,
      store: { kind: 'memory', consume: (checks) => (seen.push(...checks), store.consume(checks)) },
    } as RateLimitOptions),
  ])
  return { clock, store, engine, seen }
}

async function countAllowed(
  engine: ReturnType<typeof makeEngine>,
  n: number,
  context: IxpContext = {},
  intent = 'search',
) {
  let allowed = 0
  for (let i = 0; i < n; i++) if ((await attempt(engine, context, intent)).ok) allowed++
  return allowed
}

const client = { ip: '203.0.113.7' }
/**
 * A principal as an auth plugin leaves it on the context; only `id` matters here. The cast keeps this file
 * independent of which auth plugin (if any) declares `context.user`.
 */
const user = (id: string | number) => ({ id }) as unknown as IxpContext['user']

describe('decisions and headers', () => {
  it('adds the IETF RateLimit headers and the decision to the result', async () => {
    const { engine } = setup({ limit: 3, windowMs: 10_000, algorithm: 'fixed-window' }, T0 + 2_000)
    const first = await attempt(engine, client)
    if (!first.ok) throw new Error(first.error.message)
    expect(first.result.meta.headers).toEqual({
      'RateLimit-Policy': '"default";q=3;w=10',
      RateLimit: '"default";r=2;t=8',
    })
    expect(first.result.meta.rateLimit).toEqual({
      allowed: true,
      cost: 1,
      source: 'store',
      policies: [
        {
          name: 'default',
          algorithm: 'fixed-window',
          limit: 3,
          windowSeconds: 10,
          remaining: 2,
          resetSeconds: 8,
          allowed: true,
        },
      ],
    })
  })

  it('refuses with 429 RATE_LIMITED, Retry-After and the headers once the limit is reached', async () => {
    const { engine } = setup({ limit: 3, windowMs: 10_000, algorithm: 'fixed-window' }, T0 + 2_000)
    expect(await countAllowed(engine, 3, client)).toBe(3)
    const refused = await attempt(engine, client)
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error).toBeInstanceOf(IxpError)
    expect(refused.error).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      message: "Too many requests: limit 'default' reached; retry in 8s",
      details: { violatedPolicies: ['default'], retryAfterSeconds: 8 },
      headers: {
        'RateLimit-Policy': '"default";q=3;w=10',
        RateLimit: '"default";r=0;t=8',
        'Retry-After': '8',
      },
    })
  })

  it('reports every policy of several limits, named or named after their size', async () => {
    const { engine, clock } = setup({
      limits: [
        { limit: 2, windowMs: 1_000, algorithm: 'fixed-window' },
        { limit: 100, windowMs: 86_400_000, algorithm: 'fixed-window' },
      ],
    })
    const first = await attempt(engine, client)
    expect(first.ok && first.result.meta.headers).toEqual({
      'RateLimit-Policy': '"2-per-1s";q=2;w=1, "100-per-1d";q=100;w=86400',
      RateLimit: '"2-per-1s";r=1;t=1, "100-per-1d";r=99;t=86400',
    })
    await attempt(engine, client)
    const refused = await attempt(engine, client)
    expect(!refused.ok && refused.error.headers).toEqual({
      'RateLimit-Policy': '"2-per-1s";q=2;w=1, "100-per-1d";q=100;w=86400',
      RateLimit: '"2-per-1s";r=0;t=1, "100-per-1d";r=98;t=86400',
      'Retry-After': '1',
    })
    clock.advance(1_000)
    const next = await attempt(engine, client)
    expect(next.ok && next.result.meta.headers?.RateLimit).toBe(
      '"2-per-1s";r=1;t=1, "100-per-1d";r=97;t=86399',
    )
  })

  it('sends the legacy X-RateLimit headers for the tightest policy when asked, or no headers at all', async () => {
    const legacy = setup({
      legacyHeaders: true,
      limits: [
        { name: 'burst', limit: 5, windowMs: 1_000, algorithm: 'fixed-window' },
        { name: 'hourly', limit: 3, windowMs: 3_600_000, algorithm: 'fixed-window' },
      ],
    })
    const before = Math.ceil(Date.now() / 1000)
    const result = await attempt(legacy.engine, client)
    const after = Math.ceil(Date.now() / 1000)
    if (!result.ok) throw new Error(result.error.message)
    const headers = result.result.meta.headers!
    expect(headers['X-RateLimit-Limit']).toBe('3')
    expect(headers['X-RateLimit-Remaining']).toBe('2')
    expect(Number(headers['X-RateLimit-Reset'])).toBeGreaterThanOrEqual(before + 3600)
    expect(Number(headers['X-RateLimit-Reset'])).toBeLessThanOrEqual(after + 3600)
    expect(headers.RateLimit).toBe('"burst";r=4;t=1, "hourly";r=2;t=3600')

    const quiet = setup({ limit: 1, windowMs: 10_000, algorithm: 'fixed-window', headers: false })
    const ok = await attempt(quiet.engine, client)
    expect(ok.ok && ok.result.meta.headers).toBeUndefined()
    const refused = await attempt(quiet.engine, client)
    expect(!refused.ok && refused.error.headers).toEqual({ 'Retry-After': '10' })
  })

  it('puts the decision on the context that handlers see', async () => {
    const { engine } = setup({ limit: 5, windowMs: 60_000 })
    let seen: unknown
    engine.registerIntent({
      name: 'whoami',
      description: 'Shows the remaining quota',
      component: 'Card',
      parameters: { type: 'object' },
      handler: (_params, ctx) => {
        seen = ctx.rateLimit?.policies[0]?.remaining
        return {}
      },
    })
    await attempt(engine, client, 'whoami')
    expect(seen).toBe(4)
  })
})

describe('exactness under concurrency', () => {
  it('admits exactly 100 of 1,000 concurrent renders with a limit of 100', async () => {
    for (const algorithm of ['fixed-window', 'sliding-window', 'token-bucket'] as const) {
      const { engine } = setup({ limit: 100, windowMs: 60_000, algorithm })
      const outcomes = await Promise.all(Array.from({ length: 1000 }, () => attempt(engine, client)))
      const allowed = outcomes.filter((o) => o.ok).length
      const refused = outcomes.filter((o) => !o.ok && o.error.code === 'RATE_LIMITED').length
      expect({ algorithm, allowed, refused }).toEqual({ algorithm, allowed: 100, refused: 900 })
    }
  })
})

describe('keys', () => {
  it('counts each client address; IPv6 by /56 network; IPv4-mapped as IPv4', async () => {
    const { engine } = setup({ limit: 1, windowMs: 60_000 })
    expect(await countAllowed(engine, 2, { ip: '203.0.113.7' })).toBe(1)
    expect(await countAllowed(engine, 1, { ip: '::ffff:203.0.113.7' })).toBe(0)
    expect(await countAllowed(engine, 1, { ip: '203.0.113.8' })).toBe(1)
    expect(await countAllowed(engine, 1, { ip: '2001:db8:1:1200::1' })).toBe(1)
    expect(await countAllowed(engine, 1, { ip: '2001:db8:1:12ff:abcd::9' })).toBe(0)
    expect(await countAllowed(engine, 1, { ip: '2001:db8:1:1300::1' })).toBe(1)
  })

  it('keys clients taking turns apart, each request under its own client (keys are reused per client)', async () => {
    const { engine, seen } = setup({ limit: 2, windowMs: 60_000 })
    const clients = ['203.0.113.1', '203.0.113.2', '203.0.113.1', '203.0.113.1', '203.0.113.2']
    const allowed = []
    for (const ip of clients) allowed.push((await attempt(engine, { ip })).ok)
    expect(allowed).toEqual([true, true, true, false, true])
    expect(seen.map((check) => check.key)).toEqual(clients.map((ip) => `default:s60000|ip:${ip}`))
  })

  it('counts context.ip as the transport computed it and never reads X-Forwarded-For itself', async () => {
    const behindLb = { ip: '10.0.0.2' }
    const { engine, seen } = setup({ limit: 1, windowMs: 60_000 })
    const from = (xff: string) => ({ ...behindLb, headers: { 'x-forwarded-for': xff } })
    expect(await countAllowed(engine, 1, from('198.51.100.1'))).toBe(1)
    // Rotating the header does not make a new client: proxy trust belongs to the transport.
    expect(await countAllowed(engine, 1, from('198.51.100.2'))).toBe(0)
    expect(await countAllowed(engine, 1, from('1.2.3.4, 198.51.100.1'))).toBe(0)
    expect(seen.at(-1)?.key).toBe('default:s60000|ip:10.0.0.2')
  })

  it('takes the address from a platform header when configured', async () => {
    const { engine, seen } = setup({ limit: 1, windowMs: 60_000, ipHeader: 'CF-Connecting-IP' })
    await attempt(engine, { ip: '10.0.0.2', headers: { 'cf-connecting-ip': '198.51.100.4' } })
    expect(seen[0]!.key).toBe('default:s60000|ip:198.51.100.4')
  })

  it('counts users, API keys (hashed), intents, custom keys and combinations', async () => {
    const byUser = setup({ limit: 1, windowMs: 60_000, key: 'user' })
    expect(await countAllowed(byUser.engine, 2, { ip: '1.1.1.1', user: user('alice') })).toBe(1)
    expect(await countAllowed(byUser.engine, 1, { ip: '1.1.1.2', user: user('alice') })).toBe(0)
    expect(await countAllowed(byUser.engine, 1, { ip: '1.1.1.1', user: user('bob') })).toBe(1)
    expect(byUser.seen.map((check) => check.key.split('|')[1])).toContain('u:alice')

    const byApiKey = setup({ limit: 1, windowMs: 60_000, key: 'api-key' })
    const secret = 'sk_live_0123456789abcdef'
    expect(await countAllowed(byApiKey.engine, 2, { headers: { 'x-api-key': secret } })).toBe(1)
    expect(await countAllowed(byApiKey.engine, 1, { headers: { 'x-api-key': `${secret}x` } })).toBe(1)
    for (const check of byApiKey.seen) {
      expect(check.key).not.toContain(secret)
      expect(check.key).toMatch(/\|k:[0-9a-f]{32}$/)
    }

    const byIntent = setup({ limit: 1, windowMs: 60_000, key: 'intent' })
    expect(await countAllowed(byIntent.engine, 1, { ip: '1.1.1.1' }, 'search')).toBe(1)
    expect(await countAllowed(byIntent.engine, 1, { ip: '1.1.1.2' }, 'search')).toBe(0)
    expect(await countAllowed(byIntent.engine, 1, { ip: '1.1.1.2' }, 'export_report')).toBe(1)

    const perClientPerIntent = setup({ limit: 1, windowMs: 60_000, key: ['ip', 'intent'] })
    expect(await countAllowed(perClientPerIntent.engine, 2, client, 'search')).toBe(1)
    expect(await countAllowed(perClientPerIntent.engine, 1, client, 'export_report')).toBe(1)
    expect(perClientPerIntent.seen[0]!.key).toBe('default:s60000|ip:203.0.113.7|i:search')

    const byTenant = setup({
      limit: 1,
      windowMs: 60_000,
      key: (state) => state.context.headers?.['x-tenant'],
    })
    expect(await countAllowed(byTenant.engine, 2, { headers: { 'x-tenant': 'acme|corp' } })).toBe(1)
    expect(byTenant.seen[0]!.key).toBe('default:s60000|c:acme%7Ccorp')
  })

  it("'client' is the user, else the API key, else the address", async () => {
    const { engine, seen } = setup({ limit: 10, windowMs: 60_000, key: 'client' })
    await attempt(engine, { ip: '1.1.1.1', user: user(42), headers: { 'x-api-key': 'k' } })
    await attempt(engine, { ip: '1.1.1.1', headers: { 'x-api-key': 'k' } })
    await attempt(engine, { ip: '1.1.1.1' })
    expect(seen.map((check) => check.key.split('|')[1])).toEqual([
      'u:42',
      expect.stringMatching(/^k:[0-9a-f]{32}$/),
      'ip:1.1.1.1',
    ])
  })

  it('lets each limit count its own key', async () => {
    const { engine, seen } = setup({
      onMissingKey: 'skip',
      limits: [
        { name: 'per-ip', limit: 3, windowMs: 60_000, key: 'ip', algorithm: 'fixed-window' },
        { name: 'per-user', limit: 1, windowMs: 60_000, key: 'user', algorithm: 'fixed-window' },
      ],
    })
    // Anonymous callers only meet the per-address limit.
    const anonymous = await attempt(engine, { ip: '1.1.1.1' })
    expect(anonymous.ok && anonymous.result.meta.headers?.RateLimit).toBe('"per-ip";r=2;t=60')
    expect(await countAllowed(engine, 2, { ip: '1.1.1.1', user: user('carol') })).toBe(1)
    // Carol from another address is still Carol.
    expect(await countAllowed(engine, 1, { ip: '1.1.1.2', user: user('carol') })).toBe(0)
    expect(seen.map((check) => check.key)).toContain('per-user:f60000|u:carol')
  })

  it('limits requests without a key together, or not at all with onMissingKey: skip', async () => {
    const shared = setup({ limit: 2, windowMs: 60_000 })
    expect(await countAllowed(shared.engine, 3, {})).toBe(2)
    expect(shared.seen[0]!.key).toBe('default:s60000|anonymous')
    const skipped = setup({ limit: 2, windowMs: 60_000, onMissingKey: 'skip' })
    expect(await countAllowed(skipped.engine, 5, {})).toBe(5)
    expect(skipped.seen).toHaveLength(0)
  })
})

describe('exemptions, costs and per-intent limits', () => {
  it('never limits allow-listed addresses or skipped requests', async () => {
    const { engine, seen } = setup({
      limit: 1,
      windowMs: 60_000,
      allowList: ['10.0.0.0/8', '2001:db8::/32'],
      skip: (state) => state.context.headers?.['x-probe'] === '1',
    })
    expect(await countAllowed(engine, 5, { ip: '10.1.2.3' })).toBe(5)
    expect(await countAllowed(engine, 5, { ip: '2001:db8::7' })).toBe(5)
    expect(await countAllowed(engine, 5, { ip: '1.1.1.1', headers: { 'x-probe': '1' } })).toBe(5)
    expect(seen).toHaveLength(0)
    expect(await countAllowed(engine, 2, { ip: '1.1.1.1' })).toBe(1)
    const exempt = await attempt(engine, { ip: '10.1.2.3' })
    expect(exempt.ok && exempt.result.meta.rateLimit).toBeUndefined()
  })

  it('charges per-intent costs and enforces per-intent limits separately', async () => {
    const { engine } = setup({
      limit: 10,
      windowMs: 60_000,
      algorithm: 'fixed-window',
      // Costs apply to every limit, the intent's own included: 6 units are two exports.
      intents: {
        export_report: {
          cost: 3,
          limits: [{ name: 'exports', limit: 6, windowMs: 60_000, algorithm: 'fixed-window' }],
        },
      },
    })
    const first = await attempt(engine, client, 'export_report')
    expect(first.ok && first.result.meta.headers).toEqual({
      'RateLimit-Policy': '"default";q=10;w=60, "exports";q=6;w=60',
      RateLimit: '"default";r=7;t=60, "exports";r=3;t=60',
    })
    expect((await attempt(engine, client, 'export_report')).ok).toBe(true)
    const third = await attempt(engine, client, 'export_report')
    expect(!third.ok && third.error.details).toEqual({ violatedPolicies: ['exports'], retryAfterSeconds: 60 })
    // The refused export took nothing: 10 − 6 = 4 searches remain.
    expect(await countAllowed(engine, 10, client, 'search')).toBe(4)
  })

  it("reads an intent definition's rateLimit field, and `false` exempts the intent", async () => {
    const { engine } = setup({ limit: 4, windowMs: 60_000 })
    engine.registerIntent({
      name: 'heavy',
      description: 'Costs two',
      component: 'Card',
      parameters: { type: 'object' },
      rateLimit: { cost: 2 },
    })
    engine.registerIntent({
      name: 'health',
      description: 'Never limited',
      component: 'Card',
      parameters: { type: 'object' },
      rateLimit: false,
    })
    expect(await countAllowed(engine, 3, client, 'heavy')).toBe(2)
    expect(await countAllowed(engine, 3, client, 'health')).toBe(3)
    expect(await countAllowed(engine, 1, client, 'search')).toBe(0)
  })

  it('refuses an intent whose rateLimit field is invalid when it is registered', async () => {
    const { engine } = setup({ limit: 4, windowMs: 60_000 })
    await engine.ready()
    expect(() =>
      engine.registerIntent({
        name: 'broken',
        description: 'Bad cost',
        component: 'Card',
        parameters: { type: 'object' },
        rateLimit: { cost: -1 },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_DEFINITION',
        message: expect.stringContaining("'cost' must be a non-negative integer"),
      }),
    )
    expect(() =>
      engine.registerIntent({
        name: 'greedy',
        description: 'Costs more than the limit',
        component: 'Card',
        parameters: { type: 'object' },
        rateLimit: { cost: 5 },
      }),
    ).toThrow(/cost 5 is more than limit 'default' can ever admit \(4\)/)
  })

  it('computes costs with a function and refuses a request costing more than a limit ever admits', async () => {
    const { engine } = setup({
      limit: 5,
      windowMs: 60_000,
      cost: (state) => Number(state.context.headers?.['x-units'] ?? 1),
    })
    expect(await countAllowed(engine, 1, { ip: '1.1.1.1', headers: { 'x-units': '5' } })).toBe(1)
    const tooBig = await attempt(engine, { ip: '1.1.1.2', headers: { 'x-units': '6' } })
    expect(!tooBig.ok && tooBig.error).toMatchObject({
      code: 'RATE_LIMITED',
      message: "Too many requests: this request costs 6, more than limit 'default' ever admits (5)",
    })
    expect(!tooBig.ok && tooBig.error.headers).toBeUndefined()
    const broken = await attempt(engine, { ip: '1.1.1.3', headers: { 'x-units': 'lots' } })
    expect(!broken.ok && broken.error.code).toBe('INTERNAL_ERROR')
  })
})

describe('options are checked when the plugin is created', () => {
  const cases: [string, unknown, string][] = [
    ['nothing to enforce', {}, "set 'limit'"],
    ['both forms', { limit: 1, limits: [{ limit: 1, windowMs: 1 }] }, "either 'limit'"],
    ['empty limits', { limits: [] }, 'non-empty array'],
    ['fractional limit', { limit: 1.5 }, "'limit' must be a positive integer"],
    ['zero window', { limit: 1, windowMs: 0 }, "'windowMs' must be a positive integer"],
    ['unknown algorithm', { limit: 1, algorithm: 'leaky' }, "unknown algorithm 'leaky'"],
    ['burst without bucket', { limit: 1, burst: 5 }, "'burst' applies to the 'token-bucket'"],
    [
      'duplicate names',
      {
        limits: [
          { name: 'a', limit: 1, windowMs: 1 },
          { name: 'a', limit: 2, windowMs: 1 },
        ],
      },
      "two limits are named 'a'",
    ],
    ['bad name', { limits: [{ name: 'a b', limit: 1, windowMs: 1 }] }, "name 'a b' must be"],
    ['unknown key', { limit: 1, key: 'session' }, 'unknown key source "session"'],
    ['trust all proxies', { limit: 1, trustProxy: true }, "set 'trustProxy' (a number of proxy hops"],
    ['proxy hops', { limit: 1, trustProxy: 1 }, 'the transport computes the client address'],
    ['bad allow-list entry', { limit: 1, allowList: ['office'] }, '\'allowList\' entry "office"'],
    ['bad subnet', { limit: 1, ipv6Subnet: 0 }, "'ipv6Subnet' must be an integer"],
    ['bad store', { limit: 1, store: {} }, "'store' must be a store"],
    [
      'bad store error mode',
      { limit: 1, onStoreError: 'maybe' },
      "'onStoreError' must be 'open' or 'closed'",
    ],
    ['cost above limit', { limit: 2, cost: 3 }, "cost 3 is more than limit 'default'"],
    [
      'bad intent config',
      { limit: 2, intents: { search: { limits: [{ limit: 0, windowMs: 1 }] } } },
      "rate limit of intent 'search'",
    ],
  ]
  it.each(cases)('%s', (_label, options, message) => {
    expect(() => rateLimit(options as RateLimitOptions)).toThrow(
      expect.objectContaining({
        code: 'RATE_LIMIT_INVALID_OPTIONS',
        message: expect.stringContaining(message),
      }),
    )
  })

  it('checks memory store options', () => {
    expect(() => memoryStore({ max: 0 })).toThrow(/'max' must be a positive integer/)
  })
})

describe('deciding without waiting', () => {
  it('counts with the memory store synchronously: renderNow gives the result itself, headers included', () => {
    const engine = makeEngine([rateLimit({ limit: 2, windowMs: 60_000 })])
    return engine.ready().then(() => {
      const first = engine.renderNow({ intent: { name: 'search', parameters: {} } }, { ...client })
      expect(first).not.toBeInstanceOf(Promise)
      expect((first as RenderResult).meta.headers).toMatchObject({
        RateLimit: expect.stringMatching(/^"default";r=1;t=\d+$/),
      })
      engine.renderNow({ intent: { name: 'search', parameters: {} } }, { ...client })
      const third = engine.renderNow({ intent: { name: 'search', parameters: {} } }, { ...client })
      expect(third).toBeInstanceOf(Promise)
      return expect(third).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    })
  })

  it('waits for an asynchronous skip, key function or store, in order', async () => {
    const order: string[] = []
    const store = memoryStore()
    const engine = makeEngine([
      rateLimit({
        limit: 1,
        windowMs: 60_000,
        skip: async (state) => (order.push('skip'), state.context.headers?.['x-internal'] === '1'),
        key: async () => (order.push('key'), 'tenant-a'),
        store: { kind: 'slow', consume: async (checks) => (order.push('store'), store.consume(checks)) },
      }),
    ])
    await engine.ready()
    const first = engine.renderNow({ intent: { name: 'search', parameters: {} } }, {})
    expect(first).toBeInstanceOf(Promise)
    await expect(first).resolves.toMatchObject({ meta: { rateLimit: { allowed: true } } })
    expect(order).toEqual(['skip', 'key', 'store'])
    await expect(engine.render({ intent: { name: 'search', parameters: {} } }, {})).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    })
    await expect(
      engine.render({ intent: { name: 'search', parameters: {} } }, { headers: { 'x-internal': '1' } }),
    ).resolves.toMatchObject({ intent: 'search' })
  })
})
