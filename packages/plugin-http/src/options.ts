/**
 * The options of {@link createHttpHandler}, their defaults (spread in one place, {@link resolveOptions}) and the
 * start-up checks that refuse a misconfiguration before the first request.
 */
import type { ErrorReporter } from './error-report.js'
import type { IxpContext } from '@ixp/core'
import { httpError } from './errors.js'
import type { CrawlerProvider, CrawlerSource } from './crawler.js'
import type { MetricsProvider } from './metrics.js'
import { DEFAULT_SECURITY_HEADERS } from './security-headers.js'
import { DEFAULT_THEME } from './theme.js'

/** Cross-origin resource sharing; the defaults are the IXP reference server's. */
export interface CorsOptions {
  /**
   * Origins that get `Access-Control-Allow-Origin` (echoed). `'*'` allows every origin (echoed when
   * `credentials` is on, since browsers refuse `*` with credentials); a function decides per origin.
   * CORS never refuses a request: other origins simply get no `Access-Control-Allow-Origin`.
   * @default ['http://localhost:3000']
   */
  origins?: string[] | '*' | ((origin: string) => boolean)
  /** Send `Access-Control-Allow-Credentials: true`. @default true */
  credentials?: boolean
  /** `Access-Control-Allow-Methods` of preflight answers. @default ['GET','POST','PUT','DELETE','OPTIONS'] */
  methods?: string[]
  /** `Access-Control-Allow-Headers` of preflight answers. @default ['Content-Type','Authorization'] */
  allowedHeaders?: string[]
  /** `Access-Control-Expose-Headers` on every answer (none by default, as the reference). @default [] */
  exposedHeaders?: string[]
  /** `Access-Control-Max-Age` of preflight answers, in seconds; unset sends none. @default undefined */
  maxAge?: number
}

/** The metrics route. */
export interface MetricsOptions {
  /** Serve the metrics route and count requests. @default true */
  enabled?: boolean
  /** Path of the metrics route under the base path. @default '/metrics' */
  endpoint?: string
  /**
   * Produces the route's answer instead of the built-in JSON collector (a tracing plugin serves Prometheus
   * text here). The built-in collector keeps counting either way and is passed in.
   * @default undefined (the built-in JSON shape of the IXP reference)
   */
  provider?: MetricsProvider
}

/** The crawler content route. */
export interface CrawlerOptions {
  /** Data sources merged, sorted (newest first) and paginated by the route. @default [] */
  sources?: CrawlerSource[]
  /** Answers the route when no source is registered (the reference's data provider). @default undefined */
  provider?: CrawlerProvider
}

/** Request ids: taken from a request header when it is sane, generated otherwise, and returned. */
export interface RequestIdOptions {
  /** Header read and written (lower-case). @default 'x-request-id' */
  header?: string
  /**
   * Makes a new id. @default a random 16-hex-digit prefix per handler, `-`, and a base-36 counter
   * (`3f9a0c5e1b7d2a64-1b`)
   */
  generate?: () => string
}

/** Options of {@link createHttpHandler}; every field is optional. */
export interface HttpHandlerOptions {
  /** Where the IXP routes live (`''` serves them at the root, e.g. behind a framework mount). @default '/ixp' */
  basePath?: string
  /** Largest accepted request body in bytes; reading stops there with 413. @default 1_048_576 (1 MB) */
  bodyLimit?: number
  /** Deepest nesting of arrays and objects accepted in a JSON body; deeper is a 400. @default 64 */
  maxJsonDepth?: number
  /** CORS headers, or `false` for none. @default the reference's defaults (see {@link CorsOptions}) */
  cors?: CorsOptions | false
  /**
   * Security headers on every answer: `true` sends the reference's helmet set, an object overrides single
   * headers of it (`false` drops one), `false` sends none.
   * @default true
   */
  securityHeaders?: boolean | Record<string, string | false>
  /** Request id header, or `false` to neither read nor send one. @default { header: 'x-request-id' } */
  requestId?: RequestIdOptions | false
  /** The metrics route and collector. @default { enabled: true, endpoint: '/metrics' } */
  metrics?: MetricsOptions
  /** Sources of the crawler content route. @default { sources: [] } (crawlable intents are listed) */
  crawler?: CrawlerOptions
  /** The theme served by `GET /theme`, `/sdk/config` and `/init`. @default a built-in light theme */
  theme?: Record<string, unknown>
  /** `service` of `GET /health`. @default 'IXP Server' */
  serviceName?: string
  /** `version` of `GET /health`. @default '1.0.0' */
  serviceVersion?: string
  /** `info` of `GET /openapi.json`. @default { title: 'IXP API', version: '1.0.0' } */
  openapi?: { title?: string; version?: string; description?: string } | false
  /** Log one structured line per request through `engine.logger.info`. @default false */
  logRequests?: boolean
  /**
   * Called for every error answer with its error id, code, status, category and severity (core's
   * `classifyError`) and the request (method, path, request id, client address): send it to your error
   * tracker. It must not throw. @default undefined
   */
  onError?: ErrorReporter
  /**
   * Put the real message and stack of unexpected errors into responses (`details.stack`). Never in production.
   * @default false
   */
  debug?: boolean
  /**
   * Adds fields to the context of every request (after the transport's own), e.g. a tenant from a header.
   * `path` is the route's path under the base path (`/render`), whatever the mount.
   * @default undefined
   */
  context?: (request: { headers: Record<string, string | undefined>; path: string }) => Partial<IxpContext>
  /**
   * Wraps every request, on every adapter (tracing's HTTP server spans, timing, …): call `next()` to let the
   * handler answer, or `next(replacement)` to answer a modified copy of the request. The third argument names the
   * route the request matched. With it set, node-based adapters build a web `Request` per request (slower).
   * @default undefined
   */
  around?: AroundHandler
}

