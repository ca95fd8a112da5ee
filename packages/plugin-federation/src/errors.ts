/**
 * The plugin's error table: each code once, with its status and message template — the only place this package
 * writes an HTTP status. `INVALID_REQUEST` (a malformed request to `natsService()`) is the core's shared code,
 * built with `coreError`.
 */
import { defineErrors, IxpError } from '@ixp/core'

// A gateway's caller should learn which service failed and why: these messages name no secret, so every code
// is exposed, 5xx included.
const FEDERATION_ERRORS = {
  /**
   * A service cannot be reached (connection refused, no NATS responder), its circuit breaker is open, or its
   * bulkhead is full. Carries `Retry-After` (seconds) and `x-ixp-service`.
   */
  SERVICE_UNAVAILABLE: { status: 503, message: "Service '{service}' {problem}", expose: true },
  /** A service did not answer within `timeoutMs` (after the retries a query is allowed). */
  SERVICE_TIMEOUT: {
    status: 504,
    message: "Service '{service}' did not answer within {timeoutMs} ms",
    expose: true,
  },
  /** A service answered something that is not an IXP answer (not JSON, wrong shape). */
  SERVICE_BAD_RESPONSE: { status: 502, message: "Service '{service}' answered {what}", expose: true },
  /** Two services, or a service and this engine, define the same intent or component name (start-up error). */
  FEDERATION_NAME_CLASH: {
    status: 500,
    message: "{kind} '{name}' of service '{service}' clashes with {owner}; give the service a prefix",
    expose: true,
  },
  /** A local intent names a component that a service renders (only that service's intents can render it). */
  FEDERATION_REMOTE_COMPONENT: {
    status: 500,
    message:
      "This component is rendered by service '{service}'; render it through one of that service's intents",
    expose: true,
  },
  /** Options of `federation()` or `natsService()` are invalid (raised when they are created). */
  FEDERATION_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-federation: {problem}', expose: true },
  /**
   * A request to `natsService()` is larger than its `maxBodyBytes` (plugin-http answers the same code over
   * HTTP; this is the NATS transport's own limit).
   */
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request is larger than {maxBodyBytes} bytes' },
} as const

/** Builds this plugin's errors from its table. */
export const federationError = defineErrors(FEDERATION_ERRORS)

/** A code of the federation table. */
export type FederationErrorCode = keyof typeof FEDERATION_ERRORS

/** Every code of the federation table with its HTTP status. */
export const FederationErrorCodes = federationError.statuses

/** Statuses a service may answer that say "this service is not able to serve now" (breaker failures). */
export const UNAVAILABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

/** `FEDERATION_INVALID_OPTIONS` naming what to fix. */
export function invalidOptions(problem: string): IxpError {
  return federationError('FEDERATION_INVALID_OPTIONS', { problem })
}

/**
 * An answer of a service that is an error: its status, code, message and details as it sent them (the code
 * comes from the service's tables, so it is passed through rather than looked up here).
 */
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
