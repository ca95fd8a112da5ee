/**
 * `createHttpHandler`: the route table (built-in routes plus plugin routes, rebuilt when plugins change it), the
 * dispatcher every transport calls, and the web-standard `fetch` entry. One request: match → context → route →
 * answer (or the JSON error body), with security, CORS and request-id headers on every answer, the `response`
 * taps decorating it, and the metrics collector counting it.
 */
import { coreError, type Engine } from '@ixp/core'
import { applyCors, applyPreflight, constantCorsHeaders } from './cors.js'
import { safeLog, toErrorPayload } from './error-body.js'
import { httpError } from './errors.js'
import type { TransportRequest, TransportResponse } from './exchange.js'
import { setHeader, setHeaders, type HeaderList } from './headers.js'
import {
  BODY_LIMIT,
  DISPATCH,
  REFUSE,
  SERVE,
  UPGRADE,
  WRAPPED,
  type Dispatcher,
  type OfferUpgrade,
  type Refuse,
  type Serve,
} from './internal.js'
import { JsonCache } from './json-cache.js'
import { ErrorLog } from './error-report.js'
import { ListingCache } from './listing-cache.js'
import { MetricsCollector } from './metrics.js'
import { resolveOptions, type HttpHandlerOptions, type ResolvedOptions } from './options.js'
import { decorateHeaders } from './decorate.js'
import { Contributions } from './contributions.js'
import { httpHooks, tapsOf, type HttpUpgrade, type HttpUpgradeResult } from './plugin-hooks.js'
import type { RouteAnswer } from './route-kit.js'
import { methodNotAllowed, type Route } from './route-table.js'
import { SANE_REQUEST_ID } from './request-id.js'
import { requestScope, routePath } from './request-scope.js'
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
  /** @internal Answers through `around`. */
  readonly [SERVE]: Serve
  /** @internal Offers an upgrade to the plugins. */
  readonly [UPGRADE]: OfferUpgrade
  /** @internal The JSON error answer for a request outside the dispatcher (a refused upgrade). */
  readonly [REFUSE]: Refuse
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

/**
 * Room for the headers a request adds to the constant ones (request id, content type, length, a plugin's few):
 * `slice()` gives an exact-size copy that the first `push` reallocates at half again its size, every request.
 */
const ROOM = 12

/** A copy of `constant` whose backing store already has room for {@link ROOM} more entries. */
function withRoomFor(constant: HeaderList): HeaderList {
  const count = constant.length
  const headers = new Array<string>(count + ROOM)
  for (let i = 0; i < count; i++) headers[i] = constant[i]!
  // A shorter length keeps the backing store (V8 trims only a store more than twice the length).
  headers.length = count
  return headers
}
const NOT_FOUND_KEY = 'not_found'

/** `Upgrade: websocket` (the only upgrade web runtimes hand to a fetch handler). */
const WEBSOCKET = /(?:^|,)\s*websocket\s*(?:,|$)/i

/**
 * Creates the IXP HTTP handler for an engine. Options are checked here (a bad one throws
 * `HTTP_INVALID_OPTIONS` naming it), and so are the plugin routes already tapped (`HTTP_ROUTE_CONFLICT`,
 * `HTTP_INVALID_ROUTE`); routes tapped later are checked when the engine becomes ready.
 */
