import { describe, expect, it } from 'vitest'
import {
  createEngine,
  IxpError,
  silentLogger,
  type Invalidation,
  type IntentDefinition,
  type IxpPlugin,
  type Logger,
  type RenderResult,
} from '../src/index.js'
import { loadIntents } from '../src/reference-files/index.js'

const stock = new Map<string, number>([['A1', 3]])

function shop(options: { logger?: Logger } = {}) {
  const engine = createEngine({ logger: options.logger ?? silentLogger })
  engine.registerComponent({
    name: 'Stock',
    render: (props) => ({ type: 'p', props: {}, children: [`${String(props.sku)}: ${String(props.level)}`] }),
  })
  const sku = { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] }
  engine.registerIntent({
    name: 'stock_level',
    description: 'Stock of a product',
    component: 'Stock',
    parameters: sku,
    cacheTags: (p) => [`stock:${String(p.sku)}`],
    handler: ({ sku }) => ({ level: stock.get(String(sku)) ?? 0 }),
  })
  let runs = 0
  engine.registerIntent({
    name: 'restock',
    kind: 'command',
    description: 'Adds units to the stock of a product',
    component: 'Stock',
    parameters: { ...sku, properties: { ...sku.properties, units: { type: 'integer' } } },
    invalidates: (p, data) => [`stock:${String(p.sku)}`, `level:${String(data?.level)}`],
    handler: ({ sku, units }) => {
      runs++
      const level = (stock.get(String(sku)) ?? 0) + Number(units ?? 1)
      stock.set(String(sku), level)
      return { level }
    },
  })
  const seen: Invalidation[] = []
  engine.events.on('invalidate', (invalidation) => seen.push(invalidation))
  return { engine, seen, runs: () => runs }
}

function definitionIssues(definition: Partial<IntentDefinition>): unknown {
  const engine = createEngine({ logger: silentLogger })
  try {
    engine.registerIntent({
      name: 'x',
      description: 'x',
      component: 'C',
      parameters: { type: 'object' },
      ...definition,
    } as IntentDefinition)
  } catch (error) {
    expect(error).toBeInstanceOf(IxpError)
    expect((error as IxpError).code).toBe('INVALID_DEFINITION')
    return (error as IxpError).details?.issues
  }
  throw new Error('expected INVALID_DEFINITION')
}

describe('intent kinds', () => {
  it('defaults to query and keeps command, so listings show both', () => {
    const { engine } = shop()
    expect(engine.intents.get('stock_level')?.kind).toBe('query')
    expect(engine.intents.get('restock')?.kind).toBe('command')
  })

  it('refuses an unknown kind, bad tag fields and invalidates on a query, naming the field', () => {
    expect(definitionIssues({ kind: 'mutation' as never })).toEqual([
      { path: 'kind', message: "must be 'query' or 'command'" },
    ])
    expect(definitionIssues({ kind: 'command', invalidates: 'stock' as never })).toEqual([
      { path: 'invalidates', message: 'must be an array of tags or a function (params, data, ctx) => tags' },
    ])
    expect(definitionIssues({ cacheTags: ['ok', ''] })).toEqual([
      { path: 'cacheTags.1', message: 'must be a non-empty string' },
    ])
    expect(definitionIssues({ invalidates: ['stock'] })).toEqual([
      { path: 'invalidates', message: "is only applied by commands: add kind: 'command'" },
    ])
    expect(definitionIssues({ kind: 'command', retrySafe: 'yes' as never })).toEqual([
      { path: 'retrySafe', message: 'must be a boolean' },
    ])
    const engine = createEngine({ logger: silentLogger })
    engine.registerIntent({
      name: 'reserve',
      description: 'Reserve',
      component: 'C',
      parameters: { type: 'object' },
      kind: 'command',
      retrySafe: true,
    })
    expect(engine.intents.get('reserve')?.retrySafe).toBe(true)
  })

  it('checks kind in reference intents files with the path of the intent', () => {
    const file = {
      intents: [
        {
          name: 'restock',
          description: 'Restock',
          component: 'Stock',
          version: '1.0.0',
          parameters: { type: 'object' },
          kind: 'write',
        },
      ],
    }
    expect(() => loadIntents(file)).toThrow(/intents\.0\.kind must be 'query' or 'command'/)
    const ok = loadIntents({ intents: [{ ...file.intents[0], kind: 'command', invalidates: ['stock'] }] })
    expect(ok[0]?.invalidates).toEqual(['stock'])
  })
})

