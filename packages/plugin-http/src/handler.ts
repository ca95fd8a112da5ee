/**
 * `createHttpHandler`: the route table (precomputed once), the dispatcher every transport calls, and the
 * web-standard `fetch` entry. One request: match → context → route → answer (or the JSON error body), with
 * security, CORS and request-id headers on every answer, and the metrics collector counting it.
 */
import { IxpError, type Engine, type IxpContext } from '@ixp/core'
import { applyCors, applyPreflight, constantCorsHeaders } from './cors.js'
import { httpError, safeLog, toErrorPayload } from './errors.js'
import type { TransportRequest, TransportResponse } from './exchange.js'
import { setHeader, setHeaders, type HeaderList } from './headers.js'
import { BODY_LIMIT, clientAddresses, DISPATCH, WRAPPED, type Dispatcher } from './internal.js'
import { JsonCache } from './json-cache.js'
import { MetricsCollector } from './metrics.js'
import { resolveOptions, type HttpHandlerOptions, type ResolvedOptions } from './options.js'
import type { RouteAnswer, RouteHandler } from './route-kit.js'
import { SANE_REQUEST_ID, sequentialRequestIds } from './request-id.js'
import { createRoutes } from './routes.js'
import { fromRequest, toResponse } from './web.js'

/** The handler: a web-standard `fetch`, plus what adapters and plugins need to know about it. */
export interface HttpHandler {
  /** Answers one request (bound: pass it around as `handler.fetch`, e.g. `export default { fetch }`). */
  readonly fetch: (request: Request) => Promise<Response>
  /** The engine it serves. */
  readonly engine: Engine
  /** The normalised base path (`''` when the routes live at the root). */
  readonly basePath: string
  /** The built-in request metrics (a metrics provider receives it too). */
  readonly metrics: MetricsCollector
  /** Whether a path (without query) is under the base path, i.e. this handler answers it. */
  handles(path: string): boolean
  /** @internal The transport-neutral dispatcher used by the adapters. */
  readonly [DISPATCH]: Dispatcher
  /** @internal Whether `fetch` is wrapped by the `around` option. */
  readonly [WRAPPED]: boolean
  /** @internal The body limit in bytes. */
  readonly [BODY_LIMIT]: number
}

interface Route {
  /** The metrics key. */
  key: string
  methods: Record<string, RouteHandler>
  allow: string
}

/** One request on its way through the dispatcher. */
interface Exchange {
  readonly request: TransportRequest
  readonly method: string
  /** The path relative to the base path; undefined outside it. */
  readonly path: string | undefined
  readonly route: Route | undefined
  /** The answer's headers so far. */
  readonly headers: HeaderList
  requestId: string | undefined
  readonly startedAt: number
}

const JSON_TYPE = 'application/json; charset=utf-8'
const NOT_FOUND_KEY = 'not_found'

function buildRouteTable(routes: Record<string, Record<string, RouteHandler>>): Map<string, Route> {
  const table = new Map<string, Route>()
  for (const [path, methods] of Object.entries(routes)) {
    const names = Object.keys(methods)
    if (names.includes('GET')) names.push('HEAD')
    names.push('OPTIONS')
    table.set(path, { key: path === '/render' ? 'render_requests' : path, methods, allow: names.join(', ') })
  }
  return table
}

/** Lower-cases, drops one trailing slash (as Express does) and removes the base path; undefined when outside it. */
function routePath(request: TransportRequest, basePath: string): string | undefined {
  let path = request.path.toLowerCase()
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  if (request.relative || basePath === '') return path === '' ? '/' : path
  if (!path.startsWith(basePath)) return undefined
  if (path.length === basePath.length) return '/'
  return path.charCodeAt(basePath.length) === 0x2f ? path.slice(basePath.length) : undefined
}

const NO_STORE = /(?:^|[\s,])no-store(?:$|[\s,=])/i
const NO_CACHE = /(?:^|[\s,])no-cache(?:$|[\s,=])/i

