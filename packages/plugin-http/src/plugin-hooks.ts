/**
 * plugin-http's own hooks, through which any engine plugin adds HTTP behaviour: routes, connection upgrades
 * (WebSockets), response headers and the metrics route's provider. One set per engine, kept on the engine and
 * created on the first `httpHooks(engine)` call, whether a handler exists yet or not; a handler reads them when it builds its route
 * table (at creation, when the engine becomes ready, and whenever a tap is added or removed). A plugin that taps
 * them costs nothing per request when no handler serves the engine.
 *
 * plugin-http runs the taps itself, one by one (never through tapable's generated `call`), so they also run where
 * code generation from strings is forbidden (workerd) and a route is known by the tap that added it.
 */
// Named imports: tapable is CommonJS with `__esModule` and no default export.
import { SyncBailHook, SyncWaterfallHook } from 'tapable'
import { defineExtension, type Engine, type IxpContext } from '@ixp/core'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { MetricsCollector, MetricsProvider } from './metrics.js'

/** Methods a plugin route may serve (HEAD is answered by GET routes, OPTIONS by every route). */
export type HttpRouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a plugin route's handler receives next to the web `Request`. */
export interface HttpRouteContext {
  /** The engine the handler serves. */
  readonly engine: Engine
  /** The request's IXP context, built as for the built-in routes (requestId, ip, headers, signal, query…). */
  readonly context: IxpContext
  /** The handler's base path (`''` at the root), e.g. to build links. */
  readonly basePath: string
  /** The handler's built-in request metrics. */
  readonly metrics: MetricsCollector
}

/** An OpenAPI 3.1 operation object (`summary`, `description`, `parameters`, `requestBody`, `responses`, …). */
export interface HttpRouteOpenApi {
  summary?: string
  description?: string
  /** Responses by status; when absent the route is listed with a generic 200. */
  responses?: Record<string, unknown>
  [field: string]: unknown
}

/** A route a plugin adds through `httpHooks(engine).routes`. */
export interface HttpRoute {
  method: HttpRouteMethod
  /** Path under the handler's base path (`/health`), matched exactly, case-insensitively, trailing slash ignored. */
  path: string
  /**
   * Answers the request. Thrown errors become the JSON error body (an `IxpError` keeps its code and status). The
   * answer gets the same security, CORS and request-id headers as built-in routes (the handler's own headers win).
   */
  handler: (request: Request, ctx: HttpRouteContext) => Response | Promise<Response>
  /** Describes the route in `GET /openapi.json`; routes without it are not listed. */
  openapi?: HttpRouteOpenApi
  /** Serve instead of a built-in (or earlier plugin) route of the same method and path; without it that is an error. */
  replace?: boolean
}

/** The Node side of an upgrade: what node:http's `'upgrade'` event gives. */
export interface HttpNodeUpgrade {
  readonly request: IncomingMessage
  readonly socket: Duplex
  readonly head: Buffer
}

/** A connection upgrade (`Upgrade: websocket`) offered to `httpHooks(engine).upgrade`. */
export interface HttpUpgrade {
  /** The path under the base path, lower-cased, trailing slash dropped (as routes match). */
  readonly path: string
  /** The upgrade request as a web `Request` (method, URL, headers; no body). */
  readonly request: Request
  /** The request's IXP context (requestId, ip, headers, query), as a route would get it. */
  readonly context: IxpContext
  readonly engine: Engine
  readonly basePath: string
  /** On Node (`@ixp/plugin-http/node` servers and `attachUpgrades`): the socket to take over. Absent elsewhere. */
  readonly node?: HttpNodeUpgrade
}

/**
 * A tap's answer to an upgrade: `undefined` — not mine; `true` — handled (Node: the tap took the socket); a
 * `Response` — sent as the answer (web runtimes: e.g. `Deno.upgradeWebSocket(request).response`; on Node a
 * refusal such as a 401 is written to the socket, which is then closed).
 */
export type HttpUpgradeResult = true | Response | undefined

/** What `httpHooks(engine).response` taps learn about an answer. */
export interface HttpResponseInfo {
  readonly method: string
  /** The request path as sent (without query). */
  readonly path: string
  /** The matched route's path under the base path (`/render`); undefined for unknown paths. */
  readonly route: string | undefined
  readonly status: number
  readonly requestId: string | undefined
}

/**
 * The response headers a `response` tap receives and returns: lower-case names to values. Add, change or delete
 * entries; the answer is sent with what the last tap returns.
 */
