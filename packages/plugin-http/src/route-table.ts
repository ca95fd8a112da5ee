/**
 * The route table: the built-in routes plus those plugins add through `httpHooks(engine).routes`, by normalised
 * path. A plugin route that clashes with a route already in the table is refused naming both owners, unless it
 * says `replace: true`.
 */
import { coreError, type IxpError } from '@ixp/core'
import { httpError } from './errors.js'
import type { HttpRoute, HttpRouteContext, HttpRoutesInfo, HttpHooks } from './plugin-hooks.js'
import { tapsOf } from './plugin-hooks.js'
import type { RouteHandler } from './route-kit.js'

export interface Route {
  /** The metrics key (and the route's path under the base path, except renders: `render_requests`). */
  key: string
  /** The path under the base path. */
  path: string
  methods: Record<string, RouteHandler>
  allow: string
}

/** A plugin route as the table keeps it, for `GET /openapi.json`. */
export interface ListedRoute {
  method: string
  path: string
  openapi: HttpRoute['openapi']
  owner: string
}

export interface RouteTable {
  routes: Map<string, Route>
  /** Plugin routes that describe themselves, in table order. */
  listed: ListedRoute[]
}

const BUILT_IN = '@ixp/plugin-http'
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
const PATH = /^\/[^\s?#]*$/

function invalidRoute(problem: string): IxpError {
  return httpError('HTTP_INVALID_ROUTE', { problem })
}

/** Lower-cased, one trailing slash dropped: how request paths are matched. */
export function normalizeRoutePath(path: string): string {
  const lower = path.toLowerCase()
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower
}

function checkRoute(route: unknown, owner: string): asserts route is HttpRoute {
  const given = route as Partial<HttpRoute> | null
  const where = `a route added by '${owner}'`
  if (typeof given !== 'object' || given === null) throw invalidRoute(`${where} is not an object`)
  if (typeof given.method !== 'string' || !METHODS.has(given.method)) {
    throw invalidRoute(`${where} has method ${String(given.method)}; use GET, POST, PUT, PATCH or DELETE`)
  }
  if (typeof given.path !== 'string' || !PATH.test(given.path)) {
    throw invalidRoute(
      `${where} has path ${String(given.path)}; use a path starting with '/' without query or spaces`,
    )
  }
  if (typeof given.handler !== 'function') {
    throw invalidRoute(`${where} (${given.method} ${given.path}) has no handler function`)
  }
  if (given.openapi !== undefined && (typeof given.openapi !== 'object' || given.openapi === null)) {
    throw invalidRoute(`${where} (${given.method} ${given.path}): openapi must be an operation object`)
  }
}

/** A plugin route's handler as the dispatcher calls it: the web `Request` is made only for these routes. */
function pluginHandler(route: HttpRoute, scope: Omit<HttpRouteContext, 'context'>): RouteHandler {
  const handler = route.handler
  return async ({ request, ctx }) => {
    const response = await handler(request.toWeb(), { ...scope, context: ctx })
    if (!(response instanceof Response)) {
      throw coreError('INTERNAL_ERROR', {
        reason: `The ${route.method} ${route.path} route answered no Response`,
      })
    }
    return { status: response.status, body: '', web: response }
  }
}

function allowOf(methods: Record<string, RouteHandler>): string {
  const names = Object.keys(methods)
  if (names.includes('GET')) names.push('HEAD')
  names.push('OPTIONS')
  return names.join(', ')
}

/**
 * Builds the table: the built-in routes, then every `routes` tap's routes in tap order. Throws
 * `HTTP_INVALID_ROUTE` / `HTTP_ROUTE_CONFLICT` naming the plugin.
 */
export function buildRouteTable(
  builtIn: Record<string, Record<string, RouteHandler>>,
  hooks: HttpHooks,
  info: HttpRoutesInfo,
  scope: Omit<HttpRouteContext, 'context'>,
): RouteTable {
  const owners = new Map<string, string>()
  const methodsByPath = new Map<string, Record<string, RouteHandler>>()
  for (const [path, methods] of Object.entries(builtIn)) {
    methodsByPath.set(path, { ...methods })
    for (const method of Object.keys(methods)) owners.set(`${method} ${path}`, BUILT_IN)
  }
  const listed = new Map<string, ListedRoute>()
  let routes: HttpRoute[] = []
  for (const tap of tapsOf<(routes: HttpRoute[], info: HttpRoutesInfo) => HttpRoute[]>(hooks.routes)) {
    const before = new Set(routes)
    const returned = tap.fn(routes, info)
    if (!Array.isArray(returned)) {
      throw invalidRoute(`the routes tap '${tap.name}' must return the route list`)
    }
    routes = returned
    for (const route of routes) {
      if (before.has(route)) continue
      checkRoute(route, tap.name)
      const path = normalizeRoutePath(route.path)
      const key = `${route.method} ${path}`
      const owner = owners.get(key)
      if (owner !== undefined && route.replace !== true) {
        throw httpError('HTTP_ROUTE_CONFLICT', { plugin: tap.name, route: key, owner })
      }
      owners.set(key, tap.name)
      let methods = methodsByPath.get(path)
      if (methods === undefined) methodsByPath.set(path, (methods = {}))
      methods[route.method] = pluginHandler(route, scope)
      if (route.openapi !== undefined)
        listed.set(key, { method: route.method, path, openapi: route.openapi, owner: tap.name })
      else listed.delete(key)
    }
  }
  const table = new Map<string, Route>()
  for (const [path, methods] of methodsByPath) {
    table.set(path, {
      key: path === '/render' ? 'render_requests' : path,
      path,
      methods,
      allow: allowOf(methods),
    })
  }
  return { routes: table, listed: [...listed.values()] }
}

/** The 405 answer's error for a route without the request's method. */
export function methodNotAllowed(method: string, route: Route): IxpError {
  return httpError(
    'METHOD_NOT_ALLOWED',
    { method: method.slice(0, 20), allow: route.allow },
    { details: { allow: route.allow.split(', ') } },
  )
}
