/**
 * One instance for `bench/realtime.bench.ts`, run as a child process so its memory is its own: an engine with
 * a `stock_level` query (tagged `stock:<sku>`) and a `restock` command (invalidating it), plugin-realtime
 * (with Redis when REDIS_URL_BENCH is set) behind a node:http server. Prints `{ port }` as its first line;
 * answers `memory` messages with `process.memoryUsage()` after a GC, and `connections` with the count.
 */
import type { AddressInfo } from 'node:net'
import { createEngine, silentLogger } from '@ixp/core'
import { createNodeServer } from '../packages/plugin-http/src/node/index.js'
import { realtime } from '../packages/plugin-realtime/src/index.js'

const stock = new Map<string, number>()
const engine = createEngine({ logger: silentLogger })
engine.registerComponent({
  name: 'Stock',
  render: (props) => ({ type: 'p', props: {}, children: [`${String(props.sku)}: ${String(props.units)}`] }),
})
engine.registerIntent({
  name: 'stock_level',
  description: 'Units in stock',
  parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
  component: 'Stock',
  cacheTags: (params: { sku: string }) => [`stock:${params.sku}`],
  handler: (params: { sku: string }) => ({ units: stock.get(params.sku) ?? 0 }),
})
engine.registerIntent({
  name: 'restock',
  description: 'Adds units',
  kind: 'command',
  parameters: {
    type: 'object',
    properties: { sku: { type: 'string' }, units: { type: 'integer' } },
    required: ['sku', 'units'],
  },
  component: 'Stock',
  invalidates: (params: { sku: string; units: number }) => [`stock:${params.sku}`],
  handler: (params: { sku: string; units: number }) => {
    stock.set(params.sku, (stock.get(params.sku) ?? 0) + params.units)
    return { units: stock.get(params.sku) }
  },
})
const redis = process.env.REDIS_URL_BENCH
const plugin = realtime({
  ...(redis ? { redis, channel: process.env.REALTIME_CHANNEL ?? 'ixp:realtime:bench' } : {}),
  heartbeatMs: 0,
  limits: { subscriptions: 10 },
})
engine.use(plugin)
await engine.ready()
const server = createNodeServer(engine, { basePath: '/ixp' })
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }))
})

process.on('message', (message) => {
  if (message === 'memory') {
    ;(globalThis as { gc?: () => void }).gc?.()
    process.send!({ memory: process.memoryUsage(), connections: plugin.connections().length })
  } else if (message === 'stop') {
    void engine
      .close()
      .then(() => server.closeGracefully(100))
      .then(() => process.exit(0))
  }
})
