/**
 * @ixp/plugin-http — the IXP routes as a web-standard `fetch` handler. Runs anywhere `Request` and `Response`
 * exist (Node, workerd, Bun, Deno); the node:http, Express, Fastify and Hono adapters live in subpaths.
 */
export { createHttpHandler, type HttpHandler } from './handler.js'
export type {
  AroundHandler,
  AroundInfo,
  CorsOptions,
  CrawlerOptions,
  HttpHandlerOptions,
  MetricsOptions,
  RequestIdOptions,
} from './options.js'
export { HttpErrorCodes, type HttpErrorCode } from './errors.js'
export {
  httpHooks,
  type HttpHooks,
  type HttpNodeUpgrade,
  type HttpResponseHeaders,
  type HttpResponseInfo,
  type HttpRoute,
  type HttpRouteContext,
  type HttpRouteMethod,
  type HttpRouteOpenApi,
  type HttpRoutesInfo,
  type HttpUpgrade,
  type HttpUpgradeResult,
} from './plugin-hooks.js'
export type {
  CrawlerItem,
  CrawlerProvider,
  CrawlerQuery,
  CrawlerSource,
  CrawlerSourceQuery,
} from './crawler.js'
export {
  MetricsCollector,
  type MetricsAnswer,
  type MetricsProvider,
  type MetricsSnapshot,
} from './metrics.js'
export { DEFAULT_SECURITY_HEADERS } from './security-headers.js'
export { DEFAULT_THEME } from './theme.js'