export function createHttpHandler(engine: Engine, options: HttpHandlerOptions = {}): HttpHandler {
  const settings: ResolvedOptions = resolveOptions(options)
  const collector = new MetricsCollector(engine)
  const errorLog = new ErrorLog(engine.logger, settings.onError)
  const errorLogger = errorLog.logger()
  const createdAt = Date.now()
  const hooks = httpHooks(engine)
  const { basePath, cors, securityHeaders, requestIdHeader, logRequests, debug } = settings
  const countRequests = settings.metrics.enabled

  const routesInfo = {
    engine,
    basePath,
    metricsEndpoint: countRequests ? settings.metrics.endpoint : undefined,
  }
  const builtIn = createRoutes({
    engine,
    options: settings,
    collector,
    errorLog,
    cache: new JsonCache(engine),
    listings: new ListingCache(engine),
    createdAt,
    metricsProvider: () => plugins.metricsProvider,
    pluginRoutes: () => plugins.table.listed,
  })
  const routeScope = { engine, basePath, metrics: collector }
  const plugins = new Contributions(
    engine,
    hooks,
    () => builtIn,
    routesInfo,
    routeScope,
    settings.metrics.provider,
  )
  plugins.refresh()

  // Every answer starts with these; only what depends on the request is added per request.
  const staticHeaders: HeaderList = Object.entries(securityHeaders).flat()
  if (cors) staticHeaders.push(...constantCorsHeaders(cors))

  const scope = requestScope(settings, engine.logger)
  const { newRequestId } = scope
  /** The request's context; with metrics on, marked so the renders run with it count in `byIntent`. */
  const contextFor: typeof scope.contextFor = (...args) => {
    const ctx = scope.contextFor(...args)
    if (countRequests) collector.track(ctx)
    return ctx
  }

  /** Adds what every answer carries and depends on the request: the request id and CORS. */
  function begin(x: Exchange): void {
    const { request, headers } = x
    if (requestIdHeader !== undefined) {
      const given = request.header(requestIdHeader)
      const requestId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : newRequestId()
      x.requestId = requestId
      headers.push(requestIdHeader, requestId)
    }
    if (cors) applyCors(headers, cors, request.header('origin'))
  }

  /** Lets the `response` taps decorate, counts and logs an answered request, and marks HEAD answers. */
  const finish = (x: Exchange, response: TransportResponse, errorCode?: string): TransportResponse => {
    if (x.method === 'HEAD') response.head = true
    if (plugins.decorate) {
      const info = {
        method: x.method,
        path: x.request.path,
        route: x.route?.path,
        status: response.status,
        requestId: x.requestId,
      }
      response.headers = decorateHeaders(hooks, response.headers, info, engine.logger)
    }
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
    const payload = toErrorPayload(error, errorLogger, debug, {
      method: x.method,
      path: request.path,
      requestId: x.requestId,
    })
    errorLog.report(payload, { method: x.method, path: request.path, requestId: x.requestId, ip: request.ip })
    setHeader(headers, 'content-type', JSON_TYPE)
    if (payload.headers !== undefined) setHeaders(headers, payload.headers)
    const response: TransportResponse = { status: payload.status, headers, body: payload.body }
    // Unread bytes of an oversized body would otherwise be read to keep the connection alive.
    if (payload.status === 413 || payload.status === 408) response.close = true
    return finish(x, response, payload.code)
  }

  const succeed = (x: Exchange, answer: RouteAnswer): TransportResponse => {
    const { headers } = x
    const web = answer.web
    if (web !== undefined) {
      // A plugin route's own Response: its headers win over the handler's.
      web.headers.forEach((value, name) => setHeader(headers, name, value))
      return finish(x, { status: web.status, headers, body: web.body })
    }
    if (answer.status === 304) {
      // The client's copy of a listing is current: its validators, no body.
      if (answer.headers !== undefined) setHeaders(headers, answer.headers)
      return finish(x, { status: 304, headers, body: null })
    }
    if (typeof answer.body !== 'string') {
      // A provider (crawler, metrics) that returned nothing serialisable.
      return fail(x, coreError('INTERNAL_ERROR', { reason: `The ${x.path} route produced no body` }))
    }
    headers.push('content-type', answer.contentType ?? JSON_TYPE)
    if (answer.headers !== undefined) setHeaders(headers, answer.headers)
    return finish(x, { status: answer.status, headers, body: answer.body })
  }

  /** The route of a request (undefined outside the base path or for unknown paths), with its relative path. */
  const match = (request: TransportRequest): { path: string | undefined; route: Route | undefined } => {
    const known = request.relative ? undefined : plugins.exact.get(request.path)
    if (known !== undefined) return { path: known.path, route: known }
    const path = routePath(request, basePath)
    return { path, route: path === undefined ? undefined : plugins.table.routes.get(path) }
  }

  /** Answers with the table as it is now (the engine is ready, or failed to start). */
  const dispatchNow: Dispatcher = (request) => {
    const startedAt = performance.now()
    if (plugins.stale) {
      try {
        plugins.refresh()
      } catch (error) {
        // A plugin route that clashes or is malformed: every request says so until it is fixed.
        const x = newExchange(request, undefined, undefined, startedAt)
        begin(x)
        return fail(x, error)
      }
    }
    const known = request.relative ? undefined : plugins.exact.get(request.path)
    if (known !== undefined) return answerRoute(newExchange(request, known.path, known, startedAt))
    const path = routePath(request, basePath)
    const route = path === undefined ? undefined : plugins.table.routes.get(path)
    return answerRoute(newExchange(request, path, route, startedAt))
  }

  // Before the engine is ready its plugins have not added their routes, providers and taps yet: wait for them.
  const dispatch: Dispatcher = (request) =>
    engine.isReady
      ? dispatchNow(request)
      : engine.ready().then(
          () => dispatchNow(request),
          () => dispatchNow(request),
        )

  function newExchange(
    request: TransportRequest,
    path: string | undefined,
    route: Route | undefined,
    startedAt: number,
  ): Exchange {
    const headers = withRoomFor(staticHeaders)
    return { request, method: request.method, path, route, headers, requestId: undefined, startedAt }
  }

  const answerRoute = (x: Exchange): TransportResponse | Promise<TransportResponse> => {
    const { request, method, path, route } = x
    let answer: RouteAnswer | Promise<RouteAnswer>
    // Everything that could throw is inside: the dispatcher answers every error itself.
    const { headers } = x
    try {
      begin(x)
      if (path !== undefined && method === 'OPTIONS' && (cors || route)) {
        if (cors) applyPreflight(headers, cors)
        if (route) headers.push('allow', route.allow)
        headers.push('content-length', '0')
        return finish(x, { status: 204, headers, body: null })
      }
      if (!route) throw httpError('NOT_FOUND', { hint: '' })
      const handler = route.methods[method] ?? (method === 'HEAD' ? route.methods.GET : undefined)
      if (!handler) {
        headers.push('allow', route.allow)
        throw methodNotAllowed(method, route)
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
    const payload = toErrorPayload(error, errorLogger, debug, {
      method: '?',
      path: '?',
      requestId: undefined,
    })
    return new Response(payload.body, { status: payload.status, headers: { 'content-type': JSON_TYPE } })
  }

  const around = settings.around
  /** Answers a transport request through `around` when it is set; never rejects. */
  const serve: Serve = async (request) => {
    try {
      if (around === undefined) return toResponse(await dispatch(request))
      const web = request.toWeb()
      const next = async (replacement: Request = web): Promise<Response> =>
        toResponse(
          await dispatch(
            replacement === web
              ? request
              : fromRequest(replacement, { ip: request.ip, relative: request.relative }),
          ),
        )
      const { route } = match(request)
      return await around(web, next, { route: route === undefined ? undefined : `${basePath}${route.path}` })
    } catch (error) {
      // A broken Request object, or a wrapper that throws: no stack trace reaches the caller.
      return failed(error)
    }
  }

  const offerUpgrade: OfferUpgrade = async (request, node) => {
    if (!engine.isReady) await engine.ready().catch(() => undefined)
    const path = routePath(request, basePath)
    if (path === undefined) return undefined
    const x = newExchange(request, path, undefined, performance.now())
    begin(x)
    const upgrade: HttpUpgrade = {
      path,
      request: request.toWeb(),
      context: contextFor(request, x.requestId, path),
      engine,
      basePath,
      ...(node === undefined ? {} : { node }),
    }
    for (const tap of tapsOf<(upgrade: HttpUpgrade) => HttpUpgradeResult>(hooks.upgrade)) {
      const result = tap.fn(upgrade)
      if (result !== undefined) return result
    }
    return undefined
  }

  const refuse: Refuse = (request, error) => {
    const x = newExchange(request, routePath(request, basePath), undefined, performance.now())
    begin(x)
    return fail(x, error)
  }

  const fetch = async (request: Request): Promise<Response> => {
    if (hooks.upgrade.taps.length > 0 || !engine.isReady) {
      const upgrade = request.headers.get('upgrade')
      if (upgrade !== null && WEBSOCKET.test(upgrade)) {
        const transport = fromRequest(request)
        try {
          const result = await offerUpgrade(transport)
          if (result instanceof Response) return result
          if (result === true) {
            throw coreError('INTERNAL_ERROR', {
              reason: 'An upgrade tap returned true where there is no socket to take; return a Response',
            })
          }
        } catch (error) {
          return toResponse(refuse(transport, error))
        }
      }
    }
    return serve(fromRequest(request))
  }

  return {
    fetch,
    engine,
    basePath,
    metrics: collector,
    handles: (path) => routePath({ path, relative: false } as TransportRequest, basePath) !== undefined,
    [DISPATCH]: dispatch,
    [WRAPPED]: around !== undefined,
    [BODY_LIMIT]: settings.bodyLimit,
    [SERVE]: serve,
    [UPGRADE]: offerUpgrade,
    [REFUSE]: refuse,
  }
}
