import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_STAFF_KEY } from '../src/engine.js'
import { SAMPLE_PARAMETERS, STAFF_INTENTS } from '../src/samples.js'
import { DEMO_DIR, killAll, render, startScript, textOf, workflowView, type Running } from './server.js'

afterAll(killAll)

/** What each sample render must show. */
const EXPECTED: Record<string, (body: Record<string, any>) => void> = {
  search_products: (body) => {
    const text = textOf(body.tree)
    expect(text).toContain('Pocket Canister Stove')
    expect(text).not.toContain('Ridgeline 2 Tent') // $249, over the $100 limit
  },
  product_details: (body) => expect(textOf(body.tree)).toMatch(/Ridgeline 2 Tent.*\$249\.00.*1\.7 kg/),
  compare_products: (body) =>
    expect(textOf(body.tree)).toMatch(/Trailhead 45 Backpack.*Expedition 65 Pack.*45 L.*65 L/),
  check_stock: (body) => expect(textOf(body.tree)).toContain('Harbor & Pine Portland 7 left'),
  order_status: (body) => expect(textOf(body.tree)).toMatch(/Order ORD-10421: Shipped.*1Z999AA10123456784/),
  store_hours: (body) => expect(textOf(body.tree)).toMatch(/Harbor & Pine Seattle.*Sunday10:00–18:00/),
  find_store: (body) =>
    expect(body.record).toMatchObject({
      moduleUrl: '/assets/store-locator.js',
      exportName: 'StoreLocator',
      props: { city: 'Portland', stores: [{ id: 'portland' }] },
    }),
  store_policy: (body) => expect(textOf(body.tree)).toContain('within 60 days'),
  restock_report: (body) =>
    expect(textOf(body.tree)).toMatch(/Restock: \d+ shelves at 1 units or fewer.*Harbor & Pine Boise/),
  restock: (body) => expect(textOf(body.tree)).toContain('Harbor & Pine Seattle 5 left'),
  // TE-101 is on the shelves in Portland: no alternatives needed.
  workflow_plan_pickup: (body) => {
    expect(body.component.name).toBe('WorkflowResult')
    const run = workflowView(body.tree)
    expect(run.status).toBe('completed')
    expect(run.results).toMatchObject({
      product: 'Ridgeline 2 Tent',
      stock: { store: 'Harbor & Pine Portland', units: 2 },
      store: { name: 'Harbor & Pine Portland' },
    })
    expect(run.results!.alternatives).toBeUndefined()
    expect(run.steps.at(-1)).toEqual(['alternatives', 2, 'skipped'])
  },
}

const STAFF = { 'x-api-key': DEMO_STAFF_KEY }
const PUBLIC_INTENTS = Object.keys(SAMPLE_PARAMETERS).filter((name) => !STAFF_INTENTS.includes(name))

