/**
 * The federation end to end, with real processes: `ixp serve --config` runs a gateway federating `catalog`
 * and `orders` over HTTP and `inventory` over NATS (two replicas started with `natsService()` in their
 * configs), all on 127.0.0.1 and the real NATS server (NATS_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { natsSkipReason, uniqueName, waitFor } from './helpers.js'
import { freePort, serve, type ServeProcess } from './processes.js'

const skip = await natsSkipReason()
const running: ServeProcess[] = []
let gateway: ServeProcess
let catalog: ServeProcess
let orders: ServeProcess
let inventory: ServeProcess[]
const inventoryService = uniqueName('inventory')

beforeAll(async () => {
  if (skip !== undefined) return
  const ordersPort = await freePort()
  // Each process is remembered as soon as it runs, so a failed start still stops the others.
  const started = (starting: Promise<ServeProcess>) =>
    starting.then((child) => {
      running.push(child)
      return child
    })
  ;[catalog, orders, ...inventory] = await Promise.all([
    started(serve('service.config.mjs', { IXP_TEST_SERVICE: 'catalog' })),
    started(serve('service.config.mjs', { IXP_TEST_SERVICE: 'orders' }, ordersPort)),
    started(
      serve('service.config.mjs', { IXP_TEST_SERVICE: 'inventory', IXP_TEST_NATS_SERVICE: inventoryService }),
    ),
    started(
      serve('service.config.mjs', { IXP_TEST_SERVICE: 'inventory', IXP_TEST_NATS_SERVICE: inventoryService }),
    ),
  ])
  gateway = await started(
    serve('gateway.config.mjs', {
      CATALOG_URL: catalog.url,
      ORDERS_URL: orders.url,
      INVENTORY_SERVICE: inventoryService,
    }),
  )
}, 120_000)

afterAll(async () => {
  await Promise.all(running.map((child) => child.kill('SIGTERM')))
})

function render(base: string, intent: string, id: string): Promise<Response> {
  return fetch(`${base}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ intent: { name: intent, parameters: { id } } }),
    signal: AbortSignal.timeout(5000),
  })
}

async function status(base: string, intent: string): Promise<number> {
  return (await render(base, intent, 'probe')).status
}

describe.skipIf(skip !== undefined)('ixp serve with federation()', () => {
  it("lists the three services' intents", async () => {
    const answer = await fetch(`${gateway.url}/intents`)
    const names = ((await answer.json()) as { intents: { name: string }[] }).intents.map(
      (intent) => intent.name,
    )
    expect(names.sort()).toEqual(['cancel_order', 'order_status', 'product_search', 'stock_level'])
  })

  it('answers each render with what the service renders', async () => {
    for (const [intent, service, name] of [
      ['product_search', catalog, 'catalog'],
      ['order_status', orders, 'orders'],
      ['stock_level', inventory[0]!, 'inventory'],
    ] as const) {
      const viaGateway = await render(gateway.url, intent, 'A1')
      const direct = await render(service.url, intent, 'A1')
      expect(viaGateway.status).toBe(200)
      expect(viaGateway.headers.get('x-ixp-service')).toBe(name)
      expect(await viaGateway.json()).toEqual(await direct.json())
    }
  })

  it('turns a killed service into 503 within 2 s, keeps the others at 200, and recovers within 15 s', async () => {
    const port = orders.port
    await orders.kill('SIGKILL')
    const tookMs = await waitFor(async () => (await status(gateway.url, 'order_status')) === 503, 2000, 50)
    expect(tookMs).toBeLessThan(2000)
    const refused = await render(gateway.url, 'order_status', 'x')
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE')
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await status(gateway.url, 'product_search')).toBe(200)
    expect(await status(gateway.url, 'stock_level')).toBe(200)
    const health = await fetch(`${gateway.url}/health`)
    expect(health.status).toBe(200)
    const report = (await health.json()) as { status: string; checks: Record<string, { state: string }> }
    expect(report.status).toBe('degraded')
    expect(['down', 'open-breaker', 'degraded']).toContain(report.checks['federation:orders']!.state)
    expect(report.checks['federation:catalog']!.state).toBe('up')

    orders = await serve('service.config.mjs', { IXP_TEST_SERVICE: 'orders' }, port)
    running.push(orders)
    const backMs = await waitFor(async () => (await status(gateway.url, 'order_status')) === 200, 15_000, 200)
    expect(backMs).toBeLessThan(15_000)
  }, 60_000)

  it('keeps answering with one NATS replica killed: 20 renders in a row succeed', async () => {
    await inventory[1]!.kill('SIGKILL')
    for (let i = 0; i < 20; i++) {
      const answer = await render(gateway.url, 'stock_level', `S${i}`)
      expect(answer.status).toBe(200)
    }
  }, 30_000)
})
