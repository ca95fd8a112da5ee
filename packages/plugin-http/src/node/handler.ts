/** `toNodeHandler`: a node:http request listener (also usable as connect-style middleware) over the handler. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpHandler } from '../handler.js'
import type { TransportResponse } from '../exchange.js'
import { BODY_LIMIT, DISPATCH, SERVE, WRAPPED } from '../internal.js'
import { httpError } from '../errors.js'
import { compileProxyTrust, type TrustProxyOption } from './proxy-trust.js'
import { NodeTransportRequest, type NodeRequestOptions } from './request.js'
import { writeNodeResponse } from './response.js'
import { writeWebResponse } from './web-response.js'

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Which proxies in front of the server to believe when they write `X-Forwarded-For` (the one place proxy trust
   * is set: `ctx.ip`, which rate limiting and logs use, is computed here). `false`: the socket address; a number:
   * that many proxy hops (the entry that many places from the right is the client); a list of addresses / CIDR
   * ranges: exactly those proxies. `true` is refused (any client could choose its address). @default false
   */
  trustProxy?: TrustProxyOption
  /**
   * Milliseconds a request body may take to arrive in full; a slower one is answered 408 `REQUEST_TIMEOUT` (JSON)
   * and its connection closed. `0` leaves only node's `requestTimeout`. @default 10000
   */
  bodyTimeoutMs?: number
}

/** How long a body may take by default: generous for a JSON body under the default 1 MB limit. */
const DEFAULT_BODY_TIMEOUT_MS = 10_000

function bodyTimeoutOf(value: unknown): number {
  if (value === undefined) return DEFAULT_BODY_TIMEOUT_MS
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw httpError('HTTP_INVALID_OPTIONS', {
      problem: `bodyTimeoutMs must be a non-negative integer of milliseconds (got ${String(value)})`,
    })
  }
  return value
}

/** A node:http listener; with `next`, requests outside the base path are passed on instead of answered 404. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void

/** @internal What the node server learns from the listener (for its graceful close). */
export interface ListenerLifecycle {
  /** Answers get `Connection: close` while this is true. */
  closing(): boolean
  /** Called once per dispatched request, after its answer was written (or the write failed). */
  done(): void
}

const NO_LIFECYCLE: ListenerLifecycle = { closing: () => false, done: () => undefined }

/** @internal Writes the dispatcher's answer to a node response, at once when it is ready; `done` runs after. */
export function answerNode(
  answer: TransportResponse | Promise<TransportResponse>,
  res: ServerResponse,
  closing: () => boolean,
  done: () => void,
): void {
  if (!(answer instanceof Promise)) return writeAnswer(answer, res, closing, done)
  answer.then(
    (response) => writeAnswer(response, res, closing, done),
    () => {
      // The dispatcher answers every error itself and never rejects; this is a last guard.
      if (!res.destroyed) res.destroy()
      done()
    },
  )
}

function writeAnswer(
  response: TransportResponse,
  res: ServerResponse,
  closing: () => boolean,
  done: () => void,
): void {
  try {
    writeNodeResponse(res, response, closing())
  } catch {
    // A socket that broke mid-write; nothing can be answered on it any more.
    if (!res.destroyed) res.destroy()
  }
  done()
}

/** @internal Answers one node request; see {@link nodeAnswerer}. */
export type NodeAnswerer = (
  request: NodeTransportRequest,
  res: ServerResponse,
  closing: () => boolean,
  done: () => void,
) => void

/** The handler answers every error itself; this is a last guard for the process. */
function cut(res: ServerResponse, done: () => void): void {
  if (!res.destroyed) res.destroy()
  done()
}

/**
 * @internal Answers node requests through the handler — the path node:http, Express and Fastify share: through
 * `around` (as `fetch` does) when the handler has one, straight to the dispatcher otherwise, with a POST body
 * within the limit read first so that the route parses it at once (a body declared larger is refused unread).
 */
export function nodeAnswerer(handler: HttpHandler): NodeAnswerer {
  const dispatch = handler[DISPATCH]
  const limit = handler[BODY_LIMIT]
  if (handler[WRAPPED]) {
    const serve = handler[SERVE]
    return (request, res, closing, done) => {
      serve(request)
        .then((response) => writeWebResponse(res, response, request.method === 'HEAD', closing()))
        .then(done, () => cut(res, done))
    }
  }
  return (request, res, closing, done) => {
    const answer = () => {
      try {
        answerNode(dispatch(request), res, closing, done)
      } catch {
        cut(res, done)
      }
    }
    const length = request.length
    if (request.method === 'POST' && request.unread && (length === undefined || length <= limit)) {
      request.readBody(limit, answer)
    } else answer()
  }
}

/** @internal Shared by the node server. */
export function createNodeListener(
  handler: HttpHandler,
  options: NodeHandlerOptions,
  lifecycle: ListenerLifecycle = NO_LIFECYCLE,
): NodeListener {
  const requestOptions: NodeRequestOptions = {
    relative: false,
    trust: compileProxyTrust(options.trustProxy),
    bodyTimeoutMs: bodyTimeoutOf(options.bodyTimeoutMs),
  }
  const { closing, done } = lifecycle
  const answer = nodeAnswerer(handler)
  return (req, res, next) => {
    const url = req.url ?? '/'
    if (next !== undefined && !handler.handles(url.split('?', 1)[0]!)) {
      next()
      return
    }
    answer(new NodeTransportRequest(req, url, requestOptions), res, closing, done)
  }
}

/** Turns the handler into a node:http request listener: `http.createServer(toNodeHandler(handler))`. */
export function toNodeHandler(handler: HttpHandler, options: NodeHandlerOptions = {}): NodeListener {
  return createNodeListener(handler, options)
}