/** See {@link HttpHandlerOptions.around}. */
export type AroundHandler = (
  request: Request,
  next: (request?: Request) => Promise<Response>,
  info: AroundInfo,
) => Promise<Response>

/** What `around` learns about a request before it is answered. */
export interface AroundInfo {
  /**
   * The matched route with the base path (`/ixp/render`), built-in or added by a plugin; undefined for unknown
   * paths. Its values are bounded by the route table (fit for a metric label or `http.route`).
   */
  route: string | undefined
}

export interface ResolvedCors {
  allow: (origin: string) => boolean
  /** Echo the origin (credentials or a list) rather than sending `*`. */
  wildcard: boolean
  credentials: boolean
  methods: string
  allowedHeaders: string
  exposedHeaders: string | undefined
  maxAge: string | undefined
  origins: string[] | '*' | 'function'
}

export interface ResolvedOptions {
  basePath: string
  bodyLimit: number
  maxJsonDepth: number
  cors: ResolvedCors | undefined
  securityHeaders: Record<string, string>
  requestIdHeader: string | undefined
  /** The caller's generator; undefined for the default one. */
  generateRequestId: (() => string) | undefined
  metrics: { enabled: boolean; endpoint: string; provider: MetricsProvider | undefined }
  crawler: { sources: CrawlerSource[]; provider: CrawlerProvider | undefined }
  theme: Record<string, unknown>
  serviceName: string
  serviceVersion: string
  openapi: { title: string; version: string; description?: string } | undefined
  logRequests: boolean
  onError: ErrorReporter | undefined
  debug: boolean
  context: HttpHandlerOptions['context']
  around: AroundHandler | undefined
}

const DEFAULT_CORS = {
  origins: ['http://localhost:3000'] as CorsOptions['origins'],
  credentials: true,
  methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
  allowedHeaders: ['Content-Type', 'Authorization'],
  exposedHeaders: [] as string[],
  maxAge: undefined as number | undefined,
}

const DEFAULTS = {
  basePath: '/ixp',
  bodyLimit: 1_048_576,
  maxJsonDepth: 64,
  serviceName: 'IXP Server',
  serviceVersion: '1.0.0',
  logRequests: false,
  debug: false,
}

function reporterOf(value: unknown): ErrorReporter | undefined {
  if (value === undefined || typeof value === 'function') return value as ErrorReporter | undefined
  throw httpError('HTTP_INVALID_OPTIONS', { problem: 'onError must be a function (report) => void' })
}

// Header names and values must survive every transport unchanged.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

function normalizeBasePath(basePath: string): string {
  if (basePath === '' || basePath === '/') return ''
  if (!basePath.startsWith('/'))
    throw httpError('HTTP_INVALID_OPTIONS', { problem: `basePath must start with '/' (got '${basePath}')` })
  if (/[?#\s]/.test(basePath))
    throw httpError('HTTP_INVALID_OPTIONS', {
      problem: 'basePath must be a plain path without query, fragment or spaces',
    })
  return basePath.replace(/\/+$/, '').toLowerCase()
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw httpError('HTTP_INVALID_OPTIONS', { problem: `${name} must be a positive integer (got ${value})` })
  return value
}

function resolveCors(cors: CorsOptions | false | undefined): ResolvedCors | undefined {
  if (cors === false) return undefined
  const merged = { ...DEFAULT_CORS, ...cors }
  const { origins } = merged
  let allow: (origin: string) => boolean
  if (origins === '*') {
    allow = () => true
  } else if (typeof origins === 'function') {
    allow = (origin) => {
      try {
        return origins(origin) === true
      } catch {
        return false
      }
    }
  } else if (Array.isArray(origins) && origins.every((origin) => typeof origin === 'string')) {
    const set = new Set(origins)
    allow = (origin) => set.has(origin)
  } else {
    throw httpError('HTTP_INVALID_OPTIONS', {
      problem: "cors.origins must be an array of origin strings, '*' or a function",
    })
  }
  for (const key of ['methods', 'allowedHeaders', 'exposedHeaders'] as const) {
    const list = merged[key]
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && TOKEN.test(item))) {
      throw httpError('HTTP_INVALID_OPTIONS', {
        problem: `cors.${key} must be an array of header or method names`,
      })
    }
  }
  if (merged.maxAge !== undefined && (!Number.isSafeInteger(merged.maxAge) || merged.maxAge < 0)) {
    throw httpError('HTTP_INVALID_OPTIONS', {
      problem: 'cors.maxAge must be a non-negative integer number of seconds',
    })
  }
  return {
    allow,
    wildcard: origins === '*' && !merged.credentials,
    credentials: merged.credentials === true,
    methods: merged.methods.join(','),
    allowedHeaders: merged.allowedHeaders.join(','),
    exposedHeaders: merged.exposedHeaders.length > 0 ? merged.exposedHeaders.join(',') : undefined,
    maxAge: merged.maxAge === undefined ? undefined : String(merged.maxAge),
    origins: typeof origins === 'function' ? 'function' : origins === '*' ? '*' : [...origins],
  }
}

