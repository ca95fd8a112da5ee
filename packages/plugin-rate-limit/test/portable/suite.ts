/**
 * The plugin on runtimes without Node built-ins or code generation (workerd): exact limits through a real
 * engine, the headers, IPv6 grouping, API keys hashed with Web Crypto, and the token bucket. Uses the core's
 * dependency-free harness, since vitest cannot run there.
 */
import { createEngine, silentLogger, type IxpContext, type IxpPlugin } from '@ixp/core'
import { assert, describe, equal, matches, test } from '../../../core/test/portable/harness.js'
import { memoryStore, rateLimit, type LimitCheck, type RateLimitOptions } from '../../src/index.js'

const T0 = Date.UTC(2030, 0, 1)

function engineWith(plugin: IxpPlugin) {
  const engine = createEngine({ logger: silentLogger, plugins: [plugin] })
  engine.registerComponent({ name: 'Card', render: () => ({ type: 'card', props: {}, children: [] }) })
  engine.registerIntent({
    name: 'search',
    description: 'Search',
    component: 'Card',
    parameters: { type: 'object' },
  })
  return engine
}

function setup(options: Omit<RateLimitOptions, 'store'>) {
  let now = T0
  const store = memoryStore({ clock: () => now })
  const seen: LimitCheck[] = []
  const engine = engineWith(
    rateLimit({
      ...options,
      store: { kind: 'memory', consume: (checks) => (seen.push(...checks), store.consume(checks)) },
    }),
  )
  return { engine, seen, advance: (ms: number) => (now += ms) }
}

async function outcome(engine: ReturnType<typeof engineWith>, context: IxpContext) {
  try {
    return {
      ok: true as const,
      result: await engine.render({ intent: { name: 'search', parameters: {} } }, context),
    }
  } catch (error) {
    return { ok: false as const, error: error as { code: string; headers?: Record<string, string> } }
  }
}

describe('plugin-rate-limit', () => {
  test('admits exactly the limit of concurrent renders', async () => {
    const { engine } = setup({ limit: 100, windowMs: 60_000 })
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, () => outcome(engine, { ip: '203.0.113.7' })),
    )
    equal(outcomes.filter((o) => o.ok).length, 100, 'admitted')
    equal(outcomes.filter((o) => !o.ok && o.error.code === 'RATE_LIMITED').length, 400, 'refused')
  })

  test('sends the RateLimit headers and Retry-After', async () => {
    const { engine } = setup({ limit: 2, windowMs: 10_000, algorithm: 'fixed-window' })
    const first = await outcome(engine, { ip: '203.0.113.7' })
    assert(first.ok, 'first render admitted')
    equal(first.result.meta.headers, {
      'RateLimit-Policy': '"default";q=2;w=10',
      RateLimit: '"default";r=1;t=10',
    })
    await outcome(engine, { ip: '203.0.113.7' })
    const refused = await outcome(engine, { ip: '203.0.113.7' })
    assert(!refused.ok, 'third render refused')
    matches(refused.error, {
      code: 'RATE_LIMITED',
      headers: { 'Retry-After': '10', RateLimit: '"default";r=0;t=10' },
    })
  })

  test('groups IPv6 clients by /56 and hashes API keys', async () => {
    const byIp = setup({ limit: 1, windowMs: 60_000 })
    equal((await outcome(byIp.engine, { ip: '2001:db8:1:12ab::1' })).ok, true)
    equal((await outcome(byIp.engine, { ip: '2001:db8:1:12ff::2' })).ok, false)
    equal(byIp.seen[0]!.key, 'default:s60000|ip:2001:db8:1:1200::/56')
    const byKey = setup({ limit: 1, windowMs: 60_000, key: 'api-key' })
    await outcome(byKey.engine, { headers: { 'x-api-key': 'sk_edge_secret' } })
    assert(/\|k:[0-9a-f]{32}$/.test(byKey.seen[0]!.key), `hashed key, got ${byKey.seen[0]!.key}`)
  })

  test('refills a token bucket over time', async () => {
    const { engine, advance } = setup({ limit: 10, windowMs: 10_000, algorithm: 'token-bucket', burst: 2 })
    const context = { ip: '198.51.100.1' }
    equal(
      [
        (await outcome(engine, context)).ok,
        (await outcome(engine, context)).ok,
        (await outcome(engine, context)).ok,
      ],
      [true, true, false],
    )
    advance(1_000)
    equal((await outcome(engine, context)).ok, true, 'one token back after a second')
  })
})
