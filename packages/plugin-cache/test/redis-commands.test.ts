/**
 * Commands across instances sharing a real Redis: a command's invalidation reaches every instance once (the
 * receiving instance re-emits it as `remote` and never publishes it again).
 */
import type { Invalidation, RenderResult } from '@ixp/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { redisStore } from '../src/redis/index.js'
import {
  REDIS_URL,
  deletePrefix,
  eventually,
  inspector,
  redisSkipReason,
  setup,
  uniquePrefix,
  type Fixture,
} from './helpers.js'

const skip = await redisSkipReason()
const prefixes: string[] = []
const engines: Fixture[] = []

async function instance(prefix: string): Promise<Fixture> {
  const fixture = await setup(
    {
      storeTimeoutMs: 2_000,
      store: redisStore({ url: REDIS_URL, prefix, commandTimeoutMs: 1_000 }),
    },
    { cacheTags: (p) => [`product:${String(p.id)}`] },
  )
  fixture.engine.registerIntent({
    name: 'restock',
    kind: 'command',
    description: 'Restocks a product',
    component: 'Card',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    invalidates: (p) => [`product:${String(p.id)}`],
    handler: async () => {
      // Shared by every instance of a test: the command's side effect.
      const run = ++restocks.runs
      if (restocks.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, restocks.delayMs))
      return { call: run }
    },
  })
  engines.push(fixture)
  return fixture
}

const restocks = { runs: 0, delayMs: 0 }

function restock(fixture: Fixture, id: string, key: string): Promise<RenderResult> {
  return fixture.engine.render(
    { intent: { name: 'restock', parameters: { id } } },
    { headers: { 'idempotency-key': key } },
  )
}

const bodyOf = (result: RenderResult) =>
  JSON.stringify({ tree: result.tree, component: result.component, ttl: result.ttl, tags: result.tags })

describe.skipIf(skip !== undefined)(`commands over redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((fixture) => fixture.engine.close()))
    restocks.runs = 0
    restocks.delayMs = 0
  })

  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
  })

  it("a command on one instance purges every instance's answers, and the message crosses the bus once", async () => {
    const prefix = uniquePrefix()
    prefixes.push(prefix)
    const listener = inspector()
    const messages: string[] = []
    listener.on('message', (_channel: string, text: string) => messages.push(text))
    await listener.subscribe(`${prefix}invalidate`)
    try {
      const a = await instance(prefix)
      const b = await instance(prefix)
      const seenOnB: Invalidation[] = []
      b.engine.events.on('invalidate', (event) => seenOnB.push(event))
      await a.render({ id: '1' })
      await a.plugin.idle()
      expect((await b.render({ id: '1' })).meta.cache).toBe('hit')
      expect((await b.render({ id: '2' })).meta.cache).toBe('miss')
      await b.plugin.idle()

      await a.engine.render({ intent: { name: 'restock', parameters: { id: '1' } } })
      await eventually(() => seenOnB.length === 1, 2_000, 'the invalidation on the other instance')
      expect(seenOnB).toEqual([{ tags: ['product:1'], intents: [], remote: true }])
      expect(a.plugin.stats().entries).toBe(0)
      expect((await b.render({ id: '1' })).meta.cache).toBe('miss')
      expect((await b.render({ id: '2' })).meta.cache).toBe('hit')
      await a.plugin.idle()
      await b.plugin.idle()
      // Give a (wrong) re-publication time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(messages).toHaveLength(1)
      expect(JSON.parse(messages[0]!).target).toEqual({ kind: 'tags', values: ['product:1'] })
    } finally {
      listener.disconnect()
    }
  })

  it('an idempotency key runs its command once across instances, and the repeat is the same answer', async () => {
    const prefix = uniquePrefix()
    prefixes.push(prefix)
    const a = await instance(prefix)
    const b = await instance(prefix)
    const first = await restock(a, '1', 'order-77')
    const second = await restock(b, '1', 'order-77')
    expect(restocks.runs).toBe(1)
    expect(bodyOf(second)).toBe(bodyOf(first))
    expect(second.props.call).toBe(1)
    expect(second.meta.headers?.['idempotent-replayed']).toBe('true')
    await expect(restock(b, '2', 'order-77')).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_MISMATCH',
      status: 422,
    })
    // Clearing the cache does not forget idempotency records.
    await a.plugin.clear()
    expect((await restock(a, '1', 'order-77')).meta.headers?.['idempotent-replayed']).toBe('true')
    expect(restocks.runs).toBe(1)
  })

  it('concurrent repeats on two instances: exactly one runs, the others get 409', async () => {
    const prefix = uniquePrefix()
    prefixes.push(prefix)
    const a = await instance(prefix)
    const b = await instance(prefix)
    restocks.delayMs = 150
    const outcomes = await Promise.allSettled([
      restock(a, '1', 'order-88'),
      restock(b, '1', 'order-88'),
      restock(a, '1', 'order-88'),
      restock(b, '1', 'order-88'),
    ])
    expect(restocks.runs).toBe(1)
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected')
    expect(outcomes.length - refused.length).toBe(1)
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        code: 'IDEMPOTENCY_KEY_IN_USE',
        status: 409,
      })
    }
    expect((await restock(b, '1', 'order-88')).meta.headers?.['idempotent-replayed']).toBe('true')
    expect(restocks.runs).toBe(1)
  })
})
