import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_PARAMETERS } from '../src/samples.js'
import { DEMO_DIR, killAll, render, startScript, textOf, type Running } from './server.js'

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
}

describe('the demo, started as `pnpm start` does', () => {
  let demo: Running
  beforeAll(async () => {
    demo = await startScript('start')
  }, 60_000)

  it('prints its URLs', async () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ixp$/)
    await demo.waitFor(`Store assistant page: ${demo.origin}/`)
  })

  it('lists at least 6 intents, each with examples and an object schema', async () => {
    const { intents } = (await (await fetch(`${demo.url}/intents`)).json()) as {
      intents: Record<string, any>[]
    }
    expect(intents.length).toBeGreaterThanOrEqual(6)
    expect(intents.map((intent) => intent.name).sort()).toEqual(Object.keys(SAMPLE_PARAMETERS).sort())
    for (const intent of intents) {
      expect(intent.examples.length, intent.name).toBeGreaterThanOrEqual(5)
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
    const { status, body } = await render(demo.url, name, parameters, { origin: demo.origin })
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
    expect(invalid.body.error.details.validationErrors[0].path).toBe('skus')
    const foreign = await render(demo.url, 'find_store', {}, { origin: 'https://evil.example' })
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'ORIGIN_NOT_ALLOWED' } } })
    const unknown = await render(demo.url, 'buy_everything', {})
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'INTENT_NOT_SUPPORTED' } } })
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
      await served.waitFor('8 intents, 8 components')
    } finally {
      expect(await served.stop()).toBe(0)
    }
  }, 60_000)

  it('validates clean with `ixp validate`', () => {
    const result = spawnSync('sh', ['-c', 'pnpm run --silent validate'], {
      cwd: DEMO_DIR,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.stdout).toContain('ok    ixp.config.ts (8 intents, 8 components)')
    expect(result.status).toBe(0)
  }, 60_000)
})
