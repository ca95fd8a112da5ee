/**
 * @ixp/plugin-realtime — intents over WebSockets (`ixp.v1`, see PROTOCOL.md): render and resolve, live
 * subscriptions re-rendered on invalidation, rooms and events, Server-Sent Events, across instances through Redis.
 */
export { realtime, type RealtimePlugin } from './plugin.js'
export {
  RealtimeServer,
  engineInvalidations,
  type BusKind,
  type InvalidationSource,
  type RealtimeServerDeps,
} from './server.js'
export { resolveOptions } from './options.js'
export type { ClusterConnectionInfo } from './census.js'
export type { ConnectionInfo, RealtimeLimits, RealtimeOptions, ResolvedOptions } from './options.js'
export { CloseCodes, RealtimeErrorCodes, type CloseCode, type RealtimeErrorCode } from './errors.js'
export {
  SUBPROTOCOL,
  type ClientFrame,
  type ConnectionInitPayload,
  type EventPayload,
  type RenderBody,
  type ResolveBody,
  type ServerFrame,
} from './protocol.js'
export type { ErrorObject, RenderAnswer } from './answers.js'
export type { BusMessage, RealtimeBus } from './bus.js'
export { RedisBus } from './redis-bus.js'
export type { PeerRequest } from './peer.js'
export type { BunServer, BunSocket, BunSocketData, BunWebSocketHandlers } from './bun.js'
