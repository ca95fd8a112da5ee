/**
 * What plugins contribute to one handler — the route table (built-in routes plus plugin routes), the metrics
 * route's provider and whether answers are decorated — re-read whenever it may have changed: a tap added (the
 * hooks report it), a tap removed (the hook's tap list is replaced), a plugin applied.
 */
import { Stage, type Engine } from '@ixp/core'
import type { MetricsProvider } from './metrics.js'
import {
  onTapAdded,
  tapsOf,
  type HttpHooks,
  type HttpRouteContext,
  type HttpRoutesInfo,
} from './plugin-hooks.js'
import type { RouteHandler } from './route-kit.js'
import { buildRouteTable, type Route, type RouteTable } from './route-table.js'

export class Contributions {
  /** The table by path under the base path. */
  table: RouteTable = { routes: new Map(), listed: [] }
  /** The same routes by full path (base path included): requests almost always spell a route exactly so. */
  exact = new Map<string, Route>()
  metricsProvider: MetricsProvider | undefined
  /** Whether some plugin taps `response`. */
  decorate = false
  #stale = true
  #seenRoutes: unknown[] = []
  #seenResponse: unknown[] = []
  #seenProvider: unknown[] = []
  readonly #hooks: HttpHooks

  constructor(
    engine: Engine,
    hooks: HttpHooks,
    private readonly builtIn: () => Record<string, Record<string, RouteHandler>>,
    private readonly info: HttpRoutesInfo,
    private readonly scope: Omit<HttpRouteContext, 'context'>,
    private readonly givenProvider: MetricsProvider | undefined,
  ) {
    this.#hooks = hooks
    this.metricsProvider = givenProvider
    const markStale = () => (this.#stale = true)
    onTapAdded(hooks, markStale)
    engine.events.on('plugin:installed', markStale)
    // Routes tapped by plugins applied in `ready()` are checked there: a clash stops the engine from starting.
    engine.hooks.ready.tap({ name: '@ixp/plugin-http', stage: Stage.OBSERVE_LAST }, () => {
      if (this.stale) this.refresh()
    })
  }

  get stale(): boolean {
    const hooks = this.#hooks
    return (
      this.#stale ||
      hooks.routes.taps !== this.#seenRoutes ||
      hooks.response.taps !== this.#seenResponse ||
      hooks.metricsProvider.taps !== this.#seenProvider
    )
  }

  /** Re-reads the hooks; throws `HTTP_ROUTE_CONFLICT` / `HTTP_INVALID_ROUTE` for a plugin route at fault. */
  refresh(): void {
    const hooks = this.#hooks
    this.#stale = false
    this.#seenRoutes = hooks.routes.taps
    this.#seenResponse = hooks.response.taps
    this.#seenProvider = hooks.metricsProvider.taps
    const table = buildRouteTable(this.builtIn(), hooks, this.info, this.scope)
    let provider = this.givenProvider
    for (const tap of tapsOf<(given: MetricsProvider | undefined) => MetricsProvider | undefined>(
      hooks.metricsProvider,
    )) {
      provider = tap.fn(provider)
    }
    const exact = new Map<string, Route>()
    for (const [path, route] of table.routes) exact.set(`${this.info.basePath}${path}`, route)
    this.table = table
    this.exact = exact
    this.metricsProvider = provider
    this.decorate = hooks.response.taps.length > 0
  }
}
