/** The gateway over HTTP: lists, renders, errors, headers, clashes and prefixes, resolve. */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { createEngine, IxpError, silentLogger } from '@ixp/core'
import { federation, FederationErrorCodes, natsService, type NatsServicePlugin } from '@ixp/plugin-federation'
import { serviceIntent, startGateway, startService, type TestGateway, type TestService } from './helpers.js'

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)!.call(item)
})

async function catalogAndOrders(): Promise<[TestService, TestService]> {
  const catalog = await startService('catalog', [
    serviceIntent('catalog', 'product_search', 'ProductList', { examples: ['find products'] }),
  ])
  const orders = await startService('orders', [
    serviceIntent('orders', 'order_status', 'OrderCard'),
    serviceIntent('orders', 'cancel_order', 'OrderCard', { kind: 'command' }),
    {
      ...serviceIntent('orders', 'refund', 'OrderCard'),
      handler: () => {
        throw new IxpError('REFUND_CLOSED', 'Refunds are closed today', {
          status: 409,
          details: { day: 'sun' },
        })
      },
    },
  ])
  open.push(catalog, orders)
  return [catalog, orders]
}

async function gatewayOf(services: TestService[], names = ['catalog', 'orders']): Promise<TestGateway> {
  const gateway = await startGateway({
    services: services.map((service, i) => ({ name: names[i]!, url: service.url })),
    timeoutMs: 1000,
    refreshMs: 0,
  })
  open.push(gateway)
  return gateway
}

