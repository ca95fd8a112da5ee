/**
 * `pnpm bench cache` — @ixp/plugin-cache: renders per second of a cache hit against the same render without
 * the cache, for a trivial handler and for a 5 ms handler (interleaved in one run); a hit from the shared
 * Redis level (when Redis answers); and how many times the handler runs when 100 identical requests arrive
 * at once on a cold key (target: 1).
 *
 * Redis: REDIS_URL (default redis://127.0.0.1:6379); the Redis row is skipped when it is unreachable.
 */
import { createEngine, silentLogger, type Engine, type IntentHandler, type IxpPlugin } from '@ixp/core'
import { cache } from '../packages/plugin-cache/src/index.js'
import { redisStore } from '../packages/plugin-cache/src/redis/index.js'
import { compareRates, formatRate, median, printTable } from './measure.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

async function engineWith(handler: IntentHandler, plugins: IxpPlugin[] = []): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger, plugins })
  engine.registerComponent({
    name: 'ProductCard',
    render: (props) => ({
      type: 'card',
      props: { title: props.name },
      children: [{ type: 'text', props: {}, children: [`Price: ${String(props.price)}`] }],
    }),
  })
  engine.registerIntent({
    name: 'product_details',
    description: 'Product details',
    component: 'ProductCard',
    parameters: {
      type: 'object',
      properties: { productId: { type: 'string' }, quantity: { type: 'integer' } },
      required: ['productId'],
    },
    handler,
  })
  return engine.ready()
}

const trivial: IntentHandler = (params) => ({ name: `Product ${String(params.productId)}`, price: 12.5 })
const slow: IntentHandler = async (params) => {
  await sleep(5)
  return { name: `Product ${String(params.productId)}`, price: 12.5 }
}

const request = (productId = 'p-1') => ({
  intent: { name: 'product_details', parameters: { productId, quantity: 2 } },
})

async function hitVersusUncached(label: string, handler: IntentHandler, rounds: number, ms: number) {
  const uncached = await engineWith(handler)
  const cached = await engineWith(handler, [cache()])
  await cached.render(request())
  const [hit, plain] = await compareRates(
    {
      [`${label}: cache hit`]: () => cached.render(request()),
      [`${label}: no cache`]: () => uncached.render(request()),
    },
    { rounds, ms, warmupMs: ms },
  )
  await uncached.close()
  await cached.close()
  return { hit: hit!, plain: plain! }
}

/** A hit from Redis: two keys alternate through an in-process level that holds one, so every read goes to Redis. */
async function redisHit(): Promise<{ name: string; opsPerSec: number } | string> {
  const prefix = `ixp:cache:bench:${process.pid}:`
  const writer = cache({ store: redisStore({ url: REDIS_URL, prefix }) })
  const reader = cache({ max: 1, store: redisStore({ url: REDIS_URL, prefix }) })
  const writing = await engineWith(trivial, [writer])
  const reading = await engineWith(trivial, [reader])
  try {
    if ((await writing.health()).checks['cache:redis']?.status !== 'pass')
      return `skipped: no Redis at ${REDIS_URL}`
    await writing.render(request('a'))
    await writing.render(request('b'))
    await writer.idle()
    let flip = false
    const [rate] = await compareRates(
      {
        'trivial: hit from Redis': () => {
          flip = !flip
          return reading.render(request(flip ? 'a' : 'b'))
        },
      },
      { rounds: 5, ms: 300 },
    )
    const stats = reader.stats()
    if (stats.storeHits < stats.hits * 0.99) return 'skipped: reads did not go to Redis'
    return rate!
  } finally {
    await writer.clear()
    await writing.close()
    await reading.close()
  }
}

/** 100 identical requests at once on a cold key, `bursts` times: handler calls per burst and time per burst. */
async function burst(bursts: number) {
  let calls = 0
  const counted: IntentHandler = async (params, ctx) => {
    calls++
    return slow(params, ctx)
  }
  const cached = await engineWith(counted, [cache()])
  const uncached = await engineWith(counted)
  const measure = async (engine: Engine) => {
    const perBurst: number[] = []
    const times: number[] = []
    for (let i = 0; i < bursts; i++) {
      const before = calls
      const started = performance.now()
      await Promise.all(Array.from({ length: 100 }, () => engine.render(request(`cold-${i}`))))
      times.push(performance.now() - started)
      perBurst.push(calls - before)
    }
    return { calls: Math.max(...perBurst), ms: median(times) }
  }
  const withCache = await measure(cached)
  const withoutCache = await measure(uncached)
  await cached.close()
  await uncached.close()
  return { withCache, withoutCache }
}

export default async function run(): Promise<void> {
  const fast = await hitVersusUncached('trivial handler', trivial, 7, 300)
  const fiveMs = await hitVersusUncached('5 ms handler', slow, 5, 300)
  const rows = [fast.hit, fast.plain, fiveMs.hit, fiveMs.plain].map((rate) => ({
    path: rate.name,
    'renders/s (median)': formatRate(rate.opsPerSec),
  }))
  const fromRedis = await redisHit()
  if (typeof fromRedis === 'string') console.log(`Redis row ${fromRedis}`)
  else rows.push({ path: fromRedis.name, 'renders/s (median)': formatRate(fromRedis.opsPerSec) })
  printTable(rows)
  console.log(
    `\nhit / uncached: trivial handler ${(fast.hit.opsPerSec / fast.plain.opsPerSec).toFixed(2)}×, ` +
      `5 ms handler ${(fiveMs.hit.opsPerSec / fiveMs.plain.opsPerSec).toFixed(0)}×`,
  )
  const { withCache, withoutCache } = await burst(20)
  console.log('\n100 concurrent identical requests on a cold key (5 ms handler, 20 bursts):')
  printTable([
    {
      engine: 'with cache',
      'handler calls per burst (max)': withCache.calls,
      'ms per burst (median)': withCache.ms.toFixed(1),
    },
    {
      engine: 'without cache',
      'handler calls per burst (max)': withoutCache.calls,
      'ms per burst (median)': withoutCache.ms.toFixed(1),
    },
  ])
  console.log(`\nhandler calls under 100 concurrent identical requests: ${withCache.calls} (target: 1)`)
}