function resolveSecurityHeaders(option: HttpHandlerOptions['securityHeaders']): Record<string, string> {
  if (option === false) return {}
  const headers: Record<string, string> = { ...DEFAULT_SECURITY_HEADERS }
  if (option === true || option === undefined) return headers
  for (const [name, value] of Object.entries(option)) {
    const key = name.toLowerCase()
    if (!TOKEN.test(key))
      throw httpError('HTTP_INVALID_OPTIONS', {
        problem: `securityHeaders: '${name}' is not a valid header name`,
      })
    if (value === false) {
      delete headers[key]
    } else if (typeof value === 'string' && HEADER_VALUE.test(value)) {
      headers[key] = value
    } else {
      throw httpError('HTTP_INVALID_OPTIONS', {
        problem: `securityHeaders.${name} must be a header value string or false`,
      })
    }
  }
  return headers
}

/** Applies the defaults and checks every option; throws `HTTP_INVALID_OPTIONS` naming the bad one. */
export function resolveOptions(options: HttpHandlerOptions = {}): ResolvedOptions {
  const merged = { ...DEFAULTS, ...options }
  const requestId = options.requestId === false ? undefined : { header: 'x-request-id', ...options.requestId }
  if (requestId && !TOKEN.test(requestId.header))
    throw httpError('HTTP_INVALID_OPTIONS', { problem: 'requestId.header must be a header name' })
  const metrics = { enabled: true, endpoint: '/metrics', ...options.metrics }
  if (!metrics.endpoint.startsWith('/'))
    throw httpError('HTTP_INVALID_OPTIONS', { problem: "metrics.endpoint must start with '/'" })
  if (options.around !== undefined && typeof options.around !== 'function') {
    throw httpError('HTTP_INVALID_OPTIONS', {
      problem: 'around must be a function (request, next) => Promise<Response>',
    })
  }
  if (metrics.provider !== undefined && typeof metrics.provider !== 'function') {
    throw httpError('HTTP_INVALID_OPTIONS', { problem: 'metrics.provider must be a function' })
  }
  const sources = options.crawler?.sources ?? []
  const names = new Set<string>()
  for (const source of sources) {
    if (typeof source?.name !== 'string' || source.name === '' || typeof source.list !== 'function') {
      throw httpError('HTTP_INVALID_OPTIONS', {
        problem: 'every crawler source needs a non-empty name and a list(query, ctx) function',
      })
    }
    if (names.has(source.name))
      throw httpError('HTTP_INVALID_OPTIONS', { problem: `two crawler sources are named '${source.name}'` })
    names.add(source.name)
  }
  const provider = options.crawler?.provider
  if (provider !== undefined && typeof provider !== 'function')
    throw httpError('HTTP_INVALID_OPTIONS', { problem: 'crawler.provider must be a function' })
  const openapi =
    options.openapi === false ? undefined : { title: 'IXP API', version: '1.0.0', ...options.openapi }
  return {
    basePath: normalizeBasePath(merged.basePath),
    bodyLimit: positiveInteger('bodyLimit', merged.bodyLimit),
    maxJsonDepth: positiveInteger('maxJsonDepth', merged.maxJsonDepth),
    cors: resolveCors(options.cors),
    securityHeaders: resolveSecurityHeaders(options.securityHeaders),
    requestIdHeader: requestId?.header.toLowerCase(),
    generateRequestId: requestId?.generate,
    metrics: {
      enabled: metrics.enabled !== false,
      endpoint: metrics.endpoint.replace(/\/+$/, '').toLowerCase() || '/metrics',
      provider: metrics.provider,
    },
    crawler: { sources: [...sources], provider },
    theme: options.theme ?? DEFAULT_THEME,
    serviceName: merged.serviceName,
    serviceVersion: merged.serviceVersion,
    openapi,
    logRequests: merged.logRequests === true,
    onError: reporterOf(options.onError),
    debug: merged.debug === true,
    context: options.context,
    around: options.around,
  }
}
