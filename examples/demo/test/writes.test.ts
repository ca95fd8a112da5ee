/**
 * Writes through `ixp serve --config` (test/fixtures/stock.config.ts): a `stock_level` query tagged
 * `stock:<sku>` and a staff `restock` command invalidating it, with plugin-cache — alone, then two instances
 * sharing a real Redis.
 */
import { connect } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { STAFF_KEY } from './fixtures/stock.config.js'
import { killAll, startServeConfig, type Running } from './server.js'

afterAll(killAll)

const CONFIG = 'test/fixtures/stock.config.ts'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Whether a Redis answers PING at `REDIS_URL` (the two-instance test needs one; under CI it must). */
function redisAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL)
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname)
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}
const noRedis = !process.env.CI && !(await redisAnswers())

interface Answer {
  status: number
  headers: Headers
  /** The body exactly as sent. */
  text: string
  body: Record<string, any>
}

async function post(server: Running, name: string, parameters: object, headers = {}): Promise<Answer> {
  const response = await fetch(`${server.url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ intent: { name, parameters } }),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) }
}

const staff = (key?: string) => ({ 'x-api-key': STAFF_KEY, ...(key ? { 'idempotency-key': key } : {}) })
const shown = (answer: Answer) => answer.body.tree?.children?.[0] as string

describe('writes through `ixp serve --config`', () => {
  it('caches the query, never the command, runs a keyed command once, and refreshes the query', async () => {
    const server = await startServeConfig(CONFIG)
    try {
      const first = await post(server, 'stock_level', { sku: 'TE-101' })
      expect(first.status).toBe(200)
      expect(first.headers.get('x-ixp-cache')).toBe('miss')
      expect(shown(first)).toBe('TE-101: 3 in stock')
      const second = await post(server, 'stock_level', { sku: 'TE-101' })
      expect(second.headers.get('x-ixp-cache')).toBe('hit')
      expect(second.text).toBe(first.text)

      // Not cached: the same command without a key runs each time.
      const unkeyed = await post(server, 'restock', { sku: 'LT-720', units: 1 }, staff())
      expect(unkeyed.status).toBe(200)
      expect(unkeyed.headers.get('x-ixp-cache')).not.toBe('hit')
      const unkeyedAgain = await post(server, 'restock', { sku: 'LT-720', units: 1 }, staff())
      expect(unkeyedAgain.body.tree.children[0]).toBe('LT-720: 2 in stock')

      const order = await post(server, 'restock', { sku: 'TE-101', units: 5 }, staff('order-77'))
      expect(order.status).toBe(200)
      expect(shown(order)).toBe('TE-101: 8 in stock')
      expect(order.headers.get('idempotent-replayed')).toBeNull()
      const repeat = await post(server, 'restock', { sku: 'TE-101', units: 5 }, staff('order-77'))
      expect(repeat.status).toBe(200)
      expect(repeat.headers.get('idempotent-replayed')).toBe('true')
      expect(repeat.text).toBe(order.text)

      const other = await post(server, 'restock', { sku: 'TE-101', units: 6 }, staff('order-77'))
      expect(other.status).toBe(422)
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_MISMATCH')

      const after = await post(server, 'stock_level', { sku: 'TE-101' })
      expect(after.headers.get('x-ixp-cache')).toBe('miss')
      expect(shown(after)).toBe('TE-101: 8 in stock')

      const listed = (await (await fetch(`${server.url}/intents`, { headers: staff() })).json()) as {
        intents: { name: string; kind: string }[]
      }
      expect(Object.fromEntries(listed.intents.map((intent) => [intent.name, intent.kind]))).toEqual({
        stock_level: 'query',
        restock: 'command',
      })
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }, 90_000)

  it.skipIf(noRedis)(
    'two instances sharing Redis: invalidation and idempotency hold across them',
    async () => {
      const prefix = `ixp:stock-test:${crypto.randomUUID()}:`
      const env = { STOCK_REDIS_URL: REDIS_URL, STOCK_REDIS_PREFIX: prefix }
      const [a, b] = await Promise.all([startServeConfig(CONFIG, env), startServeConfig(CONFIG, env)])
      try {
        expect((await post(b, 'stock_level', { sku: 'TE-101' })).headers.get('x-ixp-cache')).toBe('miss')
        expect((await post(b, 'stock_level', { sku: 'TE-101' })).headers.get('x-ixp-cache')).toBe('hit')

        const order = await post(a, 'restock', { sku: 'TE-101', units: 2 }, staff('order-88'))
        expect(shown(order)).toBe('TE-101: 5 in stock')
        // The repeat reaches the other instance: answered from the record, its own handler never runs.
        const repeat = await post(b, 'restock', { sku: 'TE-101', units: 2 }, staff('order-88'))
        expect(repeat.headers.get('idempotent-replayed')).toBe('true')
        expect(repeat.text).toBe(order.text)
        expect((await post(b, 'restock', { sku: 'TE-101', units: 3 }, staff('order-88'))).status).toBe(422)

        // A's invalidation reached B (B's own stock is still 3: the command ran on A only).
        const deadline = Date.now() + 5_000
        let afterOnB = await post(b, 'stock_level', { sku: 'TE-101' })
        while (afterOnB.headers.get('x-ixp-cache') === 'hit' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          afterOnB = await post(b, 'stock_level', { sku: 'TE-101' })
        }
        expect(afterOnB.headers.get('x-ixp-cache')).toBe('miss')
        expect(shown(afterOnB)).toBe('TE-101: 3 in stock')

        // Concurrent repeats of a new key over both instances: one runs, the others are 409.
        const racing = await Promise.all(
          [a, b, a, b].map((server) =>
            post(server, 'restock', { sku: 'LT-720', units: 1 }, staff('order-99')),
          ),
        )
        const statuses = racing.map((answer) => answer.status).sort()
        expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1)
        expect(statuses.every((status) => status === 200 || status === 409)).toBe(true)
        const ran = racing.filter(
          (answer) => answer.status === 200 && answer.headers.get('idempotent-replayed') === null,
        )
        expect(ran).toHaveLength(1)
      } finally {
        // What the instances wrote under their own prefix expires by itself within minutes (see the config).
        expect(await a.stop()).toBe(0)
        expect(await b.stop()).toBe(0)
      }
    },
    90_000,
  )
})
