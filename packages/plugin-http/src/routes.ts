/**
 * The IXP routes. Each takes the request scope and answers a JSON text; errors are thrown as `IxpError`s and
 * turned into the error body by the dispatcher. Paths are relative to the base path.
 */
import type { ErrorLog } from './error-report.js'
import {
  coreError,
  type ComponentDefinition,
  type Engine,
  type IxpContext,
  type ResolveQuery,
} from '@ixp/core'
import { crawlerContent } from './crawler.js'
import { httpError } from './errors.js'
import type { JsonCache } from './json-cache.js'
import { matchesTag, type ListingCache } from './listing-cache.js'
import type { MetricsCollector, MetricsProvider } from './metrics.js'
import { buildOpenApiDocument } from './openapi.js'
import { addPluginRoutes } from './openapi-plugins.js'
import type { ResolvedOptions } from './options.js'
import { renderRoute } from './render-route.js'
import { readJsonObject } from './request-body.js'
import { isPlainObject } from './json.js'
import { ok, queryText, type RouteAnswer, type RouteHandler } from './route-kit.js'
import type { ListedRoute } from './route-table.js'

export interface RouteDeps {
  engine: Engine
  options: ResolvedOptions
  collector: MetricsCollector
  /** Error reporting: the last internal errors go into `GET /health`. */
  errorLog: ErrorLog
  cache: JsonCache
  /** Listing documents per registry version and caller visibility (ETag, 304). */
  listings: ListingCache
  createdAt: number
  /** The metrics route's provider: the option's, or one a plugin gave through `httpHooks().metricsProvider`. */
  metricsProvider: () => MetricsProvider | undefined
  /** Plugin routes that describe themselves (listed in `GET /openapi.json`). */
  pluginRoutes: () => readonly ListedRoute[]
}

/** `version` of the list routes' bodies, as the IXP reference sends it. */
const PROTOCOL_VERSION = '1.0.0'
/** `version` of `/sdk/config`, as the IXP reference sends it. */
const SDK_CONFIG_VERSION = '1.1.0'

function uptimeSeconds(createdAt: number): number {
  const uptime = (globalThis as { process?: { uptime?: () => number } }).process?.uptime
  return typeof uptime === 'function' ? uptime() : (Date.now() - createdAt) / 1000
}

function endpoints(options: ResolvedOptions): Record<string, string> {
  const base = options.basePath
  const list: Record<string, string> = {
    intents: `${base}/intents`,
    components: `${base}/components`,
    render: `${base}/render`,
    resolve: `${base}/resolve`,
    crawlerContent: `${base}/crawler_content`,
    health: `${base}/health`,
    theme: `${base}/theme`,
    menu: `${base}/menu`,
    init: `${base}/init`,
  }
  if (options.metrics.enabled) list.metrics = `${base}${options.metrics.endpoint}`
  if (options.openapi) list.openapi = `${base}/openapi.json`
  return list
}

async function menuItems(engine: Engine, ctx: IxpContext): Promise<Record<string, unknown>[]> {
  const intents = await engine.listIntents(ctx, 'list')
  return intents
    .filter((intent) => intent.deprecated !== true)
    .map((intent) => {
      const title =
        isPlainObject(intent.metadata) && typeof intent.metadata.title === 'string'
          ? intent.metadata.title
          : intent.name
      const item: Record<string, unknown> = { intent: intent.name, title, description: intent.description }
      if (intent.examples)
        item.examples = intent.examples.map((example) =>
          typeof example === 'string' ? example : example.text,
        )
      if (intent.tags) item.tags = intent.tags
      return item
    })
}

function componentJson(deps: RouteDeps, component: ComponentDefinition): string {
  // The registered definition is described by the engine (functions dropped, `type: 'server'` added); a
  // discovery filter that hands back its own objects is described as it gave them.
  const registered = deps.engine.components.get(component.name) === component
  const description = registered ? deps.engine.describeComponent(component.name) : undefined
  return deps.cache.stringify(description ?? component)
}

/**
 * Validators of a listing. No `Cache-Control` (the protocol's listings send none): with an ETag and no
 * `Last-Modified` a client has no heuristic freshness, so it revalidates each time and gets `304`.
 */
function listingHeaders(tag: string): Record<string, string> {
  return { etag: tag }
}

/** A listing answer: `304` when the client's copy is current, else the document with a fresh timestamp. */
function listing(
  ifNoneMatch: string | undefined,
  tag: string,
  items: () => string,
  field: string,
): RouteAnswer {
  if (matchesTag(ifNoneMatch, tag)) return { status: 304, body: '', headers: listingHeaders(tag) }
  return {
    status: 200,
    body: `{"${field}":[${items()}],"version":"${PROTOCOL_VERSION}","timestamp":"${new Date().toISOString()}"}`,
    headers: listingHeaders(tag),
  }
}

