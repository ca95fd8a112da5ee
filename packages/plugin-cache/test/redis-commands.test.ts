/**
 * Commands across instances sharing a real Redis: a command's invalidation reaches every instance once (the
 * receiving instance re-emits it as `remote` and never publishes it again).
 */
import type { Invalidation } from '@ixp/core'
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
    handler: () => ({ call: 0 }),
  })
  engines.push(fixture)
  return fixture
}

describe.skipIf(skip !== undefined)(`commands over redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((fixture) => fixture.engine.close()))
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
})
