/**
 * Connection upgrades on a node:http server: the server's `'upgrade'` event is offered to the plugins'
 * `httpHooks(engine).upgrade` taps. A tap that takes the socket returns `true`; a `Response` a tap returns (a
 * refusal) is written to the socket; an upgrade no tap takes gets the JSON 404, and the socket is closed.
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Engine } from '@ixp/core'
import { httpError } from '../errors.js'
import type { TransportResponse } from '../exchange.js'
import type { HttpHandler } from '../handler.js'
import { REFUSE, UPGRADE } from '../internal.js'
import type { HttpHandlerOptions } from '../options.js'
import { toHandler } from '../target.js'
import { compileProxyTrust, type TrustProxyOption } from './proxy-trust.js'
import { NodeTransportRequest } from './request.js'

/** Options of {@link attachUpgrades}. */
export interface UpgradeOptions {
  /** Which proxies' `X-Forwarded-For` entries to believe, as for requests (see `NodeHandlerOptions`). @default false */
  trustProxy?: TrustProxyOption
}

/** Writes a whole HTTP/1.1 answer to a raw socket and closes it once written. */
function writeRaw(
  socket: Duplex,
  status: number,
  headers: [string, string][],
  body: Uint8Array | string,
): void {
  if (socket.destroyed) return
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body)
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`
  for (const [name, value] of headers) {
    if (name !== 'content-length' && name !== 'connection' && name !== 'transfer-encoding')
      head += `${name}: ${value}\r\n`
  }
  head += `content-length: ${bytes.byteLength}\r\nconnection: close\r\n\r\n`
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), bytes]), () => socket.destroy())
}

function writeTransport(socket: Duplex, response: TransportResponse): void {
  const pairs: [string, string][] = []
  for (let i = 0; i < response.headers.length; i += 2)
    pairs.push([response.headers[i]!, response.headers[i + 1]!])
  writeRaw(socket, response.status, pairs, typeof response.body === 'string' ? response.body : '')
}

async function writeWeb(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer())
  const pairs: [string, string][] = []
  response.headers.forEach((value, name) => pairs.push([name, value]))
  writeRaw(socket, response.status, pairs, body)
}

/** The `'upgrade'` listener of a handler. */
export function upgradeListener(
  handler: HttpHandler,
  options: UpgradeOptions = {},
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const requestOptions = { relative: false, trust: compileProxyTrust(options.trustProxy) }
  return (req, socket, head) => {
    // A socket error before a tap took the socket must not become an uncaught exception.
    const ignore = () => undefined
    socket.on('error', ignore)
    const request = new NodeTransportRequest(req, req.url ?? '/', requestOptions)
    handler[UPGRADE](request, { request: req, socket, head })
      .then(
        async (result) => {
          socket.off('error', ignore)
          if (result === true) return
          if (result instanceof Response) return writeWeb(socket, result)
          const notFound = httpError('NOT_FOUND', { hint: '; nothing here accepts a connection upgrade' })
          writeTransport(socket, handler[REFUSE](request, notFound))
        },
        (error: unknown) => {
          socket.off('error', ignore)
          writeTransport(socket, handler[REFUSE](request, error))
        },
      )
      .catch(() => socket.destroy())
  }
}

/**
 * Offers the upgrades a node:http server receives to the handler's plugins — for servers this package did not
 * create (Express's `app.listen()`, Fastify's `app.server`, `@hono/node-server`'s `serve()`). Pass the handler
 * the framework adapter serves (or an engine and the same options) so that paths are read under the same base
 * path. `createNodeServer` does this itself.
 */
export function attachUpgrades(
  server: Server,
  target: Engine | HttpHandler,
  options: HttpHandlerOptions & UpgradeOptions = {},
): HttpHandler {
  const handler = toHandler(target, options)
  server.on('upgrade', upgradeListener(handler, options))
  return handler
}
