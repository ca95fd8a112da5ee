/**
 * @ixp/client — a small typed IXP client: `render` and `resolve` over fetch; live subscriptions, rooms and events
 * over the `ixp.v1` WebSocket protocol, with reconnection (exponential backoff and jitter) and re-subscription.
 * No Node built-ins: it runs in browsers, Node, Deno and Bun.
 */
export { createClient, type ClientOptions, type IxpClient } from './client.js'
export { backoffDelay, type ReconnectOptions } from './backoff.js'
export { ClientErrorCodes, IxpClientError } from './errors.js'
export type { ConnectionState, SubscriptionSink, WebSocketConstructor, WebSocketLike } from './socket.js'
export type {
  ElementNode,
  ErrorObject,
  RenderAnswer,
  RenderBody,
  RenderNode,
  ResolveAnswer,
  ResolveRequest,
} from './types.js'
