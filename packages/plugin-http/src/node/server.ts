/**
 * `createNodeServer`: a node:http server answering the IXP routes, with a graceful close that stops
 * accepting, lets requests in flight finish within a deadline and then cuts what is left.
 */
import { createServer, type Server } from 'node:http'
import type { Engine } from '@ixp/core'
import type { HttpHandler } from '../handler.js'
import type { HttpHandlerOptions } from '../options.js'
import { toHandler } from '../target.js'
import { answerClientError, refuseMissingHost } from './client-error.js'
import { createNodeListener, type NodeHandlerOptions } from './handler.js'
import { upgradeListener } from './upgrade.js'

/** Options of {@link createNodeServer}: the handler's (when given an engine) plus node's server settings. */
export interface NodeServerOptions extends HttpHandlerOptions, NodeHandlerOptions {
  /** Milliseconds an idle keep-alive connection stays open. @default 5000 */
  keepAliveTimeout?: number
  /** Milliseconds to receive a request's headers; a slower head is answered 408 (JSON). @default 10000 */
  headersTimeout?: number
  /** Milliseconds to receive a whole request. @default 300000 */
  requestTimeout?: number
  /** Largest request head in bytes. @default 16384 */
  maxHeaderSize?: number
}

/** A node:http server with {@link IxpNodeServer.closeGracefully}. */
export interface IxpNodeServer extends Server {
  /** The handler the server answers with. */
  readonly handler: HttpHandler
  /**
   * Stops accepting connections, closes idle keep-alive connections, lets requests in flight finish (their
   * answers carry `Connection: close`) and, after `timeoutMs`, closes whatever is left. Resolves once the
   * server is closed. Does not close the engine.
   */
  closeGracefully(timeoutMs?: number): Promise<void>
}

/** Creates (does not start) a node:http server for an engine or a handler; call `listen()` on it. */
export function createNodeServer(
  target: Engine | HttpHandler,
  options: NodeServerOptions = {},
): IxpNodeServer {
  const handler = toHandler(target, options)
  let closing = false
  let inFlight = 0
  let drained: (() => void) | undefined
  const listener = createNodeListener(handler, options, {
    closing: () => closing,
    done: () => {
      inFlight--
      if (closing && inFlight === 0) drained?.()
    },
  })
  const headersTimeout = options.headersTimeout ?? 10_000
  const server = createServer(
    {
      maxHeaderSize: options.maxHeaderSize ?? 16_384,
      requestTimeout: options.requestTimeout ?? 300_000,
      // node checks the header and request timeouts on this interval (30 s by default): a slow head would
      // otherwise hold its connection long past `headersTimeout`.
      // node's Host check answers a bare 400 before any listener runs; `refuseMissingHost` answers the JSON body.
      requireHostHeader: false,
      connectionsCheckingInterval: Math.max(250, Math.min(headersTimeout / 4, 5_000)),
    },
    (req, res) => {
      if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
        refuseMissingHost(res)
        return
      }
      inFlight++
      listener(req, res)
    },
  ) as IxpNodeServer
  // Connection upgrades (WebSockets) go to the plugins' `upgrade` taps; unclaimed ones get a 404.
  server.on('upgrade', upgradeListener(handler, options))
  server.keepAliveTimeout = options.keepAliveTimeout ?? 5_000
  server.headersTimeout = headersTimeout
  server.on('clientError', answerClientError)
  let closed: Promise<void> | undefined
  Object.defineProperty(server, 'handler', { value: handler, enumerable: true })
  server.closeGracefully = (timeoutMs = 10_000) => {
    closed ??= new Promise<void>((resolve) => {
      closing = true
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs)
      timer.unref?.()
      server.close(() => {
        clearTimeout(timer)
        resolve()
      })
      server.closeIdleConnections()
      drained = () => server.closeIdleConnections()
      if (inFlight === 0) drained()
    })
    return closed
  }
  return server
}
