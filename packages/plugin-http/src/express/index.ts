/**
 * @ixp/plugin-http/express — the IXP routes as Express middleware: `app.use('/ixp', ixpExpress(engine))`.
 *
 * Works whether or not body parsers ran first: a body `express.json()` already parsed is checked like one we
 * read (object only, depth, forbidden keys, size), its parse errors are answered as IXP errors, and a body
 * parsed as anything but JSON is refused by media type. Mounted at a path, the routes are relative to it;
 * used without a path, requests outside the handler's base path go on to the next middleware.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Engine } from '@ixp/core'
import { coreError, type IxpError } from '@ixp/core'
import type { HttpHandler } from '../handler.js'
import { httpError } from '../errors.js'
import { NodeTransportRequest } from '../node/request.js'
import { nodeAnswerer } from '../node/handler.js'
import type { HttpHandlerOptions } from '../options.js'
import { toHandler } from '../target.js'

/** The parts of Express's request the adapter reads (kept structural: Express is an optional peer). */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string
  originalUrl?: string
  body?: unknown
  ip?: string
}

type Next = (error?: unknown) => void
type Middleware = (req: ExpressRequest, res: ServerResponse, next: Next) => void
type ErrorMiddleware = (error: unknown, req: ExpressRequest, res: ServerResponse, next: Next) => void

/** Options of {@link ixpExpress}: the handler's (when given an engine). */
export type ExpressOptions = HttpHandlerOptions

/** An Express body-parser failure (`http-errors` shape; parse failures carry the raw `body`). */
interface BodyParserError {
  type?: unknown
  body?: unknown
}

/** A body parser's failure: the raw text to parse again with our checks, or the IXP error it amounts to. */
type BodyFailure = { text: string } | { error: IxpError }

function fromBodyParser(error: unknown): BodyFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { type, body } = error as BodyParserError
  if (type === 'entity.parse.failed' && typeof body === 'string') {
    // Parsing it again gives the precise answer (empty, malformed, not an object…) the handler gives.
    return { text: body }
  }
  const known = knownFailure(type)
  return known ? { error: known } : undefined
}

function knownFailure(type: unknown): IxpError | undefined {
  switch (type) {
    case 'entity.parse.failed':
    case 'entity.verify.failed':
    case 'request.size.invalid':
      return coreError('INVALID_REQUEST', { reason: 'The request body is not valid JSON' })
    case 'entity.too.large':
      return httpError('PAYLOAD_TOO_LARGE', { limit: 'the body parser allows' })
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return httpError('UNSUPPORTED_MEDIA_TYPE', { given: 'The body encoding or charset' })
    case 'request.aborted':
      return coreError('ABORTED')
    default:
      return undefined
  }
}

/** The body as the adapter hands it on: already parsed by a body parser, or still to read. */
function parsedBody(req: ExpressRequest): { value: unknown } | undefined {
  const consumed = req.readableEnded || (req.complete && !req.readable)
  if (!consumed || req.body === undefined) return undefined
  const body = req.body
  if (typeof body === 'string' || body instanceof Uint8Array) {
    // express.text() / express.raw() with a JSON type: parse what they read, with our checks.
    return undefined
  }
  return { value: body }
}

function rawText(req: ExpressRequest): string | undefined {
  const consumed = req.readableEnded || (req.complete && !req.readable)
  if (!consumed) return undefined
  const body = req.body
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body)
  return undefined
}

/**
 * Express middleware answering the IXP routes (an array: the router and the handler of body-parser errors;
 * `app.use` takes both).
 */
export function ixpExpress(
  target: Engine | HttpHandler,
  options: ExpressOptions = {},
): [Middleware, ErrorMiddleware] {
  const handler = toHandler(target, options)
  const answer = nodeAnswerer(handler)
  const notClosing = () => false
  const noop = () => undefined

  const serve = (
    req: ExpressRequest,
    res: ServerResponse,
    next: Next,
    failure?: BodyFailure,
    original?: unknown,
  ) => {
    const mounted = typeof req.baseUrl === 'string' && req.baseUrl !== ''
    const url = req.url ?? '/'
    if (!mounted && !handler.handles(url.split('?', 1)[0]!)) {
      next(original)
      return
    }
    const bodyError = failure && 'error' in failure ? failure.error : undefined
    const text = failure ? (failure as { text?: string }).text : rawText(req)
    const request = new NodeTransportRequest(req, url, {
      relative: mounted,
      trust: { kind: 'none' },
      ip: req.ip,
      parsed: failure || text !== undefined ? undefined : parsedBody(req),
      text,
      bodyError,
    })
    // Express announces itself on every answer; the IXP answers do not (as helmet does for the reference).
    if (!res.headersSent) res.removeHeader('x-powered-by')
    // The same path as the node server's: `around`, plugin routes and every header alike.
    answer(request, res, notClosing, noop)
  }

  const middleware: Middleware = (req, res, next) => serve(req, res, next)
  const errors: ErrorMiddleware = (error, req, res, next) => {
    const failure = fromBodyParser(error)
    if (!failure || res.headersSent) {
      next(error)
      return
    }
    serve(req, res, next, failure, error)
  }
  return [middleware, errors]
}
