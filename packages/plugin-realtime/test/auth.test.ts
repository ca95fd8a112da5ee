import { IxpError } from '@ixp/core'
import { auth, hashApiKey } from '@ixp/plugin-auth'
import { rateLimit } from '@ixp/plugin-rate-limit'
import { afterEach, describe, expect, it } from 'vitest'
import { invalidate, serve, stockEngine, TestClient, type Running } from './helpers.js'

const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

const KEY = 'staff-key-0123456789'

/** An engine whose `stock_level` needs the staff role; keys are looked up in `keys` (delete one to revoke it). */
async function start(options: { anonymous?: boolean } = {}) {
  const keys = new Map([[await hashApiKey(KEY), { id: 'sam', roles: ['staff'] }]])
  const guard = auth({
    apiKeys: { lookup: (hash) => keys.get(hash) },
    intentPermissions: { stock_level: { roles: ['staff'] } },
  })
  const store = { stock: new Map([['SKU-1', 3]]) }
  const server = await serve(
    stockEngine(store),
    { authenticate: guard.authenticate, anonymous: options.anonymous ?? true },
    [guard],
  )
  running.push(server)
  return { server, keys, store }
}

const stockBody = { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } }

describe('credentials', () => {
  it('reuses the credentials of connection_init for every operation', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl, { 'x-api-key': KEY })
    expect(server.plugin.connections()[0]?.userId).toBe('sam')
    for (const id of ['1', '2', '3']) {
      client.send({ id, type: 'render', payload: stockBody })
      expect(await client.next()).toMatchObject({ id, type: 'result' })
    }
  })

  it('takes credentials from the upgrade request too', async () => {
    const { server } = await start()
    const client = await TestClient.open(server.wsUrl, { headers: { 'x-api-key': KEY } })
    client.send({ type: 'connection_init' })
    expect(await client.next()).toMatchObject({ type: 'connection_ack' })
    client.send({ id: '1', type: 'render', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: '1', type: 'result' })
  })

  it('admits each operation as HTTP does: an anonymous caller gets the 401 error object', async () => {
    const { server } = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: '1', type: 'render', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: '1', type: 'error', payload: { code: 'UNAUTHORIZED' } })
  })

  it('closes 4401 on refused credentials', async () => {
    const { server } = await start()
    const client = await TestClient.open(server.wsUrl)
    client.send({ type: 'connection_init', payload: { headers: { 'x-api-key': 'wrong-key-0123456789' } } })
    expect(await client.closed).toBe(4401)
  })

  it('closes 4401 without credentials when anonymous connections are off', async () => {
    const { server } = await start({ anonymous: false })
    const client = await TestClient.open(server.wsUrl)
    client.send({ type: 'connection_init' })
    expect(await client.closed).toBe(4401)
  })

  it('closes 4403 when authenticate refuses with 403', async () => {
    const store = { stock: new Map() }
    const server = await serve(stockEngine(store), {
      authenticate: () => {
        throw new IxpError('FORBIDDEN', 'Banned')
      },
    })
    running.push(server)
    const client = await TestClient.open(server.wsUrl)
    client.send({ type: 'connection_init' })
    expect(await client.closed).toBe(4403)
    expect(client.closeReason).toBe('Banned')
  })

  it('does not let connection_init override the transport headers of the upgrade', async () => {
    const store = { stock: new Map() }
    const seen: (string | undefined)[] = []
    const server = await serve(stockEngine(store), {
      authenticate: (ctx) => {
        seen.push(ctx.headers?.['x-forwarded-for'], ctx.headers?.host)
        return undefined
      },
    })
    running.push(server)
    await TestClient.connect(server.wsUrl, { 'x-forwarded-for': '6.6.6.6', host: 'evil.example' })
    expect(seen[0]).toBeUndefined()
    expect(seen[1]).toMatch(/^127\.0\.0\.1:/)
  })

  it('re-admits every re-render: a revoked caller gets error + complete and stops receiving', async () => {
    const { server, keys, store } = await start()
    const client = await TestClient.connect(server.wsUrl, { 'x-api-key': KEY })
    client.send({ id: 'live', type: 'subscribe', payload: stockBody })
    expect(await client.next()).toMatchObject({ id: 'live', type: 'next' })
    keys.clear()
    store.stock.set('SKU-1', 9)
    invalidate(server.engine, { intents: ['stock_level'] })
    expect(await client.next()).toMatchObject({
      id: 'live',
      type: 'error',
      payload: { code: 'UNAUTHORIZED' },
    })
    expect(await client.next()).toEqual({ id: 'live', type: 'complete' })
    invalidate(server.engine, { intents: ['stock_level'] })
    await client.nothingFor(100)
  })
})

describe('rate limits', () => {
  it('counts each operation against plugin-rate-limit as over HTTP', async () => {
    const store = { stock: new Map([['SKU-1', 1]]) }
    const server = await serve(stockEngine(store), {}, [rateLimit({ limit: 2, windowMs: 60_000 })])
    running.push(server)
    const client = await TestClient.connect(server.wsUrl)
    const codes: string[] = []
    for (const id of ['1', '2', '3']) {
      client.send({ id, type: 'render', payload: stockBody })
      const frame = await client.next()
      codes.push(frame.type === 'result' ? 'ok' : frame.payload.code)
    }
    expect(codes).toEqual(['ok', 'ok', 'RATE_LIMITED'])
  })
})
