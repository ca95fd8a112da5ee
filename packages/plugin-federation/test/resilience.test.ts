/** Timeouts, retries (queries only), the circuit breaker's states and the bulkhead, against real services. */
import { afterEach, describe, expect, it } from 'vitest'
import { serviceIntent, startGateway, startService, waitFor, type TestService } from './helpers.js'

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)!.call(item)
})

async function ordersService(): Promise<TestService> {
  const orders = await startService('orders', [
    serviceIntent('orders', 'order_status', 'OrderCard'),
    serviceIntent('orders', 'cancel_order', 'OrderCard', { kind: 'command' }),
    {
      ...serviceIntent('orders', 'slow_report', 'OrderCard'),
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 400))
        return {}
      },
    },
    {
      ...serviceIntent('orders', 'very_slow_report', 'OrderCard'),
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2000))
        return {}
      },
    },
  ])
  open.push(orders)
  return orders
}

describe('retries', () => {
  it('retries a query that failed, never a command', async () => {
    const orders = await ordersService()
    const gateway = await startGateway({
      services: [{ name: 'orders', url: orders.url }],
      retry: { maxAttempts: 2, initialDelayMs: 1 },
      breaker: { consecutiveFailures: 100 },
      refreshMs: 0,
    })
    open.push(gateway)
    orders.failWith('order_status', 503)
    orders.failWith('cancel_order', 503)
    const query = await gateway.render('order_status', { id: 'A' })
    expect(query.status).toBe(503)
    expect(orders.calls.get('order_status')).toBe(3)
    const command = await gateway.render('cancel_order', { id: 'A' })
    expect(command.status).toBe(503)
    expect(orders.calls.get('cancel_order')).toBe(1)
    // A query that succeeds on its second attempt answers 200.
    orders.failWith('order_status', undefined)
    expect((await gateway.render('order_status', { id: 'B' })).status).toBe(200)
  })

  it('does not retry answers that are not the service being unavailable (4xx, 500)', async () => {
    const orders = await ordersService()
    const gateway = await startGateway({ services: [{ name: 'orders', url: orders.url }], refreshMs: 0 })
    open.push(gateway)
    orders.failWith('order_status', 500)
    expect((await gateway.render('order_status', { id: 'A' })).status).toBe(500)
    expect(orders.calls.get('order_status')).toBe(1)
  })
})

describe('timeouts', () => {
  it('answers 504 SERVICE_TIMEOUT when a service is slower than timeoutMs', async () => {
    const orders = await ordersService()
    const gateway = await startGateway({
      services: [{ name: 'orders', url: orders.url, timeoutMs: 500 }],
      retry: false,
      refreshMs: 0,
    })
    open.push(gateway)
    const started = Date.now()
    const answer = await gateway.render('very_slow_report', {})
    expect(Date.now() - started).toBeLessThan(1800)
    expect(answer.status).toBe(504)
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('SERVICE_TIMEOUT')
  })
})

describe('circuit breaker', () => {
  it('opens after consecutive failures, answers 503 at once with Retry-After, probes half-open, closes', async () => {
    const orders = await ordersService()
    const gateway = await startGateway({
      services: [{ name: 'orders', url: orders.url }],
      retry: false,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1500 },
      refreshMs: 0,
    })
    open.push(gateway)
    const health = async () =>
      (await (await gateway.fetch('/health')).json()) as {
        status: string
        checks: Record<string, { state: string; breaker: string }>
      }
    expect((await health()).checks['federation:orders']).toMatchObject({ state: 'up', breaker: 'closed' })
    orders.failWith('order_status', 503)
    for (let i = 0; i < 3; i++) expect((await gateway.render('order_status', { id: 'A' })).status).toBe(503)
    expect(orders.calls.get('order_status')).toBe(3)

    // Open: refused without calling the service, with the time until the probe.
    const refused = await gateway.render('order_status', { id: 'A' })
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2)
    expect(refused.headers.get('x-ixp-service')).toBe('orders')
    expect(((await refused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { service: 'orders', reason: 'circuit-open' },
    })
    expect(orders.calls.get('order_status')).toBe(3)
    const report = await health()
    expect(report.status).toBe('degraded')
    expect(report.checks['federation:orders']).toMatchObject({ state: 'open-breaker', breaker: 'open' })
    expect((await gateway.fetch('/health')).status).toBe(200)

    // Half-open after halfOpenAfterMs: one probe; it fails, so the breaker opens again.
    await new Promise((resolve) => setTimeout(resolve, 1600))
    expect(gateway.plugin.status().orders!.breaker).toBe('half-open')
    expect((await gateway.render('order_status', { id: 'A' })).status).toBe(503)
    expect(orders.calls.get('order_status')).toBe(4)
    expect(gateway.plugin.status().orders!.breaker).toBe('open')

    // The service recovers: the next probe succeeds and the breaker closes.
    orders.failWith('order_status', undefined)
    await new Promise((resolve) => setTimeout(resolve, 1600))
    expect((await gateway.render('order_status', { id: 'A' })).status).toBe(200)
    expect(gateway.plugin.status().orders!.breaker).toBe('closed')
    expect((await health()).checks['federation:orders']).toMatchObject({ state: 'up' })
  })

  it('turns a stopped service into 503 quickly and back to 200 when it listens again', async () => {
    const orders = await ordersService()
    const gateway = await startGateway({
      services: [{ name: 'orders', url: orders.url }],
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 500 },
      refreshMs: 0,
    })
    open.push(gateway)
    expect((await gateway.render('order_status', { id: 'A' })).status).toBe(200)
    await orders.stop()
    const down = await gateway.render('order_status', { id: 'A' })
    expect(down.status).toBe(503)
    expect(((await down.json()) as { error: { details: { reason: string } } }).error.details.reason).toMatch(
      /unreachable|circuit-open/,
    )
    await orders.start()
    await waitFor(async () => (await gateway.render('order_status', { id: 'A' })).status === 200, 5000, 100)
  })
})

describe('bulkhead', () => {
  it('refuses calls beyond limit + queue with 503 while they are in flight', async () => {
    const orders = await ordersService()
    const gateway = await startGateway({
      services: [{ name: 'orders', url: orders.url }],
      bulkhead: { limit: 1, queue: 1 },
      refreshMs: 0,
    })
    open.push(gateway)
    const answers = await Promise.all([1, 2, 3].map(() => gateway.render('slow_report', {})))
    const statuses = answers.map((answer) => answer.status).sort()
    expect(statuses).toEqual([200, 200, 503])
    const refused = answers.find((answer) => answer.status === 503)!
    expect(((await refused.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'bulkhead-full',
    )
  })
})
