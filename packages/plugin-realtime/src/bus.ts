import type { ClusterConnectionInfo } from './census.js'

/**
 * What instances tell each other: room broadcasts, messages to a user, messages to everyone, invalidations, and
 * the census of `clusterConnections()`. One instance needs no bus (delivery is local); several share one
 * through Redis (a bus another plugin offers, or {@link RedisBus}).
 */
export type BusMessage =
  | { kind: 'room'; room: string; event: string; data: unknown }
  | { kind: 'all'; event: string; data: unknown }
  | { kind: 'user'; userId: string; event: string; data: unknown }
  | { kind: 'invalidate'; tags: string[]; intents: string[] }
  | { kind: 'census'; request: string }
  | { kind: 'census-reply'; request: string; connections: ClusterConnectionInfo[] }

export interface RealtimeBus {
  /** Sends to every other instance (an instance never receives its own messages). */
  publish(message: BusMessage): void
  /** Starts receiving; resolves once the bus listens. */
  start(listener: (message: BusMessage) => void): Promise<void>
  close(): Promise<void>
}

/** Checks a message read from the wire (another instance, or anything else publishing on the channel). */
export function isBusMessage(value: unknown): value is BusMessage {
  if (typeof value !== 'object' || value === null) return false
  const message = value as Record<string, unknown>
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string')
  switch (message.kind) {
    case 'room':
      return typeof message.room === 'string' && typeof message.event === 'string'
    case 'all':
      return typeof message.event === 'string'
    case 'user':
      return typeof message.userId === 'string' && typeof message.event === 'string'
    case 'invalidate':
      return strings(message.tags) && strings(message.intents)
    case 'census':
      return typeof message.request === 'string'
    case 'census-reply':
      return (
        typeof message.request === 'string' &&
        Array.isArray(message.connections) &&
        message.connections.every(isClusterConnection)
      )
    default:
      return false
  }
}

function isClusterConnection(value: unknown): value is ClusterConnectionInfo {
  if (typeof value !== 'object' || value === null) return false
  const info = value as Record<string, unknown>
  return (
    typeof info.id === 'string' &&
    typeof info.instance === 'string' &&
    Array.isArray(info.rooms) &&
    info.rooms.every((room) => typeof room === 'string') &&
    typeof info.subscriptions === 'number' &&
    typeof info.connectedAt === 'number' &&
    (info.transport === 'ws' || info.transport === 'sse')
  )
}
