/** The web-standard side: a `Request` becomes a transport request, a transport response a `Response`. */
import { clientAddresses } from './internal.js'
import { declaredLength, readStreamText } from './body.js'
import { toRecord } from './headers.js'
import { NO_BODY, type BodySource, type TransportRequest, type TransportResponse } from './exchange.js'
import { splitTarget } from './url.js'

export interface FromRequestOptions {
  relative?: boolean
  ip?: string | undefined
}

export function fromRequest(request: Request, options: FromRequestOptions = {}): TransportRequest {
  const { path, query } = splitTarget(request.url)
  const headers = request.headers
  let record: Record<string, string> | undefined
  const stream = request.body
  const body: BodySource =
    stream === null
      ? NO_BODY
      : {
          present: true,
          length: declaredLength(headers.get('content-length')),
          text: (limit) => readStreamText(stream, limit),
        }
  return {
    method: request.method.toUpperCase(),
    path,
    query,
    relative: options.relative === true,
    header: (name) => headers.get(name) ?? undefined,
    // Headers iterate with lower-case names and repeated headers joined, which is what the context wants.
    headers: () => (record ??= Object.fromEntries(headers)),
    body,
    signal: request.signal,
    ip: options.ip ?? clientAddresses.get(request),
    toWeb: () => request,
  }
}

export function toResponse(response: TransportResponse): Response {
  const { status } = response
  const headers = toRecord(response.headers)
  const body = response.body
  if (body === null || response.head) {
    if (typeof body === 'string')
      headers['content-length'] = String(new TextEncoder().encode(body).byteLength)
    else if (body !== null) void body.cancel().catch(() => undefined)
    return new Response(null, { status, headers })
  }
  return new Response(body, { status, headers })
}
