/**
 * The `realtime()` plugin: starts a {@link RealtimeServer} for the engine it is applied to, serves its endpoints
 * through plugin-http's hooks, and offers the server API (broadcast, sendToUser, connections).
 *
 * Its bus to other instances is chosen once every plugin is applied (a `ready` tap; at once when installed on a
 * ready engine), so the order plugins are installed in does not matter: the bus another plugin offers through
 * `sharedBus` (plugin-cache's Redis store), else its own Redis connections (`redis`), else none (one instance).
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type Engine, type IxpPlugin } from '@ixp/core'
import { sharedBus } from '@ixp/core/plugin-kit'
import { invalidOptions, realtimeError } from './errors.js'
import type { ClusterConnectionInfo } from './census.js'
import { wireHttp } from './http.js'
import { resolveOptions, type ConnectionInfo, type RealtimeOptions, type ResolvedOptions } from './options.js'
import { RedisBus } from './redis-bus.js'
import { RealtimeServer } from './server.js'
import { SharedRealtimeBus } from './shared-bus.js'

const NAME = '@ixp/plugin-realtime'
const VERSION = '0.1.0'

/** The plugin, and the realtime server API of the engine it was applied to. */
export interface RealtimePlugin extends IxpPlugin {
  /** Sends `{ type: 'event', payload: { room, event, data } }` to everyone in `room`, on every instance. */
  broadcast(room: string, event: string, data: unknown): number
  /** Sends an event to every connection, on every instance. */
  broadcastAll(event: string, data: unknown): number
  /** Sends an event to every connection of the user `userId`, on every instance. */
  sendToUser(userId: string, event: string, data: unknown): number
  /** This instance's connections (each instance holds its own; see `clusterConnections`). */
  connections(): ConnectionInfo[]
  /**
   * Every instance's connections, asked over the bus: those that answer within `timeoutMs` (the call always
   * waits that long), without `user`. This instance's at once when it has no bus. @default timeoutMs 500
   */
  clusterConnections(options?: { timeoutMs?: number }): Promise<ClusterConnectionInfo[]>
  /**
   * Runs one Node upgrade request as an `ixp.v1` connection, for a server wired by hand (servers of
   * `@ixp/plugin-http/node` and `attachUpgrades` reach the endpoint through plugin-http's upgrade hook).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void
  /** The running server (after `engine.ready()`). */
  readonly server: RealtimeServer | undefined
}

/** Creates the plugin; options are checked here (throwing `REALTIME_INVALID_OPTIONS`). */
export function realtime(options: RealtimeOptions = {}): RealtimePlugin {
  const settings = resolveOptions(options)
  let server: RealtimeServer | undefined
  const running = (): RealtimeServer => {
    if (server === undefined || server.closing) {
      throw realtimeError('REALTIME_NOT_STARTED')
    }
    return server
  }

  return {
    name: NAME,
    version: VERSION,
    get server() {
      return server
    },
    async apply(engine: Engine) {
      if (server !== undefined) {
        throw invalidOptions('one plugin instance serves one engine')
      }
      const started = new RealtimeServer({ engine, options: settings })
      server = started
      const connect = async () => {
        try {
          await startBus(engine, started, settings)
        } catch (error) {
          await started.close()
          throw error
        }
      }
      if (engine.isReady) await connect()
      else engine.hooks.ready.tapPromise({ name: `${NAME}:bus` }, connect)
      wireHttp(engine, started)
      return () => started.close()
    },
    broadcast: (room, event, data) => running().broadcast(room, event, data),
    broadcastAll: (event, data) => running().broadcastAll(event, data),
    sendToUser: (userId, event, data) => running().sendToUser(userId, event, data),
    connections: () => running().connections(),
    clusterConnections: async (options) => running().clusterConnections(options),
    handleUpgrade: (request, socket, head) => running().handleUpgrade(request, socket, head),
  }
}

/** Starts the server on the bus it should use (see the header comment for the rule). */
async function startBus(engine: Engine, server: RealtimeServer, settings: ResolvedOptions): Promise<void> {
  const offer = settings.shareBus ? engine.extension(sharedBus).current : undefined
  if (offer !== undefined) {
    const bus = new SharedRealtimeBus(offer, engine.logger)
    // The provider relays invalidations already: relaying them again would send each one twice.
    await server.start(bus, 'shared', settings.relayInvalidations && !offer.relaysInvalidations)
    engine.logger.debug(`realtime: across instances on the bus of ${offer.by}`)
    return
  }
  if (settings.redis === undefined) return server.start(undefined)
  await server.start(new RedisBus(settings.redis, settings.channel, engine.logger), 'redis')
}
