/**
 * The node adapter's path for handlers whose `fetch` is wrapped by `around`: the node request becomes a web
 * `Request` (its body streamed, its abort signal and client address kept) so the wrapper sees it, and the web
 * `Response` is written back. Slower than the direct path, so only taken when `around` is set.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { HttpHandler } from '../handler.js'
import { clientAddresses } from '../internal.js'
import type { NodeTransportRequest } from './request.js'

export async function answerViaFetch(
  handler: HttpHandler,
  transport: NodeTransportRequest,
  req: IncomingMessage,
  res: ServerResponse,
  closing: boolean,
): Promise<void> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(transport.headers())) {
    if (value !== undefined) headers.set(name, value)
  }
  const method = transport.method
  const withBody = transport.body.present && method !== 'GET' && method !== 'HEAD'
  const target = `http://localhost${transport.path}${transport.query === '' ? '' : `?${transport.query}`}`
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (withBody) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>
    init.duplex = 'half'
  }
  const signal = transport.signal
  if (signal) init.signal = signal
  let request: Request
  try {
    request = new Request(target, init)
  } catch {
    // A target no URL parser accepts: answer it through the handler as a plain unknown path.
    request = new Request('http://localhost/', { method: 'GET', headers })
  }
  const ip = transport.ip
  if (ip !== undefined) clientAddresses.set(request, ip)
  const response = await handler.fetch(request)
  const body = method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer())
  res.statusCode = response.status
  response.headers.forEach((value, name) => res.setHeader(name, value))
  // A body left unread (over the limit) must not be read to keep the connection alive.
  if (closing || response.status === 413) res.setHeader('connection', 'close')
  res.end(body)
}
