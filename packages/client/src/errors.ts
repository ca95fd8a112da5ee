/** The client's one error type: the server's error object (code, message, details) and the HTTP status if any. */
import type { ErrorObject } from './types.js'

export class IxpClientError extends Error {
  override readonly name = 'IxpClientError'
  readonly code: string
  /** The HTTP status, for answers over fetch. */
  readonly status: number | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(error: ErrorObject, status?: number) {
    super(error.message)
    this.code = error.code
    this.status = status
    this.details = error.details
  }
}

/** Codes the client itself reports (the server's codes pass through). */
export const ClientErrorCodes = {
  /** The server answered something that is not an IXP body. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** The socket closed for good (refused credentials, protocol error, or `close()`). */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** No WebSocket implementation: pass `WebSocket` in the options. */
  NO_WEBSOCKET: 'NO_WEBSOCKET',
  /** An option is invalid. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
} as const

export function clientError(code: keyof typeof ClientErrorCodes, message: string): IxpClientError {
  return new IxpClientError({ code, message })
}