/** Builds the route handlers (by relative path and method). */
export function createRoutes(deps: RouteDeps): Record<string, Record<string, RouteHandler>> {
  const { engine, options } = deps
  const limits = { bodyLimit: options.bodyLimit, maxJsonDepth: options.maxJsonDepth }
  const crawlerDeps = {
    engine,
    sources: options.crawler.sources,
    provider: options.crawler.provider,
    logger: engine.logger,
  }

  const routes: Record<string, Record<string, RouteHandler>> = {
    '/intents': {
      GET: async ({ request, ctx }) => {
        const { listings } = deps
        let tag: string
        let items: () => string
        if (engine.hooks.discoverIntents.isUsed()) {
          const intents = await engine.listIntents(ctx, 'list')
          tag = listings.filtered('intents', intents)
          items = () => intents.map((intent) => deps.cache.stringify(intent)).join(',')
        } else {
          // Everyone sees every intent: nothing to list until the registry changes.
          tag = listings.unfiltered('intents')
          items = () =>
            engine.intents
              .list()
              .map((intent) => deps.cache.stringify(intent))
              .join(',')
        }
        return listing(request.header('if-none-match'), tag, () => listings.document(tag, items), 'intents')
      },
    },
    '/components': {
      GET: async ({ request, ctx }) => {
        const { listings } = deps
        let tag: string
        let items: () => string
        if (engine.hooks.discoverComponents.isUsed()) {
          const components = await engine.listComponents(ctx, 'list')
          tag = listings.filtered('components', components)
          items = () => components.map((component) => componentJson(deps, component)).join(',')
        } else {
          tag = listings.unfiltered('components')
          items = () =>
            engine.components
              .list()
              .map((component) => componentJson(deps, component))
              .join(',')
        }
        return listing(
          request.header('if-none-match'),
          tag,
          () => listings.document(tag, items),
          'components',
        )
      },
    },
    '/render': { POST: renderRoute({ engine, limits, cache: deps.cache }) },
    '/resolve': {
      POST: async ({ request, ctx }) => {
        const body = await readJsonObject(request, limits)
        const field = body.query !== undefined ? 'query' : 'text'
        const query: ResolveQuery = { text: queryText(body[field], field) }
        if (body.previousIntent !== undefined) {
          if (typeof body.previousIntent !== 'string' || body.previousIntent.length > 256) {
            throw coreError('INVALID_REQUEST', { reason: "'previousIntent' must be an intent name" })
          }
          query.previousIntent = body.previousIntent
        }
        if (body.limit !== undefined) {
          if (!Number.isInteger(body.limit) || (body.limit as number) < 1 || (body.limit as number) > 50) {
            throw coreError('INVALID_REQUEST', { reason: "'limit' must be an integer from 1 to 50" })
          }
          query.limit = body.limit as number
        }
        return ok(JSON.stringify(await engine.resolve(query, ctx)))
      },
    },
    '/crawler_content': {
      GET: async ({ request, ctx }) => {
        return ok(JSON.stringify(await crawlerContent(crawlerDeps, request.query, ctx)))
      },
    },
    '/health': {
      GET: async () => {
        const report = await engine.health()
        const body = {
          status: report.status,
          service: options.serviceName,
          version: options.serviceVersion,
          timestamp: new Date().toISOString(),
          uptime: uptimeSeconds(deps.createdAt),
          checks: report.checks,
          // The last internal errors (ids, codes and times only), to match with the server log.
          recentErrors: deps.errorLog.recent(),
        }
        return { status: report.status === 'unhealthy' ? 503 : 200, body: JSON.stringify(body) }
      },
    },
    '/theme': {
      GET: () =>
        ok(
          JSON.stringify({
            theme: options.theme,
            version: PROTOCOL_VERSION,
            timestamp: new Date().toISOString(),
          }),
        ),
    },
    '/sdk/config': {
      GET: () => {
        const cors = options.cors
        const origins = cors === undefined || cors.origins === 'function' ? [] : cors.origins
        return {
          status: 200,
          body: JSON.stringify({
            theme: options.theme,
            version: SDK_CONFIG_VERSION,
            endpoints: endpoints(options),
            cors: { origins },
          }),
          // Public configuration any page may read and cache, as the reference serves it.
          headers: { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
        }
      },
    },
    '/menu': {
      GET: async ({ ctx }) =>
        ok(
          JSON.stringify({
            menu: await menuItems(engine, ctx),
            version: PROTOCOL_VERSION,
            timestamp: new Date().toISOString(),
          }),
        ),
    },
    '/init': {
      GET: async ({ ctx }) =>
        ok(
          JSON.stringify({
            version: PROTOCOL_VERSION,
            theme: options.theme,
            endpoints: endpoints(options),
            menu: await menuItems(engine, ctx),
            timestamp: new Date().toISOString(),
          }),
        ),
    },
  }

  if (options.openapi) {
    const info = options.openapi
    routes['/openapi.json'] = {
      GET: async ({ request, ctx }) => {
        const intents = await engine.listIntents(ctx, 'list')
        const pluginRoutes = deps.pluginRoutes()
        // The same visible intents (same objects, same order) and plugin routes give the same document.
        const tag = deps.listings.filtered('openapi', intents, pluginRoutes)
        if (matchesTag(request.header('if-none-match'), tag)) {
          return { status: 304, body: '', headers: listingHeaders(tag) }
        }
        const document = deps.listings.document(tag, () => {
          const routesInfo = {
            basePath: options.basePath,
            metricsEndpoint: options.metrics.enabled ? options.metrics.endpoint : undefined,
          }
          return JSON.stringify(
            addPluginRoutes(buildOpenApiDocument(info, routesInfo, intents), pluginRoutes),
          )
        })
        return { status: 200, body: document, headers: listingHeaders(tag) }
      },
    }
  }

  if (options.metrics.enabled) {
    const endpoint = options.metrics.endpoint
    if (routes[endpoint]) {
      throw httpError('HTTP_INVALID_OPTIONS', {
        problem: `metrics.endpoint '${endpoint}' is already a route`,
      })
    }
    routes[endpoint] = {
      GET: async ({ request }) => {
        const provider = deps.metricsProvider()
        if (!provider) return ok(JSON.stringify(deps.collector.snapshot()))
        const answer = await provider(deps.collector, request.toWeb())
        const given = answer?.contentType
        const contentType =
          typeof given === 'string' && /^[\x20-\x7e]+$/.test(given) ? given : 'text/plain; charset=utf-8'
        // The answer depends on how it was asked for (a provider may negotiate on Accept).
        return { status: 200, body: answer?.body, contentType, headers: { vary: 'Accept' } }
      },
    }
  }
  return routes
}
