/**
 * `federation()`: the gateway plugin. At start it connects to every service, fetches its intent and component
 * lists and registers them (a clash is a start-up error), then keeps them fresh (`refreshMs`, and at once
 * when a NATS service announces a change). Renders of remote intents are forwarded from `beforeHandler`
 * (after the gateway's auth, rate limits and cache), free text the gateway cannot resolve is asked of the
 * services, and each service has its own health check.
 */
// This plugin declares its `core` range: plugin-kit installs the check `use()` runs on it.
import '@ixp/core/plugin-kit'
import { Stage, type Engine, type IxpPlugin } from '@ixp/core'
import { RemoteCatalog } from './catalog.js'
import { renderRemote } from './forward-render.js'
import { resolveRemote } from './forward-resolve.js'
import { resolveOptions, type FederationOptions, type ResolvedOptions } from './options.js'
import { RemoteService } from './remote-service.js'

export const PLUGIN_NAME = '@ixp/plugin-federation'
const PLUGIN_VERSION = '0.1.0'

/** A change announced by a NATS service is followed after this quiet time (replicas announce together). */
const CHANGE_DEBOUNCE_MS = 50

/** The plugin `federation()` returns. */
export interface FederationPlugin extends IxpPlugin {
  /** Each service's state now (what the health checks report), by name. */
  status(): Record<string, ReturnType<RemoteService['health']>>
  /** Fetches every service's lists again now (what `refreshMs` does). */
  refresh(): Promise<void>
}

export function federation(options: FederationOptions): FederationPlugin {
  const settings: ResolvedOptions = resolveOptions(options)
  let services: RemoteService[] = []
  let refreshAll: () => Promise<void> = async () => {}

  return {
    name: PLUGIN_NAME,
    version: PLUGIN_VERSION,
    core: '^0.1.0',
    status() {
      return Object.fromEntries(services.map((service) => [service.name, service.health()]))
    },
    refresh() {
      return refreshAll()
    },
    async apply(engine: Engine) {
      const catalog = new RemoteCatalog(engine, settings.mapIntent)
      const logger = engine.logger
      services = settings.services.map((service) => new RemoteService(service, settings, logger))
      const timers = new Set<ReturnType<typeof setTimeout>>()
      let closed = false

      const refresh = async (service: RemoteService): Promise<void> => {
        try {
          const lists = await service.fetchLists()
          if (!closed) catalog.sync(service, lists, false)
        } catch (error) {
          // Intents stay registered while a service is away: callers get 503, not 404.
          logger.warn('federation: could not refresh a service', {
            service: service.name,
            error: (error as Error).message,
          })
        }
      }
      const pending = new Map<RemoteService, ReturnType<typeof setTimeout>>()
      const onChange = (service: RemoteService) => () => {
        if (closed || pending.has(service)) return
        const timer = setTimeout(() => {
          pending.delete(service)
          timers.delete(timer)
          void refresh(service)
        }, CHANGE_DEBOUNCE_MS)
        pending.set(service, timer)
        timers.add(timer)
      }
      refreshAll = async () => {
        await Promise.all(services.map((service) => refresh(service)))
      }

      const teardown = async () => {
        closed = true
        for (const timer of timers) clearTimeout(timer)
        catalog.clear()
        await Promise.all(services.map((service) => service.close().catch(() => undefined)))
      }

      try {
        await Promise.all(
          services.map(async (service) => {
            try {
              await service.start(onChange(service))
              catalog.sync(service, await service.fetchLists(), true)
            } catch (error) {
              if ((error as { code?: unknown }).code === 'FEDERATION_NAME_CLASH') throw error
              logger.warn('federation: a service is not available at start; its intents come when it does', {
                service: service.name,
                error: (error as Error).message,
              })
            }
          }),
        )
      } catch (error) {
        await teardown()
        throw error
      }

      engine.hooks.beforeHandler.tapPromise(
        // After the cache (a hit answers without calling the service).
        { name: PLUGIN_NAME, stage: Stage.CACHE + 50 },
        async (state) => {
          const remote = catalog.intent(state.intent.name)
          return remote === undefined ? undefined : renderRemote(state, remote)
        },
      )
      engine.hooks.resolve.tapPromise(
        // After the gateway's own resolvers: its exact names and natural-language resolver answer first.
        { name: PLUGIN_NAME, stage: Stage.SEMANTIC + 100 },
        (query, context) => resolveRemote(services, catalog, query, context, logger),
      )
      const removeChecks = services.map((service) =>
        engine.registerHealthCheck(`federation:${service.name}`, () => service.health()),
      )
      const retryMissing = () => {
        for (const service of services) {
          // A service absent at start has not connected: try again.
          if (service.state === 'down' && service.transport.kind === 'nats') {
            void service
              .start(onChange(service))
              .then(() => refresh(service))
              .catch(() => undefined)
          }
        }
      }
      if (settings.refreshMs > 0) {
        const interval = setInterval(() => {
          retryMissing()
          void refreshAll()
        }, settings.refreshMs)
        interval.unref?.()
        timers.add(interval)
      }
      return async () => {
        for (const remove of removeChecks) remove()
        await teardown()
      }
    },
  }
}
