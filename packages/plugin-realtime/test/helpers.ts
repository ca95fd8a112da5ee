/** What the tests share: a small stock engine, a server running it, and a WebSocket client reading frames in order. */
import type { AddressInfo } from 'node:net'
import { createEngine, type Engine, type PluginInput } from '@ixp/core'
import { createNodeServer, type IxpNodeServer } from '@ixp/plugin-http/node'
import { WebSocket } from 'ws'
import { realtime, type RealtimeOptions, type RealtimePlugin } from '../src/index.js'

export interface StockStore {
  stock: Map<string, number>
}

/** An engine with a `stock_level` query (tagged `stock:<sku>`) and a `greeting` query. */
export function stockEngine(store: StockStore, plugins: PluginInput[] = []): Engine {
  const engine = createEngine({ plugins, logger: silent })
  engine.registerComponent({
    name: 'StockLevel',
    render: (props) => ({ type: 'p', props: {}, children: [`${String(props.sku)}: ${String(props.units)}`] }),
  })
  engine.registerIntent({
    name: 'stock_level',
    description: 'Units in stock of a product',
    parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
    component: 'StockLevel',
    tags: ['inventory'],
    cacheTags: (params: { sku: string }) => [`stock:${params.sku}`],
    handler: (params: { sku: string }) => ({ units: store.stock.get(params.sku) ?? 0 }),
  })
  engine.registerIntent({
    name: 'restock',
    description: 'Adds units of a product',
    kind: 'command',
    parameters: {
      type: 'object',
      properties: { sku: { type: 'string' }, units: { type: 'integer' } },
      required: ['sku', 'units'],
    },
    component: 'StockLevel',
    invalidates: (params: { sku: string; units: number }) => [`stock:${params.sku}`],
    handler: (params: { sku: string; units: number }) => {
      store.stock.set(params.sku, (store.stock.get(params.sku) ?? 0) + params.units)
      return { units: store.stock.get(params.sku) }
    },
  })
  engine.registerIntent({
    name: 'greeting',
    description: 'Says hello',
    parameters: { type: 'object', properties: { name: { type: 'string' } } },
    component: 'StockLevel',
    examples: ['say hello'],
    handler: (params: { name?: string }) => ({ sku: 'hello', units: params.name ?? 'world' }),
  })
  return engine
}

export const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}

/** Declares answers stale, as a command would. */
export function invalidate(engine: Engine, targets: { tags?: string[]; intents?: string[] }): void {
  engine.invalidate(targets)
}

export interface Running {
  engine: Engine
  plugin: RealtimePlugin
  server: IxpNodeServer
  url: string
  wsUrl: string
  close(): Promise<void>
}

/**
 * Starts an engine with the realtime plugin behind a node:http server on a free port; the other `plugins` are
 * installed before it, or after it with `realtimeFirst`.
 */
export async function serve(
  engine: Engine,
  options: RealtimeOptions = {},
  plugins: PluginInput[] = [],
  { realtimeFirst = false } = {},
): Promise<Running> {
  const plugin = realtime(options)
  if (realtimeFirst) engine.use(plugin)
  for (const other of plugins) engine.use(other)
  if (!realtimeFirst) engine.use(plugin)
  await engine.ready()
  const server = createNodeServer(engine, { basePath: '/ixp' })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    engine,
    plugin,
    server,
    url: `http://127.0.0.1:${port}/ixp`,
    wsUrl: `ws://127.0.0.1:${port}/ixp/ws`,
    async close() {
      await engine.close()
      await server.closeGracefully(100)
    },
  }
}

export type Frame = { type: string; id?: string; payload?: any }

/** A `ws` client that queues frames and hands them out in order. */
export class TestClient {
  readonly frames: Frame[] = []
  readonly #waiters: ((frame: Frame) => void)[] = []
  closeCode: number | undefined
  closeReason = ''
  readonly closed: Promise<number>

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      const waiter = this.#waiters.shift()
      if (waiter) waiter(frame)
      else this.frames.push(frame)
    })
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code
        this.closeReason = reason.toString()
        resolve(code)
      }),
    )
  }

  static async open(
    url: string,
    options: { protocol?: string | null; headers?: Record<string, string> } = {},
  ) {
    const protocol = options.protocol === undefined ? 'ixp.v1' : options.protocol
    const ws = new WebSocket(url, protocol === null ? [] : [protocol], { headers: options.headers })
    const client = new TestClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return client
  }

  /** Opens and completes the handshake. */
  static async connect(url: string, headers?: Record<string, string>): Promise<TestClient> {
    const client = await TestClient.open(url)
    client.send({ type: 'connection_init', payload: headers ? { headers } : {} })
    const ack = await client.next()
    if (ack.type !== 'connection_ack') throw new Error(`expected connection_ack, got ${JSON.stringify(ack)}`)
    return client
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** The next frame (waits up to `timeoutMs`). */
  next(timeoutMs = 3000): Promise<Frame> {
    const queued = this.frames.shift()
    if (queued) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter)
        if (index >= 0) this.#waiters.splice(index, 1)
        reject(new Error(`no frame within ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter = (frame: Frame) => {
        clearTimeout(timer)
        resolve(frame)
      }
      this.#waiters.push(waiter)
    })
  }

  /** Resolves with no frame when none arrives within `ms` (fails if one does). */
  async nothingFor(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms))
    if (this.frames.length > 0) throw new Error(`unexpected frame ${JSON.stringify(this.frames[0])}`)
  }

  close(): void {
    this.ws.close()
  }
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Why the Redis tests cannot run here, or `undefined` (in CI they always run, and fail without Redis). */
export async function redisSkipReason(): Promise<string | undefined> {
  if (process.env.CI) return undefined
  const { Redis } = await import('ioredis')
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch {
    const reason = `Redis at ${REDIS_URL} is unreachable (set REDIS_URL, or CI=true to make this a failure)`
    console.warn(`[plugin-realtime] skipping Redis tests: ${reason}`)
    return reason
  } finally {
    client.disconnect()
  }
}
