/**
 * What the portable hook interpreter costs per hook call, against tapable's compiled callers, on the engine's
 * own hooks (a render runs ~7 hook calls). `pnpm bench hooks`
 */
import { createHooks, type RenderState } from '../packages/core/src/hooks/index.js'
import type { IntentDefinition, IxpContext, RenderResult } from '../packages/core/src/types.js'
import { compareRates, printTable } from './measure.js'

const BATCH = 1_000

const intent: IntentDefinition = { name: 'i', description: 'i', component: 'C', parameters: {} }
const state = { meta: {} } as RenderState
const result = { intent: 'i', component: {}, props: {}, ttl: 0, meta: { durationMs: 0 } } as RenderResult

interface Case {
  name: string
  /** Builds the engine's hooks (compiled where `'auto'` allows, else interpreted) with taps on one hook. */
  make(codeGeneration: 'auto' | 'off'): () => unknown
}

const cases: Case[] = [
  {
    name: 'registerIntent (sync waterfall), no taps, call()',
    make: (mode) => {
      const hooks = createHooks(mode)
      return () => hooks.registerIntent.call(intent)
    },
  },
  {
    name: 'registerIntent (sync waterfall), 3 taps, call()',
    make: (mode) => {
      const hooks = createHooks(mode)
      for (let i = 0; i < 3; i++) hooks.registerIntent.tap(`t${i}`, (definition) => definition)
      return () => hooks.registerIntent.call(intent)
    },
  },
  {
    name: 'admission (async series), 3 sync taps, promise()',
    make: (mode) => {
      const hooks = createHooks(mode)
      for (let i = 0; i < 3; i++) hooks.admission.tap(`t${i}`, () => {})
      return () => hooks.admission.promise(state)
    },
  },
  {
    name: 'resolve (async series bail), 2 tapPromise, promise()',
    make: (mode) => {
      const hooks = createHooks(mode)
      hooks.resolve.tapPromise('miss', async () => undefined)
      hooks.resolve.tapPromise('hit', async (query) => ({
        matched: true,
        intent: query.text,
        parameters: {},
        confidence: 1,
        alternatives: [],
      }))
      return () => hooks.resolve.promise({ text: 'i' }, {} as IxpContext)
    },
  },
  {
    name: 'afterRender (async series waterfall), 3 tapPromise + interceptor, promise()',
    make: (mode) => {
      const hooks = createHooks(mode)
      hooks.afterRender.intercept({ call: () => {}, result: () => {} })
      for (let i = 0; i < 3; i++) hooks.afterRender.tapPromise(`t${i}`, async (value) => value)
      return () => hooks.afterRender.promise(result, state)
    },
  },
]

/** Runs `call` BATCH times per operation; async callers are awaited one after another. */
function batch(call: () => unknown): () => unknown {
  const probe = call()
  if (probe instanceof Promise) {
    return async () => {
      for (let i = 0; i < BATCH; i++) await call()
    }
  }
  return () => {
    for (let i = 0; i < BATCH; i++) call()
  }
}

export default async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = []
  for (const { name, make } of cases) {
    const [compiled, interpreted] = await compareRates(
      { compiled: batch(make('auto')), interpreted: batch(make('off')) },
      { rounds: 5, ms: 200, warmupMs: 200 },
    )
    const nsPerCall = (rate: { opsPerSec: number }) => 1e9 / (rate.opsPerSec * BATCH)
    rows.push({
      hook: name,
      'compiled ns/call': nsPerCall(compiled!).toFixed(0),
      'interpreted ns/call': nsPerCall(interpreted!).toFixed(0),
      'overhead ns/call': (nsPerCall(interpreted!) - nsPerCall(compiled!)).toFixed(0),
    })
  }
  printTable(rows)
}
