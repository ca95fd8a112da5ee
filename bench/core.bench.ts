/**
 * Core render path, two comparisons:
 * 1. `engine.render()` of a validated intent with an async handler and a small tree, against a hand-written
 *    async function doing the same work (compiled validation, stripping undeclared keys, handler, tree, TTL).
 *    Target: the engine at most 2× the hand-written path (ratio ≥ 0.5).
 * 2. `engine.renderNow()` of an intent without a handler (synchronous end to end), against a hand-written
 *    TypeBox check + tree + result. Target (issue 19): at most 3× the hand-written time.
 */
import Schema from 'typebox/schema'
import { createEngine, silentLogger } from '@ixp/core'
import { compareRates, compareSyncRates, formatRate, printTable } from './measure.js'

const parameters = {
  type: 'object',
  properties: {
    productId: { type: 'string', minLength: 1, maxLength: 32 },
    quantity: { type: 'integer', minimum: 1, maximum: 99 },
  },
  required: ['productId'],
}

const handler = async (params: Record<string, unknown>) => ({
  price: 12.5,
  name: `Product ${String(params.productId)}`,
})
const render = (props: Record<string, unknown>) => ({
  type: 'card',
  props: { title: props.name },
  children: [
    { type: 'text', props: {}, children: [`Price: ${String(props.price)}`] },
    { type: 'text', props: {}, children: [`Quantity: ${String(props.quantity ?? 1)}`] },
  ],
})

const engine = createEngine({ logger: silentLogger })
engine.registerComponent({ name: 'ProductCard', render })
engine.registerIntent({
  name: 'product_details',
  description: 'Product details',
  component: 'ProductCard',
  parameters,
  handler,
})
// The synchronous case: a component whose tree comes from the parameters alone (canonical as built).
const renderSummary = (props: Record<string, unknown>) => ({
  type: 'card',
  props: { title: String(props.productId) },
  children: [{ type: 'text', props: {}, children: [`Quantity: ${String(props.quantity ?? 1)}`] }],
})
engine.registerComponent({ name: 'ProductSummary', render: renderSummary })
engine.registerIntent({
  name: 'product_card',
  description: 'Product card without data',
  component: 'ProductSummary',
  parameters,
})
await engine.ready()

// The hand-written equivalent: the same compiled check, the same copy without undeclared keys, no hooks.
const validator = Schema.Compile(parameters as never)
const isValid = (value: unknown): boolean => validator.Check(value)
const declared = Object.keys(parameters.properties)
async function handWritten(request: { intent: { name: string; parameters: Record<string, unknown> } }) {
  const input = request.intent.parameters
  const params: Record<string, unknown> = {}
  for (const key of declared) if (key in input) params[key] = input[key]
  if (!isValid(params)) throw new Error('invalid')
  const props = { ...params, ...(await handler(params)) }
  return {
    intent: request.intent.name,
    component: { name: 'ProductCard' },
    props,
    ttl: 300,
    tree: await render(props),
  }
}

// The synchronous hand-written render: the compiled check, the tree, a result with the engine's fields (the
// props a copy of the parameters, as the engine's are). The bench keeps every result (`sink` in measure.ts), so
// V8 cannot drop the allocations of this baseline.
const summaryComponent = { name: 'ProductSummary' }
function handWrittenSync(request: { intent: { name: string; parameters: Record<string, unknown> } }) {
  const params = request.intent.parameters
  if (!isValid(params)) throw new Error('invalid')
  const props = Object.assign({}, params)
  return {
    intent: request.intent.name,
    component: summaryComponent,
    props,
    ttl: 300,
    meta: { durationMs: 0 },
    tree: renderSummary(props),
  }
}
const syncRequest = { intent: { name: 'product_card', parameters: { productId: 'p-1', quantity: 2 } } }

const request = {
  intent: { name: 'product_details', parameters: { productId: 'p-1', quantity: 2, extra: true } },
}

export default async function run(): Promise<void> {
  const [engineRate, handRate] = await compareRates({
    'engine.render()': () => engine.render(request),
    'hand-written': () => handWritten(request),
  })
  printTable(
    [engineRate!, handRate!].map((rate) => ({
      path: rate.name,
      'ops/s (median of 7)': formatRate(rate.opsPerSec),
    })),
  )
  const ratio = engineRate!.opsPerSec / handRate!.opsPerSec
  console.log(`\nengine / hand-written: ${ratio.toFixed(2)} (target ≥ 0.50, i.e. at most 2× slower)`)

  const [nowRate, handSyncRate] = compareSyncRates({
    'engine.renderNow() (no handler)': () => engine.renderNow(syncRequest),
    'hand-written sync': () => handWrittenSync(syncRequest),
  })
  printTable(
    [nowRate!, handSyncRate!].map((rate) => ({
      path: rate.name,
      'ops/s (median of 7)': formatRate(rate.opsPerSec),
      'ns/op': Math.round(1e9 / rate.opsPerSec),
    })),
  )
  const times = handSyncRate!.opsPerSec / nowRate!.opsPerSec
  console.log(`\nrenderNow time / hand-written time: ${times.toFixed(1)}× (target ≤ 3×)`)
}
