/**
 * Writes a web `Response` (the answer of `around`, or of a plugin route reached through it) to a node:http
 * response, streaming its body.
 */
import type { ServerResponse } from 'node:http'
import { Readable, pipeline } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

export function writeWebResponse(
  res: ServerResponse,
  response: Response,
  head: boolean,
  closing: boolean,
): Promise<void> {
  if (res.destroyed || res.headersSent) {
    void response.body?.cancel().catch(() => undefined)
    if (!res.writableEnded && !res.destroyed) res.end()
    return Promise.resolve()
  }
  res.statusCode = response.status
  response.headers.forEach((value, name) => res.setHeader(name, value))
  // A body left unread (over the limit) must not be read to keep the connection alive.
  if (closing || response.status === 413) res.setHeader('connection', 'close')
  const body = response.body
  if (body === null || head) {
    void body?.cancel().catch(() => undefined)
    res.end()
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    pipeline(Readable.fromWeb(body as NodeReadableStream), res, () => resolve())
  })
}
