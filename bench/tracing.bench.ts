/**
 * `pnpm bench tracing` — @ixp/plugin-tracing: what the plugin costs a render when no OpenTelemetry SDK is
 * registered (the no-op tracer): `engine.render()` of the core benchmark's intent with the plugin installed
 * (defaults: in-process metrics on) against the same engine without it, interleaved. Target: overhead ≤ 5 %.
 * For scale, it also runs the plugin with its render phases timed (`phases: true`, still no SDK) — the
 * mode an SDK switches on.
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

export default async function run(): Promise<void> {
  // No SDK is registered in this process: the global tracer provider is the API's proxy without a delegate.
  const plain = await engineWith([])
  const traced = await engineWith([tracing()])
  const phased = await engineWith([tracing({ phases: true })])
  const rates = await compareRates(
    {
      'no plugin': () => plain.render(request),
      'tracing() (no SDK)': () => traced.render(request),
      'tracing({ phases: true }) (no SDK)': () => phased.render(request),
    },
    { rounds: 15, ms: 300 },
  )
  const base = rates[0]!.opsPerSec
  printTable(
    rates.map((rate) => ({
      path: rate.name,
      'ops/s (median of 15)': formatRate(rate.opsPerSec),
      overhead: rate === rates[0] ? '—' : `${(((base - rate.opsPerSec) / base) * 100).toFixed(1)} %`,
    })),
  )
  const overhead = ((base - rates[1]!.opsPerSec) / base) * 100
  console.log(`\ntracing() overhead without an SDK: ${overhead.toFixed(1)} % (target ≤ 5 %)`)
}
