/**
 * The headers a forwarded call carries: the caller's request id, W3C trace context, the headers configured
 * for every service, and credentials only for services configured to receive them.
 */
import type { IxpContext } from '@ixp/core'
import type { ResolvedOptions, ResolvedService } from './options.js'

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  let text = ''
  for (const value of values) text += value.toString(16).padStart(2, '0')
  return text
}

/**
 * The `traceparent` of the forwarded call: the caller's, when valid (the gateway passes the trace on as a
 * proxy does), else a new trace, so the gateway's and the service's logs of one request still correlate.
 */
export function traceparentFor(incoming: string | undefined): string {
  const match = incoming === undefined ? null : TRACEPARENT.exec(incoming.trim())
  if (match && match[1] !== ZERO_TRACE && match[2] !== ZERO_SPAN) return incoming!.trim()
  return `00-${randomHex(16)}-${randomHex(8)}-01`
}

/** Lower-case request headers for one call to `service` on behalf of the caller of `context`. */
export function forwardedHeaders(
  context: IxpContext,
  service: ResolvedService,
  settings: Pick<ResolvedOptions, 'forwardHeaders' | 'credentialHeaders'>,
): Record<string, string> {
  const given = context.headers ?? {}
  const headers: Record<string, string> = { ...service.headers }
  const copy = (name: string) => {
    const value = given[name]
    if (typeof value === 'string' && value !== '') headers[name] = value
  }
  for (const name of settings.forwardHeaders) copy(name)
  if (service.forwardCredentials) for (const name of settings.credentialHeaders) copy(name)
  if (typeof context.requestId === 'string' && context.requestId !== '') {
    headers['x-request-id'] = context.requestId
  }
  const traceparent = traceparentFor(given.traceparent)
  headers.traceparent = traceparent
  if (traceparent === given.traceparent?.trim() && typeof given.tracestate === 'string') {
    headers.tracestate = given.tracestate
  }
  return headers
}
