/**
 * `pnpm bench scale-engine` — how the engine and its HTTP listing grow with the number of intents (1 to
 * 10,000, each with a parameter schema and examples): registration time per intent, `engine.renderNow()`
 * latency of one intent, and `GET /ixp/intents` through `handler.fetch` — the first request (builds the
 * document), a full 200 afterwards, and a revalidation (`If-None-Match` → 304). Target (issue 19): the
 * revalidated `GET /intents` p50 at 10,000 intents within 2× of 10 intents.
 *
 * Environment: IXP_BENCH_SAMPLES (requests per p50, default 200).
 */
import { createEngine, silentLogger } from '@ixp/core'
import { createHttpHandler } from '../packages/plugin-http/src/index.js'
import { percentile, printTable } from './measure.js'

const SIZES = [1, 10, 100, 1_000, 10_000]

function p50Of(samples: number, fn: () => unknown): number {
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const start = performance.now()
    fn()
    times.push(performance.now() - start)
  }
  return percentile(times, 50)
}

async function asyncP50Of(samples: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const start = performance.now()
    await fn()
    times.push(performance.now() - start)
  }
  return percentile(times, 50)
}

export default async function run(): Promise<void> {
  const samples = Number(process.env.IXP_BENCH_SAMPLES ?? 200)
  const rows: Record<string, string>[] = []
  const revalidated = new Map<number, number>()
  for (const size of SIZES) {
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({
      name: 'Card',
      render: (props) => ({ type: 'card', props: {}, children: [String(props.id)] }),
    })
    const registerStart = performance.now()
    for (let i = 0; i < size; i++) {
      engine.registerIntent({
        name: `intent_${i}`,
        description: `Shows item ${i} of the catalogue`,
        component: 'Card',
        parameters: {
          type: 'object',
          properties: { id: { type: 'string', maxLength: 32 }, page: { type: 'integer', minimum: 1 } },
          required: ['id'],
        },
        examples: [`show item ${i}`, `details of item ${i}`],
      })
    }
    const registerMs = performance.now() - registerStart
    await engine.ready()
    const handler = createHttpHandler(engine)
    const request = { intent: { name: `intent_${size - 1}`, parameters: { id: 'a' } } }
    const renderMs = p50Of(samples * 10, () => engine.renderNow(request))
    const url = 'http://ixp.test/ixp/intents'
    const firstStart = performance.now()
    const first = await handler.fetch(new Request(url))
    const body = await first.text()
    const firstMs = performance.now() - firstStart
    const tag = first.headers.get('etag')!
    const fullMs = await asyncP50Of(samples, async () => (await handler.fetch(new Request(url))).text())
    const conditionalMs = await asyncP50Of(samples, async () => {
      const answer = await handler.fetch(new Request(url, { headers: { 'if-none-match': tag } }))
      if (answer.status !== 304) throw new Error(`expected 304, got ${answer.status}`)
    })
    revalidated.set(size, conditionalMs)
    rows.push({
      intents: size.toLocaleString('en-US'),
      'register µs/intent': ((registerMs * 1000) / size).toFixed(1),
      'renderNow p50 µs': (renderMs * 1000).toFixed(2),
      'GET /intents first ms': firstMs.toFixed(2),
      'GET /intents 200 p50 ms': fullMs.toFixed(3),
      'GET /intents 304 p50 ms': conditionalMs.toFixed(3),
      'document KB': (body.length / 1024).toFixed(1),
    })
    await engine.close()
  }
  console.log(
    `${samples} requests per p50 (renders: ${samples * 10}); load average ` +
      `${(await import('node:os')).loadavg()[0]!.toFixed(1)}\n`,
  )
  printTable(rows)
  const ratio = revalidated.get(10_000)! / revalidated.get(10)!
  console.log(`\nrevalidated GET /intents p50, 10,000 vs 10 intents: ${ratio.toFixed(2)}× (target ≤ 2×)`)
}
