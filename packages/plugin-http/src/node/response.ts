/** Writes a transport response to a node:http response (skipped when the client is already gone). */
import type { ServerResponse } from 'node:http'
import { Readable, pipeline } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { TransportResponse } from '../exchange.js'

export function writeNodeResponse(res: ServerResponse, response: TransportResponse, closing = false): void {
  const { headers, body } = response
  if (res.destroyed || res.headersSent) {
    if (body !== null && typeof body !== 'string') void body.cancel().catch(() => undefined)
    if (!res.writableEnded && !res.destroyed) res.end()
    return
  }
  if (response.close || closing) headers.push('connection', 'close')
  if (typeof body === 'string') {
    headers.push('content-length', String(Buffer.byteLength(body)))
    res.writeHead(response.status, headers)
    if (response.head) res.end()
    else res.end(body)
    return
  }
  res.writeHead(response.status, headers)
  if (body === null || response.head) {
    if (body !== null) void body.cancel().catch(() => undefined)
    res.end()
    return
  }
  // A plugin route's stream (server-sent events, a file): written as it comes, cancelled if the client leaves.
  pipeline(Readable.fromWeb(body as NodeReadableStream), res, () => undefined)
}
