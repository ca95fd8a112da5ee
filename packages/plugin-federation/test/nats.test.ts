/**
 * NATS: engines served with `natsService()` on the real NATS server (NATS_URL, default 127.0.0.1:4222), found
 * by the gateway through the micro-services API. Service names are unique per run so parallel runs never meet.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine, IxpError, silentLogger, type Engine } from '@ixp/core'
import { natsService } from '@ixp/plugin-federation'
import { connect } from 'nats'
import {
  cardComponent,
  NATS_URL,
  natsSkipReason,
  serviceIntent,
  startGateway,
  uniqueName,
  waitFor,
} from './helpers.js'

const skip = await natsSkipReason()

const open: { close: () => Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close()
})

async function inventoryReplica(
  service: string,
  replica: string,
  counter: Map<string, number>,
): Promise<Engine> {
  const engine = createEngine({
    logger: silentLogger,
    plugins: [natsService({ servers: NATS_URL, name: service })],
  })
  engine.registerComponent(cardComponent('StockCard'))
  engine.registerIntent({
    ...serviceIntent('inventory', 'stock_level', 'StockCard'),
    handler: (params, ctx) => {
      counter.set(replica, (counter.get(replica) ?? 0) + 1)
      return { replica: 'any', sku: params.id, requestId: ctx.requestId }
    },
  })
  engine.registerIntent({
    ...serviceIntent('inventory', 'reserve_stock', 'StockCard', { kind: 'command' }),
    handler: () => {
      throw new IxpError('OUT_OF_STOCK', 'Nothing left to reserve', { status: 409, details: { left: 0 } })
    },
  })
  await engine.ready()
  open.push(engine)
  return engine
}

describe.skipIf(skip !== undefined)('natsService and the NATS transport', () => {
  it('lists, renders and passes errors on over NATS', async () => {
    const name = uniqueName('inventory')
    const counter = new Map<string, number>()
    const replica = await inventoryReplica(name, 'r1', counter)
    const gateway = await startGateway({
      services: [{ name: 'inventory', nats: { servers: NATS_URL, service: name } }],
      timeoutMs: 1000,
      refreshMs: 0,
    })
    open.push(gateway)
    const intents = (await (await gateway.fetch('/intents')).json()) as {
      intents: { name: string; kind: string }[]
    }
    expect(intents.intents.map((intent) => [intent.name, intent.kind]).sort()).toEqual([
      ['reserve_stock', 'command'],
      ['stock_level', 'query'],
    ])
    const answer = await gateway.render('stock_level', { id: 'SKU-1' }, { 'x-request-id': 'nats-req-1' })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('x-ixp-service')).toBe('inventory')
    const body = (await answer.json()) as { tree: unknown; component: { name: string }; ttl: number }
    const local = await replica.render(
      { intent: { name: 'stock_level', parameters: { id: 'SKU-1' } } },
      { requestId: 'nats-req-1' },
    )
    expect(body.tree).toEqual(local.tree)
    expect(body.component).toEqual(local.component)
    const refused = await gateway.render('reserve_stock', { id: 'SKU-1' })
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      code: 'OUT_OF_STOCK',
      message: 'Nothing left to reserve',
      details: { left: 0 },
    })
    expect(gateway.plugin.status().inventory).toMatchObject({ state: 'up', transport: 'nats', available: 1 })
  })

  it('spreads renders over replicas and keeps answering when one goes away', async () => {
    const name = uniqueName('inventory')
    const counter = new Map<string, number>()
    await inventoryReplica(name, 'r1', counter)
    const second = await inventoryReplica(name, 'r2', counter)
    const gateway = await startGateway({
      services: [{ name: 'inventory', nats: { servers: NATS_URL, service: name } }],
      timeoutMs: 1000,
      refreshMs: 0,
    })
    open.push(gateway)
    expect(gateway.plugin.status().inventory).toMatchObject({ available: 2 })
    for (let i = 0; i < 20; i++)
      expect((await gateway.render('stock_level', { id: `S${i}` })).status).toBe(200)
    expect(counter.get('r1')).toBeGreaterThan(0)
    expect(counter.get('r2')).toBeGreaterThan(0)
    await second.close()
    const before = counter.get('r1')!
    for (let i = 0; i < 20; i++)
      expect((await gateway.render('stock_level', { id: `T${i}` })).status).toBe(200)
    expect(counter.get('r1')).toBe(before + 20)
    await waitFor(() => gateway.plugin.status().inventory!.available === 1, 2000)
  })

  it('registers a new intent at once when the service announces a change', async () => {
    const name = uniqueName('inventory')
    const replica = await inventoryReplica(name, 'r1', new Map())
    const gateway = await startGateway({
      services: [{ name: 'inventory', nats: { servers: NATS_URL, service: name } }],
      refreshMs: 0,
    })
    open.push(gateway)
    replica.registerIntent(serviceIntent('inventory', 'restock_date', 'StockCard'))
    const took = await waitFor(() => gateway.engine.intents.has('restock_date'), 2000, 20)
    expect(took).toBeLessThan(1000)
    expect((await gateway.render('restock_date', { id: 'X' })).status).toBe(200)
  })

  it('answers 503 at once when no instance serves, and comes back when one does', async () => {
    const name = uniqueName('inventory')
    const first = await inventoryReplica(name, 'r1', new Map())
    const gateway = await startGateway({
      services: [{ name: 'inventory', nats: { servers: NATS_URL, service: name } }],
      retry: false,
      refreshMs: 0,
    })
    open.push(gateway)
    await first.close()
    const started = Date.now()
    const down = await gateway.render('stock_level', { id: 'A' })
    expect(down.status).toBe(503)
    expect(Date.now() - started).toBeLessThan(500)
    await inventoryReplica(name, 'r3', new Map())
    await waitFor(async () => (await gateway.render('stock_level', { id: 'A' })).status === 200, 3000, 50)
  })

  it('is a real NATS micro service: $SRV.INFO answers with the IXP endpoints', async () => {
    const name = uniqueName('inventory')
    await inventoryReplica(name, 'r1', new Map())
    const connection = await connect({ servers: NATS_URL })
    open.push({ close: () => connection.close() })
    const infos = []
    for await (const info of await connection.services.client().info(name)) infos.push(info)
    expect(infos).toHaveLength(1)
    expect(infos[0]!.endpoints.map((endpoint) => endpoint.name).sort()).toEqual([
      'components',
      'intents',
      'render',
      'resolve',
    ])
    expect(infos[0]!.endpoints.every((endpoint) => endpoint.queue_group === 'ixp')).toBe(true)
  })
})

describe('natsService options', () => {
  it('reports bad natsService options naming the option', () => {
    expect(() => natsService({ servers: NATS_URL, name: 'bad name' })).toThrow(/name must be/)
    expect(() => natsService({ servers: [], name: 'x' })).toThrow(/servers must be/)
    expect(() => natsService({ servers: NATS_URL, name: 'x', version: 'one' })).toThrow(
      /version must be semver/,
    )
  })
})
