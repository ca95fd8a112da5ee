/**
 * Core render path, two comparisons:
 * 1. `engine.render()` of a validated intent with an async handler and a small tree, against a hand-written
 *    async function doing the same work (compiled validation, stripping undeclared keys, handler, tree, TTL).
 *    Target: the engine at most 2× the hand-written path (ratio ≥ 0.5).
 * 2. `engine.renderNow()` of an intent without a handler (synchronous end to end), against a hand-written
 *    TypeBox check + tree + result (`core-fixture.ts`). Target (issue 19): at most 3× the hand-written time.
 *    With `IXP_BENCH_INSTRUCTIONS=1` (and valgrind) the two are also counted in instructions.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEngine, silentLogger } from '@ixp/core'
import { bundleForNode } from './bundle.js'
import { handWrittenSync, isValid, parameters, registerSummary, syncRequest } from './core-fixture.js'
import { countingInstructions, instructionsPerOp } from './instructions.js'
import { compareRates, compareSyncRates, formatRate, printTable } from './measure.js'

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
registerSummary(engine)
await engine.ready()

// The hand-written equivalent: the same compiled check, the same copy without undeclared keys, no hooks.
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

const request = {
  intent: { name: 'product_details', parameters: { productId: 'p-1', quantity: 2, extra: true } },
}

export default async function run(): Promise<void> {
  const counting = await countingInstructions()
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
  if (counting) await compareInstructions()
}

/**
 * The same synchronous renders counted in instructions (`IXP_BENCH_INSTRUCTIONS=1`, needs valgrind): a figure
 * that does not move with the machine's load, where the times above do.
 */
async function compareInstructions(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ixp-core-bench-'))
  try {
    const script = join(dir, 'core-instructions.mjs')
    await bundleForNode({
      entryPoints: [fileURLToPath(new URL('./core-instructions.ts', import.meta.url))],
      outfile: script,
    })
    const engineCount = await instructionsPerOp(script, ['engine'])
    const handCount = await instructionsPerOp(script, ['hand'])
    printTable([
      { path: 'engine.renderNow() (no handler)', 'instructions/op': Math.round(engineCount) },
      { path: 'hand-written sync', 'instructions/op': Math.round(handCount) },
    ])
    console.log(
      `\nrenderNow instructions / hand-written instructions: ${(engineCount / handCount).toFixed(1)}×`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