describe('the demo, started as `pnpm start` does', () => {
  let demo: Running
  beforeAll(async () => {
    demo = await startScript('start')
  }, 60_000)

  // The first request after the URL is printed: the resolver was trained when the engine got ready.
  it('resolves free text as soon as it has printed its URL', async () => {
    const response = await fetch(`${demo.url}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'when does the Seattle store close?' }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      matched: true,
      intent: 'store_hours',
      parameters: { store: 'seattle' },
    })
  })

  it('prints its URLs', async () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ixp$/)
    await demo.waitFor(`Store assistant page: ${demo.origin}/`)
  })

  it('lists at least 6 intents, each with examples and an object schema', async () => {
    const { intents } = (await (await fetch(`${demo.url}/intents`, { headers: STAFF })).json()) as {
      intents: Record<string, any>[]
    }
    expect(intents.length).toBeGreaterThanOrEqual(6)
    expect(intents.map((intent) => intent.name).sort()).toEqual(Object.keys(SAMPLE_PARAMETERS).sort())
    for (const intent of intents) {
      expect(intent.kind, intent.name).toBe(intent.name === 'restock' ? 'command' : 'query')
      // A command is asked for by name, never guessed from free text: it has no examples.
      if (intent.kind === 'query') expect(intent.examples.length, intent.name).toBeGreaterThanOrEqual(5)
      expect(intent.parameters.type).toBe('object')
      expect(intent.handler).toBeUndefined()
    }
  })

  it('lists server-rendered components and the remote one', async () => {
    const { components } = (await (await fetch(`${demo.url}/components`)).json()) as {
      components: Record<string, any>[]
    }
    expect(components.filter((component) => component.type === 'server').length).toBeGreaterThanOrEqual(5)
    expect(components.find((component) => component.name === 'StoreLocator')).toMatchObject({
      framework: 'vanilla',
      remoteUrl: '/assets/store-locator.js',
      exportName: 'StoreLocator',
      propsSchema: { type: 'object' },
      allowedOrigins: [demo.origin, expect.stringContaining('localhost')],
    })
  })

  it.each(Object.entries(SAMPLE_PARAMETERS))('renders %s through HTTP', async (name, parameters) => {
    const { status, body } = await render(demo.url, name, parameters, { origin: demo.origin, ...STAFF })
    expect(status, JSON.stringify(body)).toBe(200)
    expect(body.component.name).toBeTypeOf('string')
    EXPECTED[name]!(body)
  })

  it('serves the remote component module and the page that loads it', async () => {
    const module = await fetch(`${demo.origin}/assets/store-locator.js`)
    expect(module.headers.get('content-type')).toContain('javascript')
    expect(await module.text()).toContain('export function StoreLocator(')
    const page = await fetch(`${demo.origin}/`)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await page.text()
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>')
    expect(html).toContain('"base":"/ixp"')
    expect((await fetch(`${demo.origin}/nope`)).status).toBe(404)
  })

  it('answers with the typed errors of the protocol and the store', async () => {
    const missing = await render(demo.url, 'product_details', { sku: 'ZZ-999' })
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'PRODUCT_NOT_FOUND' } } })
    const wrongEmail = await render(demo.url, 'order_status', {
      orderId: 'ORD-10421',
      email: 'eve@example.com',
    })
    expect(wrongEmail).toMatchObject({ status: 404, body: { error: { code: 'ORDER_NOT_FOUND' } } })
    const invalid = await render(demo.url, 'compare_products', { skus: ['TE-101'] })
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('INVALID_REQUEST')
    expect(invalid.body.error.details.validationErrors[0].path).toEqual(['skus'])
    const foreign = await render(demo.url, 'find_store', {}, { origin: 'https://evil.example' })
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'ORIGIN_NOT_ALLOWED' } } })
    const unknown = await render(demo.url, 'buy_everything', {})
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'INTENT_NOT_SUPPORTED' } } })
  })

  it('hides staff intents from anonymous callers and refuses them without the key', async () => {
    const { intents } = (await (await fetch(`${demo.url}/intents`)).json()) as { intents: { name: string }[] }
    expect(intents.map((intent) => intent.name).sort()).toEqual(PUBLIC_INTENTS.sort())
    const anonymous = await render(demo.url, 'restock_report', {})
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } })
    const wrongKey = await render(demo.url, 'restock_report', {}, { 'x-api-key': 'not-the-staff-key-at-all' })
    expect(wrongKey.status).toBe(401)
  })

  it('resolves free text and renders what it means', async () => {
    const resolved = await fetch(`${demo.url}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'where is my order ORD-10388' }),
    })
    expect(await resolved.json()).toMatchObject({
      matched: true,
      intent: 'order_status',
      parameters: { orderId: 'ORD-10388' },
      missing: ['email'],
    })
    const response = await fetch(`${demo.url}/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'when are you open on sunday in Boise', parameters: {} }),
    })
    const body = (await response.json()) as Record<string, any>
    expect(response.status).toBe(200)
    expect(body.resolution.intent).toBe('store_hours')
    expect(textOf(body.tree)).toContain('Harbor & Pine Boise')
  })

  it('runs the plan_pickup workflow: sold out in Boise, so tents on the shelves there are suggested', async () => {
    const { status, body } = await render(demo.url, 'workflow_plan_pickup', {
      input: { sku: 'te-101', store: 'boise' },
    })
    expect(status, JSON.stringify(body)).toBe(200)
    expect(body.ttl).toBe(0)
    const run = workflowView(body.tree)
    expect(run.status).toBe('completed')
    expect(run.steps).toEqual([
      ['product', 0, 'completed'],
      ['stock', 1, 'completed'],
      ['hours', 1, 'completed'],
      ['returns', 1, 'completed'],
      ['alternatives', 2, 'completed'],
    ])
    expect(run.results).toMatchObject({
      product: 'Ridgeline 2 Tent',
      price: '$249.00',
      stock: { store: 'Harbor & Pine Boise', units: 0 },
      store: { name: 'Harbor & Pine Boise' },
      returns: expect.stringContaining('within 60 days'),
    })
    // In stock in Boise, so never the sold-out tent itself.
    expect(run.results!.alternatives.map((product: { sku: string }) => product.sku)).toEqual([
      'TE-204',
      'TE-310',
    ])
    expect(textOf(body.tree)).toContain('Workflow: Plan a store pickup')
  })

  it('refuses a workflow input that fails its schema, before any step runs', async () => {
    const { status, body } = await render(demo.url, 'workflow_plan_pickup', {
      input: { sku: 'TE-101', store: 'denver' },
    })
    expect(status).toBe(400)
    expect(body.error.code).toBe('INVALID_REQUEST')
    expect(JSON.stringify(body.error.details.validationErrors)).toContain('store')
  })

  it('a workflow whose product does not exist fails at its first step and says why', async () => {
    const { status, body } = await render(demo.url, 'workflow_plan_pickup', {
      input: { sku: 'ZZ-999', store: 'seattle' },
    })
    // A run answers 200 with its outcome, also when it failed.
    expect(status).toBe(200)
    const run = workflowView(body.tree)
    expect(run.status).toBe('failed')
    expect(run.error).toContain('PRODUCT_NOT_FOUND')
    expect(run.steps.map(([id, , stepStatus]) => [id, stepStatus])).toEqual([
      ['product', 'failed'],
      ['stock', 'not_run'],
      ['hours', 'not_run'],
      ['returns', 'not_run'],
      ['alternatives', 'not_run'],
    ])
  })

  it('answers a repeated render from the cache', async () => {
    const ask = () =>
      fetch(`${demo.url}/render`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ intent: { name: 'product_details', parameters: { sku: 'LT-700' } } }),
      })
    expect((await ask()).headers.get('x-ixp-cache')).toBe('miss')
    expect((await ask()).headers.get('x-ixp-cache')).toBe('hit')
  })

  it('limits order look-ups per client (30 a minute), with Retry-After', async () => {
    const lookups = await Promise.all(
      Array.from({ length: 31 }, (_, index) =>
        fetch(`${demo.url}/render`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            intent: {
              name: 'order_status',
              parameters: { orderId: `ORD-${20000 + index}`, email: 'eve@example.com' },
            },
          }),
        }),
      ),
    )
    const statuses = lookups.map((response) => response.status)
    // Earlier tests looked up orders too: at most 30 in all got an answer, the rest were refused.
    expect(statuses.every((status) => status === 404 || status === 429)).toBe(true)
    expect(statuses.filter((status) => status === 404).length).toBeLessThanOrEqual(30)
    const refused = lookups.find((response) => response.status === 429)!
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED')
  })

  it('serves its metrics as the IXP JSON, with the tracing registry under `metrics`', async () => {
    const response = await fetch(`${demo.url}/metrics`)
    expect(response.headers.get('content-type')).toContain('application/json')
    const body = (await response.json()) as Record<string, any>
    expect(body.requests.total).toBeGreaterThan(0)
    const renders = body.metrics.counters.ixp_renders_total.series as {
      labels: Record<string, string>
      value: number
    }[]
    // Every workflow step is a render of its own intent, counted as such.
    expect(renders).toContainEqual({
      labels: { intent: 'workflow_plan_pickup', outcome: 'success' },
      value: 3,
    })
    expect(renders).toContainEqual({ labels: { intent: 'product_details', outcome: 'error' }, value: 2 })
  })

  it('serves its metrics as Prometheus text for ?format=prometheus and for a scraper', async () => {
    const response = await fetch(`${demo.url}/metrics?format=prometheus`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toContain('# TYPE ixp_renders_total counter\n')
    expect(text).toMatch(/^ixp_renders_total\{intent="workflow_plan_pickup",outcome="success"\} [1-9]\d*$/m)
    expect(text).toMatch(/^ixp_http_requests_total\{route="render_requests"\} [1-9]\d*$/m)
    // Recorded by the `around` wrapper (traceHttp) for every IXP request, by route.
    expect(text).toMatch(
      /^http_server_request_duration_seconds_count\{method="POST",route="\/ixp\/render",status_code="200"\} [1-9]\d*$/m,
    )
    const scraped = await fetch(`${demo.url}/metrics`, {
      headers: { accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1' },
    })
    expect(scraped.headers.get('content-type')).toContain('text/plain')
  })

  it('stops gracefully on SIGTERM with exit status 0', async () => {
    expect(await demo.stop()).toBe(0)
    expect(demo.output()).toContain('Stopped')
  })
})

describe('the demo through the CLI (`ixp serve --config ixp.config.ts`)', () => {
  it('serves the same application', async () => {
    const served = await startScript('serve')
    try {
      const { status, body } = await render(served.url, 'store_policy', { topic: 'shipping' })
      expect(status).toBe(200)
      expect(textOf(body.tree)).toContain('Free standard shipping')
      const metrics = await (await fetch(`${served.url}/metrics?format=prometheus`)).text()
      expect(metrics).toContain('ixp_renders_total{intent="store_policy",outcome="success"} 1\n')
      expect(metrics).toMatch(
        /^http_server_request_duration_seconds_count\{method="POST",route="\/ixp\/render"/m,
      )
      await served.waitFor(
        '11 intents, 10 components; plugins: @ixp/plugin-tracing, @ixp/plugin-auth, @ixp/plugin-rate-limit, @ixp/plugin-cache, @ixp/plugin-semantic, @ixp/plugin-workflows',
      )
      const run = await render(served.url, 'workflow_plan_pickup', {
        input: { sku: 'TE-101', store: 'portland' },
      })
      expect(run.status).toBe(200)
      expect(workflowView(run.body.tree).status).toBe('completed')
    } finally {
      expect(await served.stop()).toBe(0)
    }
  }, 60_000)

  it('validates clean with `ixp validate`', () => {
    // npm ships with Node, so the script runs wherever the suite does (pnpm may only exist through npx).
    const result = spawnSync('sh', ['-c', 'npm run --silent validate'], {
      cwd: DEMO_DIR,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.stdout).toContain('ok    ixp.config.ts (10 intents, 9 components)')
    expect(result.status).toBe(0)
  }, 60_000)
})
