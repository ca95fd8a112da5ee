/** The plugin's error codes, each with its status: the only place this package writes an HTTP status. */
import { IxpError } from '@ixp/core'

export const FederationErrorCodes = {
  /**
   * A service cannot be reached (connection refused, no NATS responder), its circuit breaker is open, or its
   * bulkhead is full. Carries `Retry-After` (seconds) and `x-ixp-service`.
   */
  SERVICE_UNAVAILABLE: 503,
  /** A service did not answer within `timeoutMs` (after the retries a query is allowed). */
  SERVICE_TIMEOUT: 504,
  /** A service answered something that is not an IXP answer (not JSON, wrong shape). */
  SERVICE_BAD_RESPONSE: 502,
  /** Two services, or a service and this engine, define the same intent or component name (start-up error). */
  FEDERATION_NAME_CLASH: 500,
  /** A local intent names a component that a service renders (only that service's intents can render it). */
  FEDERATION_REMOTE_COMPONENT: 500,
  /** Options of `federation()` or `natsService()` are invalid (raised when they are created). */
  FEDERATION_INVALID_OPTIONS: 500,
} as const

export type FederationErrorCode = keyof typeof FederationErrorCodes

/** Statuses a service may answer that say "this service is not able to serve now" (breaker failures). */
export const UNAVAILABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

export function federationError(
  code: FederationErrorCode,
  message: string,
  options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
): IxpError {
  return new IxpError(code, message, {
    status: FederationErrorCodes[code],
    // A gateway's caller should learn which service failed and why: these messages name no secret.
    expose: true,
    ...options,
  })
}

export function invalidOptions(message: string): IxpError {
  return federationError('FEDERATION_INVALID_OPTIONS', message)
}

/** An answer of a service that is an error: its status, code, message and details as it sent them. */
export function remoteError(status: number, body: unknown, headers: Record<string, string>): IxpError {
  const error = (body as { error?: Record<string, unknown> } | null)?.error
  const code = typeof error?.code === 'string' ? error.code : 'INTERNAL_ERROR'
  const message = typeof error?.message === 'string' ? error.message : `The service answered ${status}`
  const details =
    typeof error?.details === 'object' && error.details !== null
      ? (error.details as Record<string, unknown>)
      : undefined
  return new IxpError(code, message, { status, details, headers, expose: true })
}