describe('federation over HTTP', () => {
  it('lists the intents and components of every service', async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    const intents = (await (await gateway.fetch('/intents')).json()) as {
      intents: { name: string; kind?: string }[]
    }
    expect(intents.intents.map((intent) => intent.name).sort()).toEqual([
      'cancel_order',
      'order_status',
      'product_search',
      'refund',
    ])
    expect(intents.intents.find((intent) => intent.name === 'cancel_order')?.kind).toBe('command')
    expect(intents.intents.find((intent) => intent.name === 'order_status')?.kind).toBe('query')
    const components = (await (await gateway.fetch('/components')).json()) as {
      components: { name: string }[]
    }
    expect(components.components.map((component) => component.name).sort()).toEqual([
      'OrderCard',
      'ProductList',
    ])
  })

  it("answers a render with the service's answer and x-ixp-service", async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    const viaGateway = await gateway.render('order_status', { id: 'A1' })
    const direct = await fetch(`${orders.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent: { name: 'order_status', parameters: { id: 'A1' } } }),
    })
    expect(viaGateway.status).toBe(200)
    expect(viaGateway.headers.get('x-ixp-service')).toBe('orders')
    expect(await viaGateway.json()).toEqual(await direct.json())
    const product = await gateway.render('product_search', { id: 'p' })
    expect(product.headers.get('x-ixp-service')).toBe('catalog')
    expect(JSON.stringify(await product.json())).toContain('\\"service\\":\\"catalog\\"')
  })

  it("passes a service's error on: status, code, message, details", async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    const answer = await gateway.render('refund', { id: 'A1' })
    expect(answer.status).toBe(409)
    expect(answer.headers.get('x-ixp-service')).toBe('orders')
    const body = (await answer.json()) as { error: { code: string; message: string; details: unknown } }
    expect(body.error).toMatchObject({
      code: 'REFUND_CLOSED',
      message: 'Refunds are closed today',
      details: { day: 'sun' },
    })
  })

  it('validates parameters at the gateway with the service schema', async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    const answer = await gateway.render('order_status', { id: 42 })
    expect(answer.status).toBe(400)
    expect(orders.calls.get('order_status') ?? 0).toBe(0)
  })

  it("forwards the caller's request id and trace context", async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    await gateway.render('order_status', { id: 'A1' }, { 'x-request-id': 'req-12345', traceparent })
    const seen = orders.seen.at(-1)!
    expect(seen.requestId).toBe('req-12345')
    expect(seen.headers.traceparent).toBe(traceparent)
    await gateway.render('order_status', { id: 'A2' })
    expect(orders.seen.at(-1)!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  })

  it('refuses to start when two services define the same intent, and accepts a prefix', async () => {
    const first = await startService('a', [serviceIntent('a', 'lookup', 'CardA')])
    const second = await startService('b', [serviceIntent('b', 'lookup', 'CardB')])
    open.push(first, second)
    const clashing = createEngine({
      logger: silentLogger,
      plugins: [
        federation({
          services: [
            { name: 'a', url: first.url },
            { name: 'b', url: second.url },
          ],
          refreshMs: 0,
        }),
      ],
    })
    await expect(clashing.ready()).rejects.toThrow(/lookup.*clashes with service 'a'.*prefix/)
    await clashing.close()
    const gateway = await startGateway({
      services: [
        { name: 'a', url: first.url },
        { name: 'b', url: second.url, prefix: 'b.' },
      ],
      refreshMs: 0,
    })
    open.push(gateway)
    const answer = await gateway.render('b.lookup', { id: 'x' })
    expect(answer.status).toBe(200)
    const body = (await answer.json()) as { component: { name: string } }
    expect(body.component.name).toBe('b.CardB')
    expect(second.calls.get('lookup')).toBe(1)
  })

  it("refuses to start when a service's intent clashes with a local one", async () => {
    const service = await startService('a', [serviceIntent('a', 'local_one', 'CardA')])
    open.push(service)
    const engine = createEngine({
      logger: silentLogger,
      plugins: [federation({ services: [{ name: 'a', url: service.url }], refreshMs: 0 })],
    })
    engine.registerComponent({ name: 'Local', render: () => 'local' })
    engine.registerIntent({
      name: 'local_one',
      description: 'mine',
      parameters: { type: 'object' },
      component: 'Local',
    })
    await expect(engine.ready()).rejects.toMatchObject({ code: 'PLUGIN_APPLY_FAILED' })
    await expect(engine.ready()).rejects.toThrow(
      /FEDERATION|clashes with an intent or component of this engine/,
    )
    await engine.close()
  })

  it('resolves free text through the services', async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    // Exact names are the services' own resolvers here: the gateway asks them and maps the answer.
    const outcome = await gateway.engine.resolve({ text: 'product_search' })
    expect(outcome).toMatchObject({ matched: true, intent: 'product_search' })
    const none = await gateway.engine.resolve({ text: 'something nobody knows' })
    expect(none.matched).toBe(false)
  })

  it('keeps lists fresh: new intents registered through mapIntent, late clashes left out and reported', async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await startGateway({
      services: [
        { name: 'catalog', url: catalog.url },
        { name: 'orders', url: orders.url },
      ],
      refreshMs: 0,
      mapIntent: (definition, service) => ({
        ...definition,
        tags: [...(definition.tags ?? []), `from:${service}`],
      }),
    })
    open.push(gateway)
    expect(gateway.engine.intents.get('product_search')?.tags).toEqual(['from:catalog'])
    catalog.engine.registerIntent({
      ...serviceIntent('catalog', 'new_arrivals', 'ProductList'),
      handler: () => ({}),
    })
    orders.engine.registerComponent({ name: 'Late', render: () => 'late' })
    orders.engine.registerIntent({ ...serviceIntent('orders', 'new_arrivals', 'Late'), handler: () => ({}) })
    await gateway.plugin.refresh()
    expect(gateway.engine.intents.has('new_arrivals')).toBe(true)
    expect((await gateway.render('new_arrivals', {})).headers.get('x-ixp-service')).toBe('catalog')
    const status = gateway.plugin.status().orders!
    expect(status.state).toBe('degraded')
    expect(String((status.problems as string[])[0])).toMatch(/new_arrivals.*clashes with service 'catalog'/)
  })

  it("leaves out a definition the gateway's engine refuses, and registers the rest", async () => {
    const service = await startService('a', [
      serviceIntent('a', 'good', 'CardA'),
      serviceIntent('a', 'odd', 'CardA'),
    ])
    open.push(service)
    const gateway = await startGateway(
      { services: [{ name: 'a', url: service.url }], refreshMs: 0 },
      {
        setup: (engine) =>
          engine.hooks.registerIntent.tap('no-odd', (definition) => {
            if (definition.name === 'odd') throw new Error('odd intents are not welcome here')
            return definition
          }),
      },
    )
    open.push(gateway)
    expect(gateway.engine.intents.has('good')).toBe(true)
    expect(gateway.engine.intents.has('odd')).toBe(false)
    expect(gateway.plugin.status().a).toMatchObject({ state: 'degraded' })
    expect(String((gateway.plugin.status().a!.problems as string[])[0])).toMatch(
      /'odd'.*refused.*not welcome/,
    )
  })

  it('unregisters intents a service no longer lists', async () => {
    const service = await startService('a', [
      serviceIntent('a', 'one', 'CardA'),
      serviceIntent('a', 'two', 'CardA'),
    ])
    open.push(service)
    const gateway = await startGateway({ services: [{ name: 'a', url: service.url }], refreshMs: 0 })
    open.push(gateway)
    expect(gateway.engine.intents.has('two')).toBe(true)
    // The service's engine hides `two` from its list from now on (a discovery filter, as auth would).
    service.engine.hooks.discoverIntents.tap('hide-two', (intents) =>
      intents.filter((intent) => intent.name !== 'two'),
    )
    await gateway.plugin.refresh()
    expect(gateway.engine.intents.has('two')).toBe(false)
    expect(gateway.engine.intents.has('one')).toBe(true)
    expect((await gateway.render('two', {})).status).toBe(404)
  })

  it('refuses to render a remote server component from a local intent, saying why', async () => {
    const [catalog, orders] = await catalogAndOrders()
    const gateway = await gatewayOf([catalog, orders])
    gateway.engine.registerIntent({
      name: 'local_products',
      description: 'a local intent borrowing a remote component',
      parameters: { type: 'object' },
      component: 'ProductList',
    })
    const answer = await gateway.render('local_products', {})
    expect(answer.status).toBe(500)
    expect(((await answer.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'FEDERATION_REMOTE_COMPONENT',
      message: expect.stringContaining("rendered by service 'catalog'"),
    })
  })

  it('reports bad options naming the option', () => {
    expect(() => federation({ services: [] })).toThrow(/services must be a non-empty array/)
    expect(() => federation({ services: [{ name: 'x', url: 'ftp://x' }] })).toThrow(
      /services.0.url must be an http/,
    )
    expect(() =>
      federation({ services: [{ name: 'x', url: 'http://x', urls: ['http://y'] }] as never }),
    ).toThrow(/exactly one of url, urls or nats/)
    expect(() => federation({ services: [{ name: 'x', url: 'http://x' }], timeoutMs: 0 })).toThrow(
      /timeoutMs must be an integer ≥ 1/,
    )
    expect(() =>
      federation({ services: [{ name: 'x', url: 'http://x' }], breaker: { failures: 3 } as never }),
    ).toThrow(/breaker.failures is not an option/)
  })

  it('natsService() returns a typed plugin named after its service', () => {
    const plugin = natsService({ servers: 'nats://127.0.0.1:4222', name: 'inventory' })
    expectTypeOf(plugin).toEqualTypeOf<NatsServicePlugin>()
    expect(plugin.name).toBe('@ixp/plugin-federation/nats-service:inventory')
  })

  it('builds its errors from one table: every code with its status, exposed to the gateway caller', () => {
    expect(FederationErrorCodes).toEqual({
      SERVICE_UNAVAILABLE: 503,
      SERVICE_TIMEOUT: 504,
      SERVICE_BAD_RESPONSE: 502,
      FEDERATION_NAME_CLASH: 500,
      FEDERATION_REMOTE_COMPONENT: 500,
      FEDERATION_INVALID_OPTIONS: 500,
      PAYLOAD_TOO_LARGE: 413,
    })
    expect(() => federation({ services: [] })).toThrow(
      expect.objectContaining({
        code: 'FEDERATION_INVALID_OPTIONS',
        status: 500,
        expose: true,
        message: expect.stringMatching(/^@ixp\/plugin-federation: services must be/),
      }),
    )
  })
})
