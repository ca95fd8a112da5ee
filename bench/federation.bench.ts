/**
 * `pnpm bench federation` — @ixp/plugin-federation: the latency a federated render adds over a local one.
 * Three HTTP servers on 127.0.0.1 answer the same intent: the service itself (local render, the baseline),
 * a gateway forwarding over HTTP to it, and a gateway forwarding over NATS to the same engine served with
 * natsService(); and, to tell the cost of a second network hop from the gateway's own, a plain engine whose
 * handler makes the same HTTP call to the service itself. Requests go one at a time (latency, not throughput), in interleaved rounds; p50 and p99 of
 * each path, and the added milliseconds and ratios against the local render of the same run.
 *
 * NATS: NATS_URL (default nats://127.0.0.1:4222); the NATS row is skipped when it is unreachable.
 */
import { connect, type AddressInfo } from 'node:net'
import { createEngine, silentLogger, type Engine, type IxpPlugin } from '@ixp/core'
import { h } from '@ixp/core/tree'
import { createNodeServer, type IxpNodeServer } from '../packages/plugin-http/src/node/index.js'
import { federation, natsService } from '../packages/plugin-federation/src/index.js'
import { percentile, printTable } from './measure.js'

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const ROUNDS = 5
const PER_ROUND = 200

async function serviceEngine(plugins: IxpPlugin[]): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger, plugins })
  engine.registerComponent({
    name: 'OrderCard',
    render: (props) =>
      h(
        'section',
        { class: 'order' },
        h('h2', null, `Order ${String(props.id)}`),
        h('p', null, String(props.state)),
      ),
  })
  engine.registerIntent({
    name: 'order_status',
    description: 'Status of an order',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    component: 'OrderCard',
    handler: (params) => ({ state: 'shipped', items: 3, id: params.id }),
  })
  return engine.ready()
}

async function listen(engine: Engine): Promise<{ server: IxpNodeServer; url: string }> {
  const server = createNodeServer(engine, { basePath: '/ixp' })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ixp` }
}

async function renderOnce(url: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"intent":{"name":"order_status","parameters":{"id":"A-1"}}}',
  })
  await response.text()
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`)
  return performance.now() - started
}

/** Whether something listens at the NATS URL (a TCP connect; the NATS client itself is the plugin's). */
function natsReachable(): Promise<boolean> {
  const url = new URL(NATS_URL)
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 4222), timeout: 1000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

export default async function run(): Promise<void> {
  const withNats = await natsReachable()
  const natsName = `ixp-bench-${process.pid}`
  const service = await serviceEngine(withNats ? [natsService({ servers: NATS_URL, name: natsName })] : [])
  const local = await listen(service)
  const gateways: Record<string, Engine> = {
    'federated over HTTP': await createEngine({
      logger: silentLogger,
      plugins: [federation({ services: [{ name: 'orders', url: local.url }], refreshMs: 0 })],
    }).ready(),
  }
  if (withNats) {
    gateways['federated over NATS'] = await createEngine({
      logger: silentLogger,
      plugins: [
        federation({
          services: [{ name: 'orders', nats: { servers: NATS_URL, service: natsName } }],
          refreshMs: 0,
        }),
      ],
    }).ready()
  } else {
    console.log(`NATS at ${NATS_URL} unreachable: the NATS row is skipped`)
  }
  const hop = createEngine({ logger: silentLogger })
  hop.registerComponent({ name: 'Echo', render: (props) => h('p', null, String(props.bytes)) })
  hop.registerIntent({
    name: 'order_status',
    description: 'Status of an order, fetched from the service by hand',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    component: 'Echo',
    handler: async (params) => {
      const response = await fetch(`${local.url}/render`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ intent: { name: 'order_status', parameters: params } }),
      })
      return { bytes: (await response.text()).length }
    },
  })
  await hop.ready()
  gateways['handler with one HTTP call'] = hop
  const servers = [local]
  const paths: Record<string, string> = { 'local render': local.url }
  for (const [name, engine] of Object.entries(gateways)) {
    const listening = await listen(engine)
    servers.push(listening)
    paths[name] = listening.url
  }
  const samples = new Map<string, number[]>(Object.keys(paths).map((name) => [name, []]))
  const names = Object.keys(paths)
  for (const name of names) for (let i = 0; i < 50; i++) await renderOnce(paths[name]!) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!
      for (let n = 0; n < PER_ROUND; n++) samples.get(name)!.push(await renderOnce(paths[name]!))
    }
  }
  const base = samples.get('local render')!
  const baseP50 = percentile(base, 50)
  const baseP99 = percentile(base, 99)
  printTable(
    names.map((name) => {
      const values = samples.get(name)!
      const p50 = percentile(values, 50)
      const p99 = percentile(values, 99)
      return {
        path: name,
        'p50 ms': p50.toFixed(3),
        'p99 ms': p99.toFixed(3),
        'added p50 ms': name === 'local render' ? '—' : (p50 - baseP50).toFixed(3),
        'added p99 ms': name === 'local render' ? '—' : (p99 - baseP99).toFixed(3),
        'p50 vs local': `${(p50 / baseP50).toFixed(2)}×`,
      }
    }),
  )
  console.log(`\n${ROUNDS} interleaved rounds of ${PER_ROUND} sequential renders per path`)
  for (const { server } of servers) await server.closeGracefully(100)
  for (const engine of Object.values(gateways)) await engine.close()
  await service.close()
}
