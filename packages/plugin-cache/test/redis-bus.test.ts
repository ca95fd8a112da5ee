/**
 * The bus the Redis store offers other plugins (`store.bus`, offered through `@ixp/core`'s `sharedBus`): topics
 * multiplexed on the store's one subscribed connection, never delivered back to the sender, bad input refused.
 */
import { IxpError } from '@ixp/core'
import { sharedBus } from '@ixp/core/plugin-kit'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { redisStore } from '../src/redis/index.js'
import type { RedisStore } from '../src/redis/store.js'
import {
  REDIS_URL,
  deletePrefix,
  eventually,
  redisSkipReason,
  setup,
  uniquePrefix,
  type Fixture,
} from './helpers.js'
import { redisClientsNamed } from './redis-clients.js'

const skip = await redisSkipReason()
const prefixes: string[] = []
const engines: Fixture[] = []

const names = () => `ixp-cache-bus-test-${crypto.randomUUID().slice(0, 8)}`

/** An engine whose cache uses the shared Redis under `prefix`; its connections are named `name`. */
async function instance(prefix: string, name: string): Promise<{ fixture: Fixture; store: RedisStore }> {
  const store = redisStore({
    url: REDIS_URL,
    prefix,
    commandTimeoutMs: 1_000,
    redisOptions: { connectionName: name },
  })
  const fixture = await setup({ storeTimeoutMs: 2_000, store })
  engines.push(fixture)
  return { fixture, store }
}

function freshPrefix(): string {
  const prefix = uniquePrefix()
  prefixes.push(prefix)
  return prefix
}

describe.skipIf(skip !== undefined)(`the redis store's bus${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((fixture) => fixture.engine.close()))
  })

  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
  })

  it('carries a topic to the other instances, not back to the sender, and not to other topics', async () => {
    const prefix = freshPrefix()
    const a = await instance(prefix, names())
    const b = await instance(prefix, names())
    const onA: unknown[] = []
    const onB: unknown[] = []
    const otherTopicOnB: unknown[] = []
    await a.store.bus.subscribe('news', (message) => onA.push(message))
    const stop = await b.store.bus.subscribe('news', (message) => onB.push(message))
    await b.store.bus.subscribe('other', (message) => otherTopicOnB.push(message))

    await a.store.bus.publish('news', { headline: 'restocked', units: [1, 2] })
    await eventually(() => onB.length === 1, 2_000, 'the message on B')
    expect(onB).toEqual([{ headline: 'restocked', units: [1, 2] }])

    stop()
    await a.store.bus.publish('news', 'after B stopped')
    await b.store.bus.publish('news', 'from B')
    await eventually(() => onA.length === 1, 2_000, "B's message on A")
    // Give a wrong delivery time to arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(onA).toEqual(['from B'])
    expect(onB).toHaveLength(1)
    expect(otherTopicOnB).toEqual([])
  })

  it('multiplexes its topics and its own invalidations on one subscribed connection', async () => {
    const name = names()
    const a = await instance(freshPrefix(), name)
    await a.store.bus.subscribe('realtime', () => undefined)
    await a.store.bus.subscribe('presence', () => undefined)
    const subscribed = await redisClientsNamed(REDIS_URL, `${name}:bus`)
    expect(subscribed).toHaveLength(1)
    // The invalidation channel and the two topics.
    expect(subscribed[0]!.sub).toBe('3')
    // The command connection, and nothing else.
    expect(await redisClientsNamed(REDIS_URL, name)).toHaveLength(1)
  })

  it('refuses a bad topic, a message that is not JSON and a listener that is not a function', async () => {
    const a = await instance(freshPrefix(), names())
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const attempt of [
      a.store.bus.publish('', 1),
      a.store.bus.publish('news', cyclic),
      a.store.bus.publish('news', 10n),
      a.store.bus.subscribe('', () => undefined),
      a.store.bus.subscribe('news', 'listener' as unknown as () => void),
    ]) {
      const error = await attempt.then(
        () => undefined,
        (failure: unknown) => failure,
      )
      expect(error).toBeInstanceOf(IxpError)
      expect(error).toMatchObject({ code: 'CACHE_INVALID_ARGUMENT' })
    }
  })

  it('is offered to other plugins while the cache is installed', async () => {
    const a = await instance(freshPrefix(), names())
    const slot = a.fixture.engine.extension(sharedBus)
    expect(slot.current).toEqual({ bus: a.store.bus, by: '@ixp/plugin-cache', relaysInvalidations: true })
    await a.fixture.engine.unuse('@ixp/plugin-cache')
    expect(slot.current).toBeUndefined()
    await expect(a.store.bus.subscribe('news', () => undefined)).rejects.toMatchObject({
      code: 'CACHE_STORE_UNAVAILABLE',
    })
  })
})
