/**
 * What the adapters of this package share and users should not rely on. The entries are reached through
 * registered symbols so that two bundled copies of the package (ESM and CJS) still understand each other.
 */
import type { TransportRequest, TransportResponse } from './exchange.js'
import type { HttpNodeUpgrade, HttpUpgradeResult } from './plugin-hooks.js'

/** @internal */
export const DISPATCH: unique symbol = Symbol.for('@ixp/plugin-http.dispatch')

/** @internal Answers one transport-neutral request — at once when no step had to wait; never throws or rejects. */
export type Dispatcher = (request: TransportRequest) => TransportResponse | Promise<TransportResponse>

/** @internal The handler's body limit in bytes (the node adapter reads bodies up to it before dispatching). */
export const BODY_LIMIT: unique symbol = Symbol.for('@ixp/plugin-http.body-limit')

/** @internal Set on handlers whose `fetch` is wrapped by `around`: adapters must go through {@link SERVE} then. */
export const WRAPPED: unique symbol = Symbol.for('@ixp/plugin-http.wrapped')

/** @internal Answers a transport request through `around` (as `fetch` does); never rejects. */
export const SERVE: unique symbol = Symbol.for('@ixp/plugin-http.serve')

/** @internal Offers an upgrade to the `upgrade` taps; rejects when a tap throws. */
export const UPGRADE: unique symbol = Symbol.for('@ixp/plugin-http.upgrade')

/** @internal The JSON error answer (with the handler's headers) for a request the dispatcher did not see. */
export const REFUSE: unique symbol = Symbol.for('@ixp/plugin-http.refuse')

export type Serve = (request: TransportRequest) => Promise<Response>
export type OfferUpgrade = (request: TransportRequest, node?: HttpNodeUpgrade) => Promise<HttpUpgradeResult>
export type Refuse = (request: TransportRequest, error: unknown) => TransportResponse

/** @internal The client address of a web request an adapter built (plain `fetch` callers have none). */
export const clientAddresses = new WeakMap<Request, string>()
