/** Writes a transport response to a node:http response (skipped when the client is already gone). */
import type { ServerResponse } from 'node:http'
import type { TransportResponse } from '../exchange.js'

export function writeNodeResponse(res: ServerResponse, response: TransportResponse, closing = false): void {
  if (res.destroyed || res.headersSent) {
    if (!res.writableEnded && !res.destroyed) res.end()
    return
  }
  const { headers, body } = response
  if (response.close || closing) headers.push('connection', 'close')
  if (body !== null) headers.push('content-length', String(Buffer.byteLength(body)))
  res.writeHead(response.status, headers)
  if (body === null || response.head) res.end()
  else res.end(body)
}
