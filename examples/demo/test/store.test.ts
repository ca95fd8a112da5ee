import { silentLogger, type Engine } from '@ixp/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRODUCTS } from '../src/data/catalog.js'
import { openingState, findStore } from '../src/data/stores.js'
import { DEMO_STAFF_KEY, createStoreEngine } from '../src/engine.js'
import { textOf } from './server.js'

// Thursday 2026-11-19, 10:30 in Seattle (UTC-8).
const THURSDAY_MORNING = new Date('2026-11-19T18:30:00Z')

let engine: Engine
beforeAll(async () => {
  ;({ engine } = await createStoreEngine({ now: () => THURSDAY_MORNING, engine: { logger: silentLogger } }))
})
afterAll(() => engine.close())

const render = (name: string, parameters: Record<string, unknown>) =>
  engine.render({ intent: { name, parameters } }, { origin: 'http://127.0.0.1:4100' })

describe('store assistant intents', () => {
  it('search filters by price and stock, sorts and limits', async () => {
    const result = await render('search_products', {
      query: 'camping',
      maxPrice: 50,
      sort: 'price-asc',
      limit: 2,
    })
    const products = result.props.products as { name: string; price: string; inStock: boolean }[]
    expect(products.map((product) => product.price)).toEqual(['$39.00', '$89.00'].slice(0, products.length))
    expect(result.props.total).toBeGreaterThanOrEqual(products.length)
    const inStock = await render('search_products', { category: 'lighting', inStockOnly: true })
    expect((inStock.props.products as { inStock: boolean }[]).every((product) => product.inStock)).toBe(true)
    const none = await render('search_products', { query: 'kayak' })
    expect(none.props.total).toBe(0)
    expect(textOf(none.tree)).toContain('Nothing matches')
  })

  it('search without words lists the catalogue, six at a time', async () => {
    const result = await render('search_products', {})
    expect(result.props.total).toBe(PRODUCTS.length)
    expect((result.props.products as unknown[]).length).toBe(6)
    expect(textOf(result.tree)).toContain(`Showing 6 of ${PRODUCTS.length}.`)
  })

  it('product codes are case-insensitive; unknown ones are a 404 PRODUCT_NOT_FOUND', async () => {
    const result = await render('product_details', { sku: 'sb-110' })
    expect(textOf(result.tree)).toContain('Cascade 20°F Down Bag')
    await expect(render('product_details', { sku: 'XX-000' })).rejects.toMatchObject({
      code: 'PRODUCT_NOT_FOUND',
      status: 404,
    })
    await expect(render('product_details', { sku: 'tent' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    })
  })

  it('compares products attribute by attribute', async () => {
    const result = await render('compare_products', { skus: ['SB-110', 'SB-115'] })
    const rows = result.props.rows as { label: string; values: string[] }[]
    expect(rows.find((row) => row.label === 'fill')?.values).toEqual(['650 down', 'synthetic'])
    await expect(render('compare_products', { skus: ['SB-110', 'SB-110'] })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    })
  })

  it('stock levels mark low and empty shelves', async () => {
    const result = await render('check_stock', { sku: 'TE-101' })
    expect(textOf(result.tree)).toMatch(/Seattle.*6 left.*Portland.*2 left.*Boise.*Out of stock/)
  })

  it('order status needs the matching e-mail and never says which part was wrong', async () => {
    const result = await render('order_status', { orderId: 'ord-10388', email: 'Linus@Example.com' })
    expect(textOf(result.tree)).toContain('Delivered to the front porch')
    expect(result.ttl).toBe(60)
    const wrongId = render('order_status', { orderId: 'ORD-99999', email: 'linus@example.com' })
    const wrongEmail = render('order_status', { orderId: 'ORD-10388', email: 'ada@example.com' })
    const [a, b] = await Promise.allSettled([wrongId, wrongEmail])
    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'ORDER_NOT_FOUND' } })
    expect(b).toMatchObject({
      status: 'rejected',
      reason: { message: (a as PromiseRejectedResult).reason.message },
    })
  })

  it('store hours say whether each store is open at the given time', async () => {
    const result = await render('store_hours', {})
    const stores = result.props.stores as { name: string; open: boolean; note: string }[]
    expect(stores.find((store) => store.name.endsWith('Seattle'))).toMatchObject({
      open: true,
      note: 'Open until 21:00',
    })
    // Boise opens at 10:00 Mountain time: 11:30 there, open.
    expect(stores.find((store) => store.name.endsWith('Boise'))).toMatchObject({ open: true })
    const sunday = await render('store_hours', { store: 'boise', day: 'monday' })
    expect(textOf(sunday.tree)).toContain('MondayClosed')
  })

  it('opening state knows holidays, early and late hours', () => {
    const seattle = findStore('seattle')!
    expect(openingState(seattle, new Date('2026-12-25T19:00:00Z'))).toEqual({
      open: false,
      note: 'Closed today (Christmas Day)',
    })
    expect(openingState(seattle, new Date('2026-11-19T15:00:00Z')).note).toBe('Opens today at 09:00')
    expect(openingState(seattle, new Date('2026-11-20T06:00:00Z')).note).toBe(
      'Closed for the day (closed at 21:00)',
    )
  })

  it('the store locator is remote and restricted to the demo origins', async () => {
    const result = await render('find_store', {})
    expect(result.record?.props.stores).toHaveLength(3)
    await expect(render('find_store', { city: 'Denver' })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' })
    await expect(
      engine.render(
        { intent: { name: 'find_store', parameters: {} } },
        { origin: 'https://elsewhere.example' },
      ),
    ).rejects.toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' })
  })

  it('policies cover every topic', async () => {
    const result = await render('store_policy', { topic: 'price-match' })
    expect(textOf(result.tree)).toContain('Price match')
    await expect(render('store_policy', { topic: 'loyalty' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    })
  })

  it('the restock report is for staff only, emptiest shelves first', async () => {
    await expect(render('restock_report', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    const result = await engine.render(
      { intent: { name: 'restock_report', parameters: { threshold: 0, store: 'portland' } } },
      { headers: { 'x-api-key': DEMO_STAFF_KEY } },
    )
    const rows = result.props.rows as { sku: string; units: number }[]
    expect(rows.map((row) => row.sku)).toEqual(['BP-065', 'CK-530', 'LT-720', 'TE-310'])
    expect(rows.every((row) => row.units === 0)).toBe(true)
  })

  it('restock is a staff command: never cached, run once per idempotency key, and it refreshes the stock answers', async () => {
    const staff = (key?: string) => ({
      origin: 'http://127.0.0.1:4100',
      headers: { 'x-api-key': DEMO_STAFF_KEY, ...(key ? { 'idempotency-key': key } : {}) },
    })
    const stock = () =>
      engine.render(
        { intent: { name: 'check_stock', parameters: { sku: 'LT-720', store: 'seattle' } } },
        staff(),
      )
    const restock = (units: number, key?: string) =>
      engine.render(
        { intent: { name: 'restock', parameters: { sku: 'lt-720', store: 'seattle', units } } },
        staff(key),
      )
    const before = await stock()
    expect((await stock()).meta.cache).toBe('hit')
    const unitsBefore = (before.props.levels as { units: number }[])[0]!.units
    await expect(
      engine.render({
        intent: { name: 'restock', parameters: { sku: 'LT-720', store: 'seattle', units: 1 } },
      }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' })

    const first = await restock(4, 'delivery-1')
    expect(first.meta.cache).toBe('bypass')
    const again = await restock(4, 'delivery-1')
    expect(again.meta.headers?.['idempotent-replayed']).toBe('true')
    expect(JSON.stringify(again.tree)).toBe(JSON.stringify(first.tree))
    await expect(restock(5, 'delivery-1')).rejects.toMatchObject({ status: 422 })

    const after = await stock()
    expect(after.meta.cache).toBe('miss')
    expect((after.props.levels as { units: number }[])[0]!.units).toBe(unitsBefore + 4)
  })

  it.each([
    ['where is my order ORD-10421', 'order_status', { orderId: 'ORD-10421' }],
    ['what time does the seattle store close', 'store_hours', { store: 'seattle' }],
    ['do you price match', 'store_policy', { topic: 'price-match' }],
    ['is the Scree Trail Runner available in Portland', 'check_stock', { store: 'portland' }],
    ['compare TE-101 and TE-310', 'compare_products', { skus: ['TE-101', 'TE-310'] }],
    [
      'where is my order ORD-10421, my email is jane@example.com',
      'order_status',
      { orderId: 'ORD-10421', email: 'jane@example.com' },
    ],
    ['nearest store in Seattle', 'find_store', { city: 'Seattle' }],
    ['is there a store in Spokane', 'find_store', { city: 'Spokane' }],
  ])('resolves “%s” to %s with the parameters it states', async (text, intent, parameters) => {
    const outcome = await engine.resolve(text)
    expect(outcome).toMatchObject({ matched: true, intent, parameters })
  })

  it('says when a question is out of scope, and hides staff intents from anonymous callers', async () => {
    expect(await engine.resolve('what is the capital of France')).toMatchObject({
      matched: false,
      reason: 'out-of-scope',
    })
    expect(await engine.resolve('which shelves are empty')).toMatchObject({ matched: false })
    expect(await engine.resolve('tell me a joke')).toMatchObject({ matched: false })
    const staff = await engine.resolve('which shelves are empty', {
      headers: { 'x-api-key': DEMO_STAFF_KEY },
    })
    expect(staff).toMatchObject({ matched: true, intent: 'restock_report' })
  })

  it('crawlable intents are the public ones', () => {
    expect(
      engine.intents
        .find({ crawlable: true })
        .map((intent) => intent.name)
        .sort(),
    ).toEqual(['find_store', 'search_products', 'store_hours', 'store_policy'])
  })
})
