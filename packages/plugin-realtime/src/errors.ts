/**
 * The plugin's error codes (each with its HTTP-style status) and the WebSocket close codes of `ixp.v1`. The only
 * place a status or a close code is written.
 */
import { IxpError } from '@ixp/core'

export const RealtimeErrorCodes = {
  /** A frame that is not JSON, not an object, of an unknown type, or with a malformed field. */
  INVALID_MESSAGE: 400,
  /** An operation frame arrived before `connection_ack`. */
  NOT_ACKNOWLEDGED: 401,
  /** A room the caller may not join (`authorizeRoom` said no). */
  ROOM_FORBIDDEN: 403,
  /** More operations per second than `limits.operationsPerSecond`. */
  REALTIME_RATE_LIMITED: 429,
  /** More live subscriptions on one socket than `limits.subscriptions`. */
  TOO_MANY_SUBSCRIPTIONS: 429,
  /** More rooms joined by one socket than `limits.rooms`. */
  TOO_MANY_ROOMS: 429,
  /** The Server-Sent Events endpoint got a request body it cannot use. */
  INVALID_REQUEST: 400,
  /** A WebSocket upgrade in a runtime whose fetch handler cannot accept one (Bun: use its own `websocket`). */
  REALTIME_UNSUPPORTED_RUNTIME: 501,
  /** The server is shutting down. */
  REALTIME_CLOSING: 503,
  /** The plugin's server API was used before `engine.ready()` applied the plugin, or after `close()`. */
  REALTIME_NOT_STARTED: 500,
  /** An option of `realtime()` is invalid (raised when the plugin is created). */
  REALTIME_INVALID_OPTIONS: 500,
} as const

export type RealtimeErrorCode = keyof typeof RealtimeErrorCodes

/** Makes an error of this package's table. */
export function realtimeError(
  code: RealtimeErrorCode,
  message: string,
  details?: Record<string, unknown>,
): IxpError {
  return new IxpError(code, message, {
    status: RealtimeErrorCodes[code],
    ...(details === undefined ? {} : { details }),
  })
}

export function invalidOptions(message: string): IxpError {
  return realtimeError('REALTIME_INVALID_OPTIONS', `@ixp/plugin-realtime: ${message}`)
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