export type HttpResponseHeaders = Record<string, string>

/** What the `routes` taps learn about the handler building its table. */
export interface HttpRoutesInfo {
  readonly engine: Engine
  readonly basePath: string
  /** Where the metrics route is (`/metrics`), or undefined when it is disabled. */
  readonly metricsEndpoint: string | undefined
}

/** plugin-http's hooks of one engine. Every tap must be named (the plugin's name). */
export interface HttpHooks {
  /** Sync waterfall: push routes onto the list and return it. Read when a handler builds its route table. */
  readonly routes: SyncWaterfallHook<[HttpRoute[], HttpRoutesInfo]>
  /** Sync bail: the first tap that returns `true` or a `Response` takes the upgrade. */
  readonly upgrade: SyncBailHook<[HttpUpgrade], HttpUpgradeResult>
  /** Sync waterfall over every answer's headers (errors and refused upgrades included; not what upgrade taps answer). */
  readonly response: SyncWaterfallHook<[HttpResponseHeaders, HttpResponseInfo]>
  /**
   * Sync waterfall: the metrics route's provider. Starts from the handler's `metrics.provider` option (undefined
   * when not set); a plugin returns its own when it gets undefined (plugin-tracing serves Prometheus text so).
   */
  readonly metricsProvider: SyncWaterfallHook<[MetricsProvider | undefined]>
}

/**
 * Where an engine keeps its HTTP hooks, and the hooks their handlers' "rebuild your table" callbacks. The hooks
 * are a core extension (so `engine.unuse(plugin)` removes the plugin's taps, as on the engine's own hooks), also
 * reachable under a registered symbol of this package: an application may load this package twice (ESM and CJS
 * builds, or a config file compiled by another loader, as `ixp serve` does for TypeScript configs), and a plugin
 * tapping one copy's hooks must reach a handler made by the other.
 */
const HOOKS: unique symbol = Symbol.for('@ixp/plugin-http.hooks')
const TAP_ADDED: unique symbol = Symbol.for('@ixp/plugin-http.hooks.tap-added')

interface HooksHolder {
  [HOOKS]?: HttpHooks
}

type WithListeners = HttpHooks & { readonly [TAP_ADDED]: Set<() => void> }

function createHooks(): HttpHooks {
  const changed = new Set<() => void>()
  const hooks: WithListeners = Object.freeze({
    routes: new SyncWaterfallHook<[HttpRoute[], HttpRoutesInfo]>(['routes', 'info']),
    upgrade: new SyncBailHook<[HttpUpgrade], HttpUpgradeResult>(['upgrade']),
    response: new SyncWaterfallHook<[HttpResponseHeaders, HttpResponseInfo]>(['headers', 'info']),
    metricsProvider: new SyncWaterfallHook<[MetricsProvider | undefined]>(['provider']),
    [TAP_ADDED]: changed,
  })
  for (const hook of [hooks.routes, hooks.upgrade, hooks.response, hooks.metricsProvider]) {
    ;(hook as { intercept(interceptor: object): void }).intercept({
      register: (tap: unknown) => {
        // The tap is inserted after this returns: handlers only mark their table stale here.
        for (const stale of changed) stale()
        return tap
      },
    })
  }
  return hooks
}

const HTTP_HOOKS = defineExtension('@ixp/plugin-http.hooks', createHooks)

/** The HTTP hooks of an engine, created on first use. Tap them from a plugin's `apply(engine)`. */
export function httpHooks(engine: Engine): HttpHooks {
  const holder = engine as unknown as HooksHolder
  let hooks = holder[HOOKS]
  if (hooks === undefined) {
    hooks = engine.extension(HTTP_HOOKS)
    Object.defineProperty(holder, HOOKS, { value: hooks })
  }
  return hooks
}

/** @internal Calls `stale` whenever a tap is added to one of the hooks. */
export function onTapAdded(hooks: HttpHooks, stale: () => void): void {
  ;(hooks as WithListeners)[TAP_ADDED].add(stale)
}

/** A tap as tapable keeps it (sorted by stage and `before`). */
export interface TapOf<F> {
  readonly name: string
  readonly type: string
  readonly fn: F
}

/** @internal The hook's taps in the order tapable runs them. */
export function tapsOf<F>(hook: { taps: unknown[] }): readonly TapOf<F>[] {
  return hook.taps as TapOf<F>[]
}
