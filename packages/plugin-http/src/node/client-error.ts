/**
 * Requests node:http refuses before any handler runs (a malformed request line or header, a head too large, a
 * head that did not arrive within `headersTimeout`): answered with the IXP JSON error body instead of node's bare
 * `400`/`431`/`408`, whenever the socket can still take an answer, then the connection is closed.
 */
import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { coreError, type IxpError } from '@ixp/core'
import { httpError } from '../errors.js'

/** The node error codes with their answer; everything else node reports there is a malformed request. */
const ANSWERS: Record<string, () => IxpError> = {
  ERR_HTTP_REQUEST_TIMEOUT: () =>
    httpError('REQUEST_TIMEOUT', { what: 'The request', limit: "the server's timeout" }),
  HPE_HEADER_OVERFLOW: () => httpError('HEADERS_TOO_LARGE'),
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

interface ClientError extends Error {
  code?: string
}

/** The IXP error body of an answer no route produced. */
function errorJson(failure: IxpError): string {
  return JSON.stringify({
    error: { code: failure.code, message: failure.message, timestamp: new Date().toISOString() },
  })
}

/** The raw HTTP/1.1 answer for a client error (exported for tests). */
export function clientErrorAnswer(error: ClientError): string {
  const known = error.code === undefined ? undefined : ANSWERS[error.code]
  const failure = known
    ? known()
    : coreError('INVALID_REQUEST', {
        reason: `The request is not valid HTTP/1.1 (${String(error.code ?? 'parse error').slice(0, 40)})`,
      })
  const body = errorJson(failure)
  return (
    `HTTP/1.1 ${failure.status} ${REASONS[failure.status] ?? 'Bad Request'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  )
}

/** The server's `clientError` listener. */
export function answerClientError(error: ClientError, socket: Duplex): void {
  // A reset connection, or one whose answer already started, cannot take another answer.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent === true) {
    socket.destroy()
    return
  }
  socket.end(clientErrorAnswer(error))
}

/**
 * Answers an HTTP/1.1 request that has no Host header (RFC 9112 §3.2 asks for a 400). node's own check would
 * answer a bare 400 before any listener runs, so the server turns it off and refuses such requests here.
 */
export function refuseMissingHost(res: ServerResponse): void {
  const failure = coreError('INVALID_REQUEST', {
    reason: 'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2)',
  })
  const body = errorJson(failure)
  res.shouldKeepAlive = false
  res.writeHead(failure.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}
