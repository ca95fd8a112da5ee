/**
 * What the gateway needs of a way to reach a service: one call per IXP operation, answered as the service's
 * HTTP answer would be (status, JSON text, the headers worth passing on). HTTP and NATS implement it.
 */

/** The IXP operations a gateway forwards. */
export type Operation = 'render' | 'resolve' | 'intents' | 'components'

export const OPERATIONS: readonly Operation[] = ['render', 'resolve', 'intents', 'components']

/** A service's answer to one call. */
export interface WireAnswer {
  status: number
  /** The JSON text of the answer (an IXP body or `{ error }`). */
  body: string
  /** Answer headers the gateway passes on (lower-case names): `retry-after`, rate-limit headers. */
  headers: Record<string, string>
}

export interface CallOptions {
  /** The JSON body of `render` and `resolve`. */
  body?: unknown
  /** Request headers (lower-case names): request id, trace context, forwarded headers. */
  headers: Record<string, string>
  /** Aborted at the call's timeout or when the caller goes away. */
  signal: AbortSignal
}

/** The service could not be reached at all: nothing was processed (connection refused, no NATS responder). */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError'
}

export interface Transport {
  readonly kind: 'http' | 'nats'
  /** Connects and starts watching for changes; `onChange` asks the gateway to refresh its lists at once. */
  start(onChange: () => void): Promise<void>
  /** Finds the service's instances again (NATS discovery); HTTP has nothing to find. */
  refresh(): Promise<void>
  call(operation: Operation, options: CallOptions): Promise<WireAnswer>
  /** What health reports about the transport: replicas and their ejection, NATS instances. */
  describe(): TransportReport
  close(): Promise<void>
}

export interface TransportReport {
  /** Instances able to take calls now. */
  available: number
  /** Instances known. */
  total: number
  [key: string]: unknown
}

/** Answer headers worth passing on to the gateway's caller. */
export const PASSED_HEADERS = ['retry-after', 'ratelimit', 'ratelimit-policy', 'www-authenticate']
