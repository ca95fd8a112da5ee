/**
 * `pnpm bench realtime` — @ixp/plugin-realtime:
 * 1. Idle sockets held by one instance (a child process): its heap and RSS with no socket, then after
 *    IDLE_SOCKETS (default 10,000) `ixp.v1` connections completed their handshake (target: ≥ 10,000 in ≤ 512 MB).
 * 2. Push latency: SUBSCRIBERS (default 1,000) sockets on instance A subscribe to `stock_level`; a `restock`
 *    command over HTTP on instance B (sharing Redis) invalidates its tag; the time from sending the command to
 *    each subscriber's `next`, p50 / p99 over ROUNDS rounds. The baseline, measured in the same run: the same
 *    command sent to A itself (no Redis hop).
 *
 * Redis: REDIS_URL (default redis://127.0.0.1:6379).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { median, percentile, printTable } from './measure.js'

const here = dirname(fileURLToPath(import.meta.url))
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const IDLE_SOCKETS = Number(process.env.IDLE_SOCKETS ?? 10_000)
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1_000)
const ROUNDS = Number(process.env.ROUNDS ?? 15)

interface Instance {
  child: ChildProcess
  port: number
  memory(): Promise<{ heapUsed: number; rss: number; connections: number }>
  stop(): Promise<void>
}

async function instance(env: Record<string, string> = {}): Promise<Instance> {
  const child = fork(join(here, 'realtime-instance.ts'), [], {
    execArgv: ['--conditions=source', '--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { port: number }).port),
    )
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)))
  })
  return {
    child,
    port,
    memory: () =>
      new Promise((resolve) => {
        child.once('message', (message) => {
          const { memory, connections } = message as { memory: NodeJS.MemoryUsage; connections: number }
          resolve({ heapUsed: memory.heapUsed, rss: memory.rss, connections })
        })
        child.send('memory')
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.send('stop')
      }),
  }
}

/** Opens a socket and completes the handshake; `onFrame` gets every later frame. */
function connect(port: number, onFrame?: (frame: { type: string; id?: string; payload?: unknown }) => void) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ixp/ws`, ['ixp.v1'], { perMessageDeflate: false })
    ws.once('error', reject)
    ws.once('open', () => ws.send('{"type":"connection_init"}'))
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string }
      if (frame.type === 'connection_ack') resolve(ws)
      else onFrame?.(frame)
    })
  })
}

/** Opens `count` sockets, `parallel` handshakes at a time. */
async function connectMany(
  count: number,
  port: number,
  parallel = 200,
  onFrame?: Parameters<typeof connect>[1],
) {
  const sockets: WebSocket[] = []
  for (let opened = 0; opened < count; opened += parallel) {
    const batch = Math.min(parallel, count - opened)
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => connect(port, onFrame)))))
  }
  return sockets
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

async function idleSockets(): Promise<void> {
  const server = await instance()
  try {
    const before = await server.memory()
    const started = performance.now()
    const sockets = await connectMany(IDLE_SOCKETS, server.port)
    const seconds = (performance.now() - started) / 1000
    const after = await server.memory()
    printTable([
      {
        state: 'no sockets',
        connections: before.connections,
        heapUsed: mb(before.heapUsed),
        rss: mb(before.rss),
      },
      {
        state: `${IDLE_SOCKETS} idle sockets`,
        connections: after.connections,
        heapUsed: mb(after.heapUsed),
        rss: mb(after.rss),
      },
    ])
    const perSocket = (after.rss - before.rss) / IDLE_SOCKETS
    console.log(
      `\n${after.connections} sockets held in ${mb(after.rss)} RSS (≤ 512 MB: ${after.rss <= 512 * 1024 * 1024 ? 'yes' : 'NO'}); ` +
        `${(perSocket / 1024).toFixed(1)} KB RSS and ${((after.heapUsed - before.heapUsed) / IDLE_SOCKETS / 1024).toFixed(1)} KB heap per socket; ` +
        `opened at ${Math.round(IDLE_SOCKETS / seconds)} handshakes/s`,
    )
    for (const socket of sockets) socket.terminate()
  } finally {
    await server.stop()
  }
}

/** Subscribes `SUBSCRIBERS` sockets on `subscribersOn`, then times `ROUNDS` restock commands sent to `commandTo`. */
async function pushLatency(subscribersOn: Instance, commandTo: Instance, sku: string): Promise<number[]> {
  let waiting = 0
  let sentAt = 0
  let done: (() => void) | undefined
  const latencies: number[] = []
  let subscribed = 0
  let allSubscribed: (() => void) | undefined
  const onFrame = (frame: { type: string }) => {
    if (frame.type !== 'next') return
    if (sentAt === 0) {
      subscribed += 1
      if (subscribed === SUBSCRIBERS) allSubscribed?.()
      return
    }
    latencies.push(performance.now() - sentAt)
    waiting -= 1
    if (waiting === 0) done?.()
  }
  const ready = new Promise<void>((resolve) => (allSubscribed = resolve))
  const sockets = await connectMany(SUBSCRIBERS, subscribersOn.port, 200, onFrame)
  const subscribe = JSON.stringify({
    id: 'live',
    type: 'subscribe',
    payload: { intent: { name: 'stock_level', parameters: { sku } } },
  })
  for (const socket of sockets) socket.send(subscribe)
  await ready
  const body = JSON.stringify({ intent: { name: 'restock', parameters: { sku, units: 1 } } })
  // Two warm-up rounds (not counted): the first pushes compile the paths they take.
  for (let round = -2; round < ROUNDS; round++) {
    waiting = SUBSCRIBERS
    if (round === 0) latencies.length = 0
    const pushed = new Promise<void>((resolve) => (done = resolve))
    sentAt = performance.now()
    const response = await fetch(`http://127.0.0.1:${commandTo.port}/ixp/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    if (!response.ok) throw new Error(`restock answered ${response.status}: ${await response.text()}`)
    await pushed
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  for (const socket of sockets) socket.terminate()
  return latencies
}

async function latency(): Promise<void> {
  const env = { REDIS_URL_BENCH: REDIS_URL, REALTIME_CHANNEL: `ixp:realtime:bench:${process.pid}` }
  const a = await instance(env)
  const b = await instance(env)
  try {
    const local = await pushLatency(a, a, 'LOCAL')
    const remote = await pushLatency(a, b, 'REMOTE')
    const row = (name: string, values: number[]) => ({
      command: name,
      pushes: values.length,
      p50: `${median(values).toFixed(1)} ms`,
      p99: `${percentile(values, 99).toFixed(1)} ms`,
      max: `${Math.max(...values).toFixed(1)} ms`,
    })
    printTable([row('on A itself (baseline)', local), row('on B, through Redis', remote)])
    console.log(
      `\n${SUBSCRIBERS} subscribers on A, ${ROUNDS} commands: p50 ${(median(remote) / median(local)).toFixed(2)}× and ` +
        `p99 ${(percentile(remote, 99) / percentile(local, 99)).toFixed(2)}× the baseline's`,
    )
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}

export default async function run(): Promise<void> {
  console.log('### idle sockets per instance\n')
  await idleSockets()
  console.log('\n### push latency from a command to 1,000 subscribers\n')
  await latency()
}
