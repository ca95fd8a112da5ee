/**
 * The synchronous render both core benches measure (`core.bench.ts` by time, `core-instructions.ts` by
 * instructions): `engine.renderNow()` of an intent without a handler, whose component builds its tree from the
 * parameters alone, against a hand-written TypeBox check + tree + result with the engine's fields (the props a
 * copy of the parameters, as the engine's are).
 */
import Schema from 'typebox/schema'
import { createEngine, silentLogger, type Engine } from '@ixp/core'

export const parameters = {
  type: 'object',
  properties: {
    productId: { type: 'string', minLength: 1, maxLength: 32 },
    quantity: { type: 'integer', minimum: 1, maximum: 99 },
  },
  required: ['productId'],
}

export const renderSummary = (props: Record<string, unknown>) => ({
  type: 'card',
  props: { title: String(props.productId) },
  children: [{ type: 'text', props: {}, children: [`Quantity: ${String(props.quantity ?? 1)}`] }],
})

export const syncRequest = { intent: { name: 'product_card', parameters: { productId: 'p-1', quantity: 2 } } }

/** Registers the synchronous intent (`product_card`) and its component on an engine. */
export function registerSummary(engine: Engine): void {
  engine.registerComponent({ name: 'ProductSummary', render: renderSummary })
  engine.registerIntent({
    name: 'product_card',
    description: 'Product card without data',
    component: 'ProductSummary',
    parameters,
  })
}

/** A ready engine with only the synchronous intent. */
export async function summaryEngine(): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger })
  registerSummary(engine)
  return engine.ready()
}

const validator = Schema.Compile(parameters as never)
/** The same compiled check the engine makes of the parameters. */
export const isValid = (value: unknown): boolean => validator.Check(value)

const summaryComponent = { name: 'ProductSummary' }
/** The hand-written synchronous render. */
export function handWrittenSync(request: { intent: { name: string; parameters: Record<string, unknown> } }) {
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
