/**
 * `pnpm bench tracing` — @ixp/plugin-tracing: what the plugin costs a render when no OpenTelemetry SDK is
 * registered (the no-op tracer): `engine.render()` of the core benchmark's intent with the plugin installed
 * (defaults: in-process metrics on) against the same engine without it, interleaved. Target: overhead ≤ 5 %.
 * For scale, it also runs the plugin with its render phases timed (`phases: true`, still no SDK) — the
 * mode an SDK switches on.
 *
 * Two measures: wall-clock rates from interleaved rounds (`compareRates`, as every benchmark here), and CPU
 * time per render from many short back-to-back slices, which a loaded machine disturbs far less; an
 * identical second engine measured the same way shows the noise floor.
 */
import { createEngine, silentLogger, type Engine, type IxpPlugin } from '@ixp/core'
import { tracing } from '../packages/plugin-tracing/src/index.js'
import { compareRates, formatRate, printTable } from './measure.js'

const parameters = {
  type: 'object',
  properties: {
    productId: { type: 'string', minLength: 1, maxLength: 32 },
    quantity: { type: 'integer', minimum: 1, maximum: 99 },
  },
  required: ['productId'],
}

async function engineWith(plugins: IxpPlugin[]): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger, plugins })
  engine.registerComponent({
    name: 'ProductCard',
    render: (props) => ({
      type: 'card',
      props: { title: props.name },
      children: [
        { type: 'text', props: {}, children: [`Price: ${String(props.price)}`] },
        { type: 'text', props: {}, children: [`Quantity: ${String(props.quantity ?? 1)}`] },
      ],
    }),
  })
  engine.registerIntent({
    name: 'product_details',
    description: 'Product details',
    component: 'ProductCard',
    parameters,
    handler: async (params) => ({ price: 12.5, name: `Product ${String(params.productId)}` }),
  })
  await engine.ready()
  return engine
}

const request = {
  intent: { name: 'product_details', parameters: { productId: 'p-1', quantity: 2, extra: true } },
}

interface CpuSample {
  micros: number
  ops: number
}

/** CPU time and operations over a slice of `ms` milliseconds (other processes' load does not count). */
async function cpuSlice(fn: () => unknown, ms: number): Promise<CpuSample> {
  let ops = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await fn()
    ops += 50
  }
  const used = process.cpuUsage(cpu)
  return { micros: used.user + used.system, ops }
}

function perOp(samples: readonly CpuSample[]): number {
  let micros = 0
  let ops = 0
  for (const sample of samples) {
    micros += sample.micros
    ops += sample.ops
  }
  return micros / ops
}

/**
 * The candidate's CPU time per render over the baseline's, from `pairs` back-to-back slices (order
 * alternating, so drift hits both sides alike). CPU clocks tick coarsely, so the ratio is of the totals;
 * the ratios of the first and second half of the pairs show how stable it is.
 */
async function pairedRatio(
  baseline: () => unknown,
  candidate: () => unknown,
  { pairs = 60, ms = 50 } = {},
): Promise<{ ratio: number; halves: [number, number] }> {
  const base: CpuSample[] = []
  const other: CpuSample[] = []
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      base.push(await cpuSlice(baseline, ms))
      other.push(await cpuSlice(candidate, ms))
    } else {
      other.push(await cpuSlice(candidate, ms))
      base.push(await cpuSlice(baseline, ms))
    }
  }
  const half = pairs >> 1
  return {
    ratio: perOp(other) / perOp(base),
    halves: [
      perOp(other.slice(0, half)) / perOp(base.slice(0, half)),
      perOp(other.slice(half)) / perOp(base.slice(half)),
    ],
  }
}

const percent = (ratio: number) => `${((ratio - 1) * 100).toFixed(1)} %`

export default async function run(): Promise<void> {
  // No SDK is registered in this process: the global tracer provider is the API's proxy without a delegate.
  const plain = await engineWith([])
  const twin = await engineWith([])
  const traced = await engineWith([tracing()])
  const phased = await engineWith([tracing({ phases: true })])
  const render = (engine: Engine) => () => engine.render(request)

  console.log('Wall clock, interleaved rounds (compareRates):\n')
  const rates = await compareRates(
    {
      'no plugin': render(plain),
      'tracing() (no SDK)': render(traced),
      'tracing({ phases: true }) (no SDK)': render(phased),
    },
    { rounds: 15, ms: 300 },
  )
  const base = rates[0]!.opsPerSec
  printTable(
    rates.map((rate) => ({
      path: rate.name,
      'ops/s (median of 15)': formatRate(rate.opsPerSec),
      overhead: rate === rates[0] ? '—' : percent(base / rate.opsPerSec),
    })),
  )

  console.log('\nCPU time per render, paired slices against the plain engine (ratio of totals):\n')
  const rows: Record<string, string>[] = []
  for (const [name, engine] of [
    ['identical engine (noise floor)', twin],
    ['tracing() (no SDK)', traced],
    ['tracing({ phases: true }) (no SDK)', phased],
  ] as const) {
    for (let i = 0; i < 10; i++) await cpuSlice(render(engine), 20)
    const { ratio, halves } = await pairedRatio(render(plain), render(engine))
    rows.push({
      path: name,
      overhead: percent(ratio),
      'first half / second half': `${percent(halves[0])} / ${percent(halves[1])}`,
    })
  }
  printTable(rows)
  console.log(`\ntracing() overhead without an SDK: ${rows[1]!.overhead} of CPU per render (target ≤ 5 %)`)
}
