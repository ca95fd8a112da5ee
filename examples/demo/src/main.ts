/**
 * `pnpm start`: the store assistant on http://127.0.0.1:4100 — the IXP API under /ixp and, at /, a page to try
 * it. In-memory data, no set-up. `PORT` and `HOST` override the address. SIGINT/SIGTERM stop it gracefully.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHttpHandler } from '@ixp/plugin-http'
import { toNodeHandler, type NodeListener } from '@ixp/plugin-http/node'
import { traceHttp } from '@ixp/plugin-tracing'
import { createStoreEngine, type StoreEngine } from './engine.js'
import { serveSite } from './web/site.js'

const port = Number(process.env.PORT ?? 4100)
const host = process.env.HOST ?? '127.0.0.1'
const base = '/ixp'
const SHUTDOWN_TIMEOUT_MS = 10_000

if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a whole number from 0 to 65535, got '${process.env.PORT}'`)
  process.exit(2)
}

// The server listens before the engine is built: the store locator accepts pages from the origin actually
// bound (`PORT=0` picks a free port). Requests arriving meanwhile wait for the engine.
let started: (listener: NodeListener) => void
const listener = new Promise<NodeListener>((resolve) => (started = resolve))
const server = createServer((req, res) => void listener.then((handle) => handle(req, res)))

server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `${host}:${port} is already in use; choose another port: PORT=4200 pnpm start`
      : `Could not listen on ${host}:${port}: ${error.message}`,
  )
  process.exit(1)
})
await new Promise<void>((resolve) => server.listen(port, host, resolve))
const actual = (server.address() as AddressInfo).port

let store: StoreEngine
try {
  store = await createStoreEngine({ port: actual })
} catch (error) {
  console.error(`Could not start the store assistant: ${(error as Error).message}`)
  process.exit(1)
}
const { engine, plugins } = store

const registry = plugins.tracing.metrics!
const ixp = toNodeHandler(
  createHttpHandler(engine, {
    basePath: base,
    // `GET /ixp/metrics` is served by the tracing plugin by itself: the IXP JSON (with its registry under
    // `metrics`), or Prometheus text for `?format=prometheus` or a scraper's Accept header.
    // A server span per request (continuing a caller's `traceparent`) once an OpenTelemetry SDK is
    // registered, and the request-duration histogram in the registry whether or not one is.
    around: traceHttp({ registry }),
  }),
)
started!((req, res) =>
  // Requests outside /ixp fall through to the demo page and its assets.
  ixp(req, res, () => {
    serveSite(req, res, base).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  }),
)

const origin = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`
console.log(`IXP server listening on ${origin}${base}`)
console.log(`Store assistant page: ${origin}/`)
console.log(
  `Try: curl -X POST ${origin}${base}/render -H 'content-type: application/json' -d '{"query":"when does the Seattle store close?"}'`,
)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) process.exit(1)
  stopping = true
  console.log(`${signal} received: finishing requests in flight…`)
  const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_TIMEOUT_MS)
  deadline.unref()
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
  })
  await engine.close()
  console.log('Stopped')
}
process.on('SIGINT', (signal) => void stop(signal))
process.on('SIGTERM', (signal) => void stop(signal))
