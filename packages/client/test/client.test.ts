import { readdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createEngine, type Engine } from '@ixp/core'
import { createNodeServer, type IxpNodeServer } from '@ixp/plugin-http/node'
import { realtime, type RealtimeOptions, type RealtimePlugin } from '@ixp/plugin-realtime'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  backoffDelay,
  createClient,
  IxpClientError,
  type IxpClient,
  type RenderAnswer,
} from '../src/index.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

interface Server {
  engine: Engine
  plugin: RealtimePlugin
  http: IxpNodeServer
  port: number
  close(): Promise<void>
}

const stock = new Map([['SKU-1', 3]])

/** An engine with `stock_level`, the realtime plugin and a node server (on `port`, or a free one). */
async function start(port = 0, options: RealtimeOptions = {}): Promise<Server> {
  const engine = createEngine({ logger: silent })
  engine.registerComponent({
    name: 'Stock',
    render: (props) => ({ type: 'p', props: {}, children: [String(props.units)] }),
  })
  engine.registerIntent({
    name: 'stock_level',
    description: 'Units in stock',
    parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
    component: 'Stock',
    handler: (params: { sku: string }) => ({ units: stock.get(params.sku) ?? 0 }),
  })
  const plugin = realtime({ authorizeRoom: () => true, ...options })
  engine.use(plugin)
  await engine.ready()
  const http = createNodeServer(engine, { basePath: '/ixp' })
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  return {
    engine,
    plugin,
    http,
    port: (http.address() as AddressInfo).port,
    async close() {
      await engine.close()
      await http.closeGracefully(50)
    },
  }
}

function invalidate(engine: Engine, intents: string[]): void {
  engine.invalidate({ intents })
}

const servers: Server[] = []
const clients: IxpClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

function clientFor(port: number, options: Partial<Parameters<typeof createClient>[0]> = {}): IxpClient {
  const client = createClient({
    url: `http://127.0.0.1:${port}/ixp`,
    WebSocket: WebSocket as never,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    ...options,
  })
  clients.push(client)
  return client
}

/** Collects a subscription's answers; `take()` waits for the next one. */
function collector() {
  const answers: RenderAnswer[] = []
  const waiters: ((answer: RenderAnswer) => void)[] = []
  return {
    next(answer: RenderAnswer) {
      const waiter = waiters.shift()
      if (waiter) waiter(answer)
      else answers.push(answer)
    },
    take(timeoutMs = 3000): Promise<RenderAnswer> {
      const queued = answers.shift()
      if (queued) return Promise.resolve(queued)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer in time')), timeoutMs)
        waiters.push((answer) => {
          clearTimeout(timer)
          resolve(answer)
        })
      })
    },
  }
}

const stockBody = { intent: { name: 'stock_level', parameters: { sku: 'SKU-1' } } }

describe('@ixp/client over fetch', () => {
  it('renders and resolves', async () => {
    const server = await start()
    servers.push(server)
    const client = clientFor(server.port)
    const answer = await client.render(stockBody)
    expect(answer.tree).toEqual({ type: 'p', props: {}, children: ['3'] })
    expect(await client.resolve('stock_level')).toMatchObject({ matched: true, intent: 'stock_level' })
    expect(client.state).toBe('idle')
  })

  it('rejects with the server’s error code and status', async () => {
    const server = await start()
    servers.push(server)
    const error = await clientFor(server.port)
      .render({ intent: { name: 'missing' } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IxpClientError)
    expect(error).toMatchObject({ code: 'INTENT_NOT_SUPPORTED', status: 404 })
  })
})

describe('@ixp/client over the socket', () => {
  it('subscribes and receives a new answer on each change', async () => {
    const server = await start()
    servers.push(server)
    const client = clientFor(server.port)
    const answers = collector()
    client.subscribe(stockBody, answers)
    expect((await answers.take()).tree).toEqual({ type: 'p', props: {}, children: ['3'] })
    expect(client.state).toBe('connected')
    stock.set('SKU-1', 5)
    invalidate(server.engine, ['stock_level'])
    expect((await answers.take()).tree).toEqual({ type: 'p', props: {}, children: ['5'] })
    stock.set('SKU-1', 3)
  })

  it('joins rooms and receives events', async () => {
    const server = await start()
    servers.push(server)
    const client = clientFor(server.port)
    const received = new Promise((resolve) => client.on('restocked', (data, room) => resolve({ data, room })))
    await client.join('portland')
    server.plugin.broadcast('portland', 'restocked', { sku: 'SKU-1' })
    expect(await received).toEqual({ data: { sku: 'SKU-1' }, room: 'portland' })
  })

  it('reconnects after the server goes away, then subscribes and joins again', async () => {
    const first = await start()
    const port = first.port
    const client = clientFor(port)
    const states: string[] = []
    client.onState((state) => states.push(state))
    const answers = collector()
    client.subscribe(stockBody, answers)
    await client.join('portland')
    await answers.take()
    await first.close()
    const second = await start(port)
    servers.push(second)
    expect((await answers.take()).tree).toEqual({ type: 'p', props: {}, children: ['3'] })
    expect(states).toContain('reconnecting')
    expect(client.state).toBe('connected')
    const event = new Promise((resolve) => client.on('notice', resolve))
    // The room was joined again on the new server.
    await new Promise((resolve) => setTimeout(resolve, 50))
    second.plugin.broadcast('portland', 'notice', 'back')
    expect(await event).toBe('back')
  })

  it('stops for good on a final close code (refused credentials) and reports it to subscribers', async () => {
    const server = await start(0, {
      anonymous: false,
      authenticate: (ctx) => (ctx.headers?.['x-api-key'] === 'good' ? { id: 'u' } : undefined),
    })
    servers.push(server)
    const client = clientFor(server.port, { headers: { 'x-api-key': 'bad' } })
    const failed = new Promise<IxpClientError>((resolve) =>
      client.subscribe(stockBody, { next() {}, error: resolve }),
    )
    expect((await failed).code).toBe('CONNECTION_CLOSED')
    expect(client.state).toBe('closed')
    const good = clientFor(server.port, { headers: async () => ({ 'x-api-key': 'good' }) })
    const answers = collector()
    good.subscribe(stockBody, answers)
    expect((await answers.take()).tree).toBeDefined()
  })
})

describe('backoff', () => {
  it('grows exponentially up to the maximum, with jitter taking up to its share off', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5, maxAttempts: Infinity }
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(options, attempt, () => 0))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ])
    expect(backoffDelay(options, 2, () => 1)).toBe(200)
    expect(backoffDelay(options, 2, () => 0.5)).toBe(300)
  })
})

describe('package', () => {
  it('uses no Node built-ins', () => {
    const dir = join(import.meta.dirname, '../src')
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8')
      expect(text, file).not.toMatch(/from '(node:|fs|path|http|https|net|crypto|events|stream|buffer)/)
      expect(text, file).not.toMatch(/\b(require\(|process\.|Buffer\b)/)
    }
  })
})
