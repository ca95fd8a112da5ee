/**
 * Request bodies from node streams: read to text with the byte limit enforced chunk by chunk (the stream is
 * paused at the limit), UTF-8 checked, a leading byte-order mark dropped.
 */
import { isUtf8 } from 'node:buffer'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { coreError, type IxpError } from '@ixp/core'
import { bodyTimedOut, notUtf8, payloadTooLarge } from '../body.js'
import { bodyDeadlines, type PendingBody } from './body-deadlines.js'
import { connectionOf } from './connection.js'

const BOM = 0xfeff

/** Receives a body read to its end (`text`), or why it could not be. */
export type BodyCallback = (error: IxpError | undefined, text: string | undefined) => void

/**
 * Reads `stream` (the request itself, or a stream a framework put in front of it) to text, stopping — and
 * pausing the stream — as soon as more than `limit` bytes arrived. Calls `done` exactly once: with the text,
 * or `PAYLOAD_TOO_LARGE`, `INVALID_REQUEST` (not UTF-8, a stream error), `ABORTED` (the client went away) or
 * `REQUEST_TIMEOUT` (the whole body did not arrive within `timeoutMs`; `0` waits as long as node lets it).
 */
export function collectNodeBody(stream: Readable, limit: number, done: BodyCallback, timeoutMs = 0): void {
  if (stream.readableEnded || stream.destroyed) {
    const error = coreError('INTERNAL_ERROR', {
      reason: 'The request body was already consumed before the IXP handler ran',
    })
    done(error, undefined)
    return
  }
  const chunks: Buffer[] = []
  let size = 0
  let settled = false
  // Listeners stay on the stream after the end: it is the request's own, and `settled` silences them.
  const finish = (error: IxpError | undefined, text?: string) => {
    if (settled) return
    settled = true
    if (deadline !== undefined) deadlines!.unwatch(deadline)
    if (connection !== undefined && connection.onClose === aborted) connection.onClose = undefined
    done(error, text)
  }
  const aborted = () => finish(coreError('ABORTED'))
  // A body that trickles in (a byte every few seconds, a chunked body that stops) must not hold a connection and
  // its buffers for node's 300 s requestTimeout: the whole body gets `timeoutMs`, then a 408 closes the connection.
  // One shared sweeper watches it rather than a timer of its own (see body-deadlines.ts).
  const deadlines = timeoutMs > 0 ? bodyDeadlines(timeoutMs) : undefined
  const deadline: PendingBody | undefined =
    deadlines === undefined
      ? undefined
      : {
          startedAt: 0,
          expire: () => {
            stream.pause()
            finish(bodyTimedOut(timeoutMs))
          },
        }
  if (deadline !== undefined) deadlines!.watch(deadline)
  stream.on('data', (chunk: Buffer | string) => {
    if (settled) return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += bytes.length
    if (size > limit) {
      // Stop pulling bytes off the wire: the answer is sent with `Connection: close`.
      stream.pause()
      finish(payloadTooLarge(limit))
      return
    }
    chunks.push(bytes)
  })
  stream.on('end', () => {
    if (settled) return
    const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
    if (!isUtf8(buffer)) return finish(notUtf8())
    const text = buffer.toString('utf8')
    finish(undefined, text.charCodeAt(0) === BOM ? text.slice(1) : text)
  })
  // node's own request learns of a lost client through its connection (one listener per connection) and emits
  // no 'error' unless someone listens; any other stream is watched directly.
  const socket = (stream as Partial<IncomingMessage>).socket as Socket | null | undefined
  const connection = isNodeRequest(stream) && socket ? connectionOf(socket) : undefined
  if (connection !== undefined) connection.onClose = aborted
  else {
    stream.on('error', () =>
      finish(coreError('INVALID_REQUEST', { reason: 'The request body could not be read to its end' })),
    )
    // A stream that closes before its end lost its client.
    stream.on('close', aborted)
  }
}

/** {@link collectNodeBody} as a promise. */
export function readNodeBody(stream: Readable, limit: number): Promise<string> {
  return new Promise((resolve, reject) =>
    collectNodeBody(stream, limit, (error, text) => (error ? reject(error) : resolve(text!))),
  )
}

/** node's own request object (not a framework's stream in front of it). */
function isNodeRequest(stream: Readable): boolean {
  const candidate = stream as Partial<IncomingMessage>
  return typeof candidate.httpVersion === 'string' && typeof candidate.complete === 'boolean'
}
