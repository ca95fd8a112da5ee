/**
 * What the adapters of this package share and users should not rely on. The dispatcher is reached through a
 * registered symbol so that two bundled copies of the package (ESM and CJS) still understand each other.
 */
import type { TransportRequest, TransportResponse } from './exchange.js'

/** @internal */
export const DISPATCH: unique symbol = Symbol.for('@ixp/plugin-http.dispatch')

/** @internal Answers one transport-neutral request; never rejects. */
export type Dispatcher = (request: TransportRequest) => Promise<TransportResponse>

/** @internal Set on handlers whose `fetch` is wrapped by `around`: adapters must go through `fetch` then. */
export const WRAPPED: unique symbol = Symbol.for('@ixp/plugin-http.wrapped')

/** @internal The client address of a web request an adapter built (plain `fetch` callers have none). */
export const clientAddresses = new WeakMap<Request, string>()
