/**
 * The `realtime()` plugin: starts a {@link RealtimeServer} for the engine it is applied to (with the Redis bus
 * when `redis` is given), serves its endpoints through plugin-http's hooks, and offers the server API
 * (broadcast, sendToUser, connections).
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Engine, IxpPlugin } from '@ixp/core'
import type { RealtimeBus } from './bus.js'
import { invalidOptions, realtimeError } from './errors.js'
import { wireHttp } from './http.js'
import { resolveOptions, type ConnectionInfo, type RealtimeOptions } from './options.js'
import { RedisBus } from './redis-bus.js'
import { RealtimeServer } from './server.js'

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
  /** This instance's connections. */
  connections(): ConnectionInfo[]
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
      const bus: RealtimeBus | undefined =
        settings.redis === undefined
          ? undefined
          : new RedisBus(settings.redis, settings.channel, engine.logger)
      const started = new RealtimeServer({ engine, options: settings, ...(bus ? { bus } : {}) })
      server = started
      try {
        await started.start()
      } catch (error) {
        await started.close()
        throw error
      }
      wireHttp(engine, started)
      return () => started.close()
    },
    broadcast: (room, event, data) => running().broadcast(room, event, data),
    broadcastAll: (event, data) => running().broadcastAll(event, data),
    sendToUser: (userId, event, data) => running().sendToUser(userId, event, data),
    connections: () => running().connections(),
    handleUpgrade: (request, socket, head) => running().handleUpgrade(request, socket, head),
  }
}