describe('engine.invalidate()', () => {
  it('emits one frozen event with tags and intents, deduplicated', () => {
    const { engine, seen } = shop()
    engine.invalidate({ tags: ['a', 'a', 'b'], intents: ['stock_level'] })
    expect(seen).toEqual([{ tags: ['a', 'b'], intents: ['stock_level'], remote: false }])
    expect(Object.isFrozen(seen[0])).toBe(true)
    engine.invalidate({ tags: ['c'], remote: true })
    expect(seen[1]).toEqual({ tags: ['c'], intents: [], remote: true })
  })

  it('emits nothing for an empty request and refuses malformed ones with INVALID_REQUEST', () => {
    const { engine, seen } = shop()
    engine.invalidate({})
    engine.invalidate({ tags: [] })
    expect(seen).toEqual([])
    for (const bad of [
      null,
      { tags: 'a' },
      { tags: [''] },
      { intents: [1] },
      { tags: ['a'], remote: 'yes' },
    ]) {
      expect(() => engine.invalidate(bad as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST' }) as Error,
      )
    }
    expect(seen).toEqual([])
  })
})

describe('commands invalidate after they succeed', () => {
  it('puts the resolved cacheTags of a query on its result', async () => {
    const { engine, seen } = shop()
    const result = await engine.render({ intent: { name: 'stock_level', parameters: { sku: 'A1' } } })
    expect(result.tags).toEqual(['stock:A1'])
    expect(seen).toEqual([])
  })

  it("emits the command's invalidates, computed from its parameters and data", async () => {
    const { engine, seen } = shop()
    const before = stock.get('A1')!
    await engine.render({ intent: { name: 'restock', parameters: { sku: 'A1', units: 2 } } })
    expect(seen).toEqual([{ tags: ['stock:A1', `level:${before + 2}`], intents: [], remote: false }])
  })

  it('does not invalidate when the command fails, or when a plugin answered without running it', async () => {
    const { engine, seen, runs } = shop()
    engine.registerIntent(
      {
        name: 'restock',
        kind: 'command',
        description: 'Fails',
        component: 'Stock',
        parameters: { type: 'object' },
        invalidates: ['stock:A1'],
        handler: () => {
          throw new IxpError('FORBIDDEN', 'no')
        },
      },
      { replace: true },
    )
    await expect(engine.render({ intent: { name: 'restock', parameters: {} } })).rejects.toThrow('no')
    expect(seen).toEqual([])

    const replay: IxpPlugin = {
      name: 'replay',
      apply(target) {
        target.hooks.beforeHandler.tap('replay', (state): RenderResult | undefined =>
          state.intent.name === 'restock'
            ? { intent: 'restock', component: {}, props: {}, ttl: 0, meta: state.meta }
            : undefined,
        )
      },
    }
    engine.use(replay)
    await engine.ready()
    await engine.render({ intent: { name: 'restock', parameters: {} } })
    expect(seen).toEqual([])
    expect(runs()).toBe(0)
  })

  it('logs a throwing invalidates function and still answers', async () => {
    const errors: string[] = []
    const logger: Logger = { ...silentLogger, error: (message) => errors.push(message) }
    const { engine } = shop({ logger })
    engine.registerIntent(
      {
        name: 'restock',
        kind: 'command',
        description: 'Restock',
        component: 'Stock',
        parameters: { type: 'object', properties: { sku: { type: 'string' } } },
        invalidates: () => {
          throw new Error('boom')
        },
        handler: () => ({ level: 1 }),
      },
      { replace: true },
    )
    const result = await engine.render({ intent: { name: 'restock', parameters: { sku: 'A1' } } })
    expect(result.props.level).toBe(1)
    expect(errors).toEqual([expect.stringContaining("intent 'restock'")])
  })
})
