/**
 * What the adapters of this package share and users should not rely on. The dispatcher is reached through a
 * registered symbol so that two bundled copies of the package (ESM and CJS) still understand each other.
 */
import type { TransportRequest, TransportResponse } from './exchange.js'

/** @internal */
export const DISPATCH: unique symbol = Symbol.for('@ixp/plugin-http.dispatch')

/** @internal Answers one transport-neutral request — at once when no step had to wait; never throws or rejects. */
export type Dispatcher = (request: TransportRequest) => TransportResponse | Promise<TransportResponse>

/** @internal The handler's body limit in bytes (the node adapter reads bodies up to it before dispatching). */
export const BODY_LIMIT: unique symbol = Symbol.for('@ixp/plugin-http.body-limit')

/** @internal Set on handlers whose `fetch` is wrapped by `around`: adapters must go through `fetch` then. */
export const WRAPPED: unique symbol = Symbol.for('@ixp/plugin-http.wrapped')

/** @internal The client address of a web request an adapter built (plain `fetch` callers have none). */
export const clientAddresses = new WeakMap<Request, string>()
