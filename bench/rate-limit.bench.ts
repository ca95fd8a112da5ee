/**
 * `pnpm bench rate-limit` — @ixp/plugin-rate-limit: decisions per second of the memory and Redis stores
 * (one decision in flight, and 64 in flight for Redis), and the cost the plugin adds to `engine.render()`
 * (the same render without the plugin is the baseline, interleaved in the same run).
 *
 * Redis: REDIS_URL (default redis://127.0.0.1:6379); the Redis rows are skipped when it is unreachable.
 */
import { createEngine, silentLogger, type IxpPlugin } from '@ixp/core'
import {
  memoryStore,
  rateLimit,
  type LimitCheck,
  type LimitRule,
} from '../packages/plugin-rate-limit/src/index.js'
import { redisStore, type RedisStore } from '../packages/plugin-rate-limit/src/redis/index.js'
import { compareRates, formatRate, median, printTable } from './measure.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = `ixp:rl:bench:${process.pid}:`
/** Limits large enough that nothing is refused: the figures are the cost of deciding, not of refusing. */
const HOUR = 3_600_000
const sliding: LimitRule = { algorithm: 'sliding-window', limit: 1e9, windowMs: HOUR, capacity: 1e9 }
const bucket: LimitRule = { algorithm: 'token-bucket', limit: 1e9, windowMs: HOUR, capacity: 1e9 }

function checksFor(key: string, rules: LimitRule[] = [sliding]): LimitCheck[] {
  return rules.map((rule, i) => ({ key: `${i}|${key}`, rule, cost: 1 }))
}

/** Decisions per second with `inFlight` decisions outstanding at all times, median of `rounds`. */
async function concurrentRate(
  decide: (i: number) => Promise<unknown>,
  inFlight: number,
  ms = 1000,
  rounds = 5,
): Promise<number> {
  const rates: number[] = []
  for (let round = 0; round < rounds; round++) {
    let done = 0
    const end = performance.now() + ms
    const started = performance.now()
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        while (performance.now() < end) {
          await decide(worker * 1_000_003 + done)
          done++
        }
      }),
    )
    rates.push((done * 1000) / (performance.now() - started))
  }
  return median(rates)
}

async function connectRedis(): Promise<RedisStore | undefined> {
  const store = redisStore({ url: REDIS_URL, prefix: PREFIX, timeoutMs: 10_000, connectTimeoutMs: 1000 })
  try {
    await store.ready()
    return store
  } catch {
    await store.close()
    return undefined
  }
}

async function deleteBenchKeys(store: RedisStore): Promise<void> {
  // The store's client is an ioredis client; these two commands are all the cleanup needs.
  const client = store.client as unknown as {
    scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>
    del(...keys: string[]): Promise<number>
  }
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000)
    if (keys.length > 0) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

function engineWith(plugins: IxpPlugin[]) {
  const engine = createEngine({ logger: silentLogger, plugins })
  engine.registerComponent({
    name: 'Card',
    render: (props) => ({ type: 'card', props: { title: String(props.q) }, children: [] }),
  })
  engine.registerIntent({
    name: 'search',
    description: 'Search',
    component: 'Card',
    parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  })
  return engine
}

export default async function run(): Promise<void> {
  const redis = await connectRedis()
  if (!redis) console.log(`(Redis at ${REDIS_URL} unreachable: Redis rows skipped)\n`)

  // ---- Store decisions per second -------------------------------------------------------------
  const memory = memoryStore()
  let n = 0
  const storeCandidates: Record<string, () => unknown> = {
    'memory, 1 key, 1 limit': () => memory.consume(checksFor('hot')),
    'memory, 100k keys, 1 limit': () => memory.consume(checksFor(`k${n++ % 100_000}`)),
    'memory, 1 key, 2 limits': () => memory.consume(checksFor('hot2', [sliding, bucket])),
  }
  if (redis) {
    storeCandidates['redis, 1 in flight, 1 limit'] = () => redis.consume(checksFor('hot'))
    storeCandidates['redis, 1 in flight, 2 limits'] = () =>
      redis.consume(checksFor('hot2', [sliding, bucket]))
  }
  const storeRates = await compareRates(storeCandidates, { rounds: 5, ms: 300 })
  const rows = storeRates.map((rate) => ({ store: rate.name, 'decisions/s': formatRate(rate.opsPerSec) }))
  if (redis) {
    const pipelined = await concurrentRate((i) => redis.consume(checksFor(`c${i % 1000}`)), 64)
    rows.push({ store: 'redis, 64 in flight, 1 limit', 'decisions/s': formatRate(pipelined) })
  }
  printTable(rows)

  // ---- Added cost per render ------------------------------------------------------------------
  const request = { intent: { name: 'search', parameters: { q: 'shoes' } } }
  const context = { ip: '203.0.113.7', headers: {} }
  const engines: Record<string, ReturnType<typeof engineWith>> = {
    'no rate limit': engineWith([]),
    'memory store': engineWith([rateLimit({ limit: 1e9, windowMs: HOUR })]),
    'memory store, 2 limits, legacy headers': engineWith([
      rateLimit({
        limits: [
          { name: 'burst', limit: 1e9, windowMs: 1000 },
          { name: 'daily', limit: 1e9, windowMs: 86_400_000, algorithm: 'token-bucket' },
        ],
        legacyHeaders: true,
      }),
    ]),
  }
  if (redis) {
    engines['redis store'] = engineWith([
      rateLimit({
        limit: 1e9,
        windowMs: HOUR,
        store: redisStore({ url: REDIS_URL, prefix: PREFIX, timeoutMs: 10_000 }),
      }),
    ])
  }
  await Promise.all(Object.values(engines).map((engine) => engine.ready()))
  const renderRates = await compareRates(
    Object.fromEntries(
      Object.entries(engines).map(([name, engine]) => [name, () => engine.render(request, context)]),
    ),
    { rounds: 5, ms: 300 },
  )
  const baseline = renderRates[0]!.opsPerSec
  console.log('')
  printTable(
    renderRates.map((rate) => ({
      'engine.render()': rate.name,
      'renders/s': formatRate(rate.opsPerSec),
      'µs/render': (1e6 / rate.opsPerSec).toFixed(1),
      'added µs': rate === renderRates[0] ? '—' : (1e6 / rate.opsPerSec - 1e6 / baseline).toFixed(1),
    })),
  )

  await Promise.all(Object.values(engines).map((engine) => engine.close()))
  if (redis) {
    await deleteBenchKeys(redis)
    await redis.close()
  }
}
