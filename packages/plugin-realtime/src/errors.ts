/**
 * The plugin's error table (each code once, with its HTTP-style status and message template) and the WebSocket
 * close codes of `ixp.v1`: the only place a status or a close code is written. `INVALID_REQUEST` and
 * `INTENT_NOT_SUPPORTED` are the core's shared codes, not re-declared here.
 */
import { coreError, defineErrors, IxpError } from '@ixp/core'

const REALTIME_ERRORS = {
  /** A frame that is not JSON, not an object, of an unknown type, or with a malformed field. */
  INVALID_MESSAGE: { status: 400, message: '{problem}' },
  /** `connection_init` without credentials (or with refused ones) while `anonymous` is `false`. */
  NOT_ACKNOWLEDGED: { status: 401, message: 'Credentials are required' },
  /** A room the caller may not join (`authorizeRoom` said no, or joining rooms is not enabled). */
  ROOM_FORBIDDEN: { status: 403, message: "Not allowed to join room '{room}'{hint}" },
  /** More operations per second than `limits.operationsPerSecond`. */
  REALTIME_RATE_LIMITED: {
    status: 429,
    message: 'More than {operationsPerSecond} frames per second; slow down',
  },
  /** More live subscriptions on one socket than `limits.subscriptions`. */
  TOO_MANY_SUBSCRIPTIONS: {
    status: 429,
    message: 'A socket may hold {limit} live subscriptions; complete one first',
  },
  /** More rooms joined by one socket than `limits.rooms`. */
  TOO_MANY_ROOMS: { status: 429, message: 'A socket may be in {limit} rooms; leave one first' },
  /** A WebSocket upgrade in a runtime whose fetch handler cannot accept one (Bun: use its own `websocket`). */
  REALTIME_UNSUPPORTED_RUNTIME: {
    status: 501,
    message:
      'This runtime takes no WebSocket from a fetch handler: on Bun use server.bunUpgrade and server.bunWebSocket',
  },
  /** The server is shutting down. */
  REALTIME_CLOSING: { status: 503, message: 'The server is not taking more live connections' },
  /** The plugin's server API was used before `engine.ready()` applied the plugin, or after `close()`. */
  REALTIME_NOT_STARTED: {
    status: 500,
    message:
      '@ixp/plugin-realtime: the realtime server is not running; install the plugin and await engine.ready() first',
  },
  /** An option of `realtime()` is invalid (raised when the plugin is created), or one plugin got two engines. */
  REALTIME_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-realtime: {problem}' },
} as const

/** Builds this plugin's errors from its table. */
export const realtimeError = defineErrors(REALTIME_ERRORS)

/** A code of this plugin's own table. */
export type RealtimeErrorCode = keyof typeof REALTIME_ERRORS

/** Every error code the plugin raises with its HTTP-style status: its own, and the shared `INVALID_REQUEST`. */
export const RealtimeErrorCodes = Object.freeze({
  ...realtimeError.statuses,
  /** The Server-Sent Events endpoint got a request body it cannot use (the core's code). */
  INVALID_REQUEST: coreError.statuses.INVALID_REQUEST,
})

/** `REALTIME_INVALID_OPTIONS` naming what to fix. */
export function invalidOptions(problem: string): IxpError {
  return realtimeError('REALTIME_INVALID_OPTIONS', { problem })
}

/** WebSocket close codes (RFC 6455 ones, and the 44xx range `graphql-transport-ws` uses). */
export const CloseCodes = {
  /** The server is shutting down (or the client went away). */
  GOING_AWAY: 1001,
  /** A frame larger than `limits.maxFrameBytes`. */
  MESSAGE_TOO_BIG: 1009,
  /** An unexpected server failure. */
  INTERNAL_ERROR: 1011,
  /** `connection_init` was sent more than once. */
  TOO_MANY_INIT: 4429,
  /** Too many malformed frames (`limits.maxInvalidMessages`). */
  BAD_REQUEST: 4400,
  /** Credentials missing or refused. */
  UNAUTHORIZED: 4401,
  /** Valid credentials, but not allowed to connect. */
  FORBIDDEN: 4403,
  /** The client did not offer the `ixp.v1` subprotocol. */
  SUBPROTOCOL_NOT_ACCEPTABLE: 4406,
  /** No `connection_init` within `connectionInitTimeoutMs`. */
  INIT_TIMEOUT: 4408,
  /** An operation id already active on the socket. */
  DUPLICATE_ID: 4409,
  /** The client does not read fast enough (`limits.maxBufferedBytes`). */
  SLOW_CONSUMER: 4413,
  /** No pong to the server's heartbeat within `heartbeatMs`. */
  HEARTBEAT_TIMEOUT: 4504,
} as const

export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes]