/**
 * The cache directive a request asks for: `no-store` → `'bypass'` (neither read nor write a cache),
 * `no-cache` → `'refresh'` (do not answer from a cache, render and store anew).
 */
function cacheDirective(cacheControl: string | undefined): IxpContext['cache'] {
  if (cacheControl === undefined) return undefined
  if (NO_STORE.test(cacheControl)) return 'bypass'
  return NO_CACHE.test(cacheControl) ? 'refresh' : undefined
}

/**
 * Creates the IXP HTTP handler for an engine. Options are checked here (a bad one throws
 * `HTTP_INVALID_OPTIONS` naming it); routes are built once.
 */
export function createHttpHandler(engine: Engine, options: HttpHandlerOptions = {}): HttpHandler {
  const settings: ResolvedOptions = resolveOptions(options)
  const collector = new MetricsCollector(engine)
  const createdAt = Date.now()
  const table = buildRouteTable(
    createRoutes({ engine, options: settings, collector, cache: new JsonCache(engine), createdAt }),
  )
  const { basePath, cors, securityHeaders, requestIdHeader, generateRequestId, logRequests, debug } = settings
  const countRequests = settings.metrics.enabled
  // Every answer starts with these; only what depends on the request is added per request.
  const staticHeaders: HeaderList = Object.entries(securityHeaders).flat()
  if (cors) staticHeaders.push(...constantCorsHeaders(cors))

  const defaultRequestId = sequentialRequestIds()

  function newRequestId(): string {
    if (generateRequestId === undefined) return defaultRequestId()
    try {
      const id = generateRequestId()
      if (typeof id === 'string' && SANE_REQUEST_ID.test(id)) return id
    } catch (error) {
      safeLog(engine.logger, 'requestId.generate threw; using a generated id', {
        error: (error as Error)?.message,
      })
    }
    return defaultRequestId()
  }

  function contextFor(request: TransportRequest, requestId: string | undefined, path: string): IxpContext {
    const headers = request.headers()
    const ctx: IxpContext = { headers }
    if (requestId !== undefined) ctx.requestId = requestId
    const origin = headers.origin
    if (origin !== undefined) ctx.origin = origin
    if (request.signal !== undefined) ctx.signal = request.signal
    const cache = cacheDirective(headers['cache-control'])
    if (cache !== undefined) ctx.cache = cache
    if (request.ip !== undefined) ctx.ip = request.ip
    if (request.query !== '') ctx.query = request.query
    if (settings.context) Object.assign(ctx, settings.context({ headers, path }))
    if (countRequests) collector.track(ctx)
    return ctx
  }

  /** Counts and logs an answered request, and marks HEAD answers. */
  const finish = (x: Exchange, response: TransportResponse, errorCode?: string): TransportResponse => {
    if (x.method === 'HEAD') response.head = true
    const durationMs = performance.now() - x.startedAt
    if (countRequests) collector.record(x.route?.key ?? NOT_FOUND_KEY, response.status, durationMs, errorCode)
    if (logRequests) {
      const fields = {
        method: x.method,
        path: x.request.path,
        status: response.status,
        durationMs: Math.round(durationMs * 1000) / 1000,
        requestId: x.requestId,
      }
      safeLog(engine.logger, 'request', fields, 'info')
    }
    return response
  }

  /** The JSON error answer (status, code, message; headers the error asks for). */
  const fail = (x: Exchange, error: unknown): TransportResponse => {
    const { request, headers } = x
    const payload = toErrorPayload(error, engine.logger, debug, {
      method: x.method,
      path: request.path,
      requestId: x.requestId,
    })
    setHeader(headers, 'content-type', JSON_TYPE)
    if (payload.headers !== undefined) setHeaders(headers, payload.headers)
    const response: TransportResponse = { status: payload.status, headers, body: payload.body }
    // Unread bytes of an oversized body would otherwise be read to keep the connection alive.
    if (payload.status === 413 || payload.status === 408) response.close = true
    return finish(x, response, payload.code)
  }

  const succeed = (x: Exchange, answer: RouteAnswer): TransportResponse => {
    if (typeof answer.body !== 'string') {
      // A provider (crawler, metrics) that returned nothing serialisable.
      return fail(
        x,
        new IxpError('INTERNAL_ERROR', `The ${x.path} route produced no body`, { expose: false }),
      )
    }
    const { headers } = x
    headers.push('content-type', answer.contentType ?? JSON_TYPE)
    if (answer.headers !== undefined) setHeaders(headers, answer.headers)
    return finish(x, { status: answer.status, headers, body: answer.body })
  }

  // Requests almost always spell a route exactly as it is registered: those are found without normalising.
  const exact = new Map<string, { path: string; route: Route }>()
  for (const [path, route] of table) exact.set(`${basePath}${path}`, { path, route })

  const dispatch: Dispatcher = (request) => {
    const method = request.method
    const known = request.relative ? undefined : exact.get(request.path)
    const path = known !== undefined ? known.path : routePath(request, basePath)
    const route = known !== undefined ? known.route : path === undefined ? undefined : table.get(path)
    const x: Exchange = {
      request,
      method,
      path,
      route,
      headers: staticHeaders.slice(),
      requestId: undefined,
      startedAt: performance.now(),
    }
    const { headers } = x
    let answer: RouteAnswer | Promise<RouteAnswer>
    // Everything that could throw is inside: the dispatcher answers every error itself.
    try {
      if (requestIdHeader !== undefined) {
        const given = request.header(requestIdHeader)
        const requestId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : newRequestId()
        x.requestId = requestId
        headers.push(requestIdHeader, requestId)
      }
      if (cors) applyCors(headers, cors, request.header('origin'))
      if (path !== undefined && method === 'OPTIONS' && (cors || route)) {
        if (cors) applyPreflight(headers, cors)
        if (route) headers.push('allow', route.allow)
        headers.push('content-length', '0')
        return finish(x, { status: 204, headers, body: null })
      }
      if (!route) throw httpError('NOT_FOUND', 'The requested resource was not found')
      const handler = route.methods[method] ?? (method === 'HEAD' ? route.methods.GET : undefined)
      if (!handler) {
        headers.push('allow', route.allow)
        throw httpError(
          'METHOD_NOT_ALLOWED',
          `Method ${method.slice(0, 20)} is not allowed here; use ${route.allow}`,
          {
            details: { allow: route.allow.split(', ') },
          },
        )
      }
      answer = handler({ request, ctx: contextFor(request, x.requestId, path!) })
    } catch (error) {
      return fail(x, error)
    }
    return answer instanceof Promise
      ? answer.then(
          (given) => succeed(x, given),
          (error: unknown) => fail(x, error),
        )
      : succeed(x, answer)
  }

  const failed = (error: unknown): Response => {
    const payload = toErrorPayload(error, engine.logger, debug, {
      method: '?',
      path: '?',
      requestId: undefined,
    })
    return new Response(payload.body, { status: payload.status, headers: { 'content-type': JSON_TYPE } })
  }

  const answer = async (request: Request): Promise<Response> => {
    try {
      return toResponse(await dispatch(fromRequest(request)))
    } catch (error) {
      // Only a broken Request object gets here; the dispatcher itself never throws.
      return failed(error)
    }
  }

  const around = settings.around
  const fetch = around
    ? async (request: Request): Promise<Response> => {
        const next = (replacement: Request = request): Promise<Response> => {
          const ip = clientAddresses.get(request)
          if (replacement !== request && ip !== undefined) clientAddresses.set(replacement, ip)
          return answer(replacement)
        }
        try {
          return await around(request, next)
        } catch (error) {
          // A wrapper that throws must not take the request down with a stack trace.
          return failed(error)
        }
      }
    : answer

  return {
    fetch,
    engine,
    basePath,
    metrics: collector,
    handles: (path) => routePath({ path, relative: false } as TransportRequest, basePath) !== undefined,
    [DISPATCH]: dispatch,
    [WRAPPED]: around !== undefined,
    [BODY_LIMIT]: settings.bodyLimit,
  }
}
