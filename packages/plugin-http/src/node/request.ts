/**
 * A node:http request as a transport request: headers read straight from `req.headers`, the body streamed
 * with the byte limit enforced chunk by chunk (the stream is paused at the limit), an abort signal fired when
 * the client's connection closes.
 */
import { isUtf8 } from 'node:buffer'
import { setMaxListeners } from 'node:events'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { IxpError } from '@ixp/core'
import { notUtf8, payloadTooLarge } from '../body.js'
import { httpError } from '../errors.js'
import type { BodySource, TransportRequest } from '../exchange.js'
import { splitTarget } from '../url.js'

const BOM = 0xfeff

function declaredLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined
  return Number(value)
}

/**
 * Reads a node body stream (the request itself, or a stream a framework put in front of it) to text,
 * stopping — and pausing the stream — as soon as more than `limit` bytes arrived.
 */
export function readNodeBody(stream: Readable, limit: number): Promise<string> {
  if (stream.readableEnded || stream.destroyed) {
    const error = new IxpError(
      'INTERNAL_ERROR',
      'The request body was already consumed before the IXP handler ran',
      {
        expose: false,
      },
    )
    return Promise.reject(error)
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (error: IxpError | undefined, text?: string) => {
      if (settled) return
      settled = true
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onError)
      stream.off('close', onClose)
      if (error) reject(error)
      else resolve(text!)
    }
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += bytes.length
      if (size > limit) {
        // Stop pulling bytes off the wire: the answer is sent with `Connection: close`.
        stream.pause()
        finish(payloadTooLarge(limit))
        return
      }
      chunks.push(bytes)
    }
    const onEnd = () => {
      const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
      if (!isUtf8(buffer)) return finish(notUtf8())
      const text = buffer.toString('utf8')
      finish(undefined, text.charCodeAt(0) === BOM ? text.slice(1) : text)
    }
    const onError = () =>
      finish(httpError('INVALID_REQUEST', 'The request body could not be read to its end'))
    // A stream that closes before its end lost its client.
    const onClose = () => finish(new IxpError('ABORTED', 'The request was aborted by the caller'))
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}

const signals = new WeakMap<Socket, AbortSignal>()

/**
 * The abort signal of a request: one per connection, aborted when the connection closes. An HTTP/1.1 client
 * that goes away closes its connection, and a connection's requests are answered in order, so one signal
 * serves every request of a keep-alive connection — an AbortSignal costs microseconds to create in Node,
 * which one per request would spend on every request.
 */
function connectionSignal(req: IncomingMessage): AbortSignal | undefined {
  const socket = req.socket as Socket | null
  if (!socket) return undefined
  let signal = signals.get(socket)
  if (signal === undefined) {
    const controller = new AbortController()
    signal = controller.signal
    // Pipelined requests of one connection may each listen at once; that is not a leak.
    setMaxListeners(1000, signal)
    if (socket.destroyed) {
      controller.abort(new IxpError('ABORTED', 'The client went away'))
    } else {
      socket.once('close', () => controller.abort(new IxpError('ABORTED', 'The client went away')))
    }
    signals.set(socket, signal)
  }
  return signal
}

export interface NodeRequestOptions {
  /** `path` is relative to a framework mount. */
  relative: boolean
  /** Take the client address from the first `X-Forwarded-For` entry. */
  trustProxy: boolean
  /** The client address as a framework computed it (its own proxy trust rules); wins over `trustProxy`. */
  ip?: string | undefined
  /** A body a framework already read and parsed. */
  parsed?: { value: unknown } | undefined
  /** The stream to read the body from, when a framework put one in front of the request. */
  stream?: Readable | undefined
  /** The body as text a framework already read (`express.text()`), parsed with our checks. */
  text?: string | undefined
  /** Replaces the body reader (a framework's own parse error, re-raised as ours). */
  bodyError?: IxpError | undefined
}

/** The transport request of one node:http exchange. */
export class NodeTransportRequest implements TransportRequest {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly relative: boolean
  readonly body: BodySource
  readonly #req: IncomingMessage
  readonly #trustProxy: boolean
  readonly #ip: string | undefined

  constructor(req: IncomingMessage, url: string, options: NodeRequestOptions) {
    this.#req = req
    this.#trustProxy = options.trustProxy
    this.#ip = options.ip
    this.method = req.method ?? 'GET'
    const { path, query } = splitTarget(url)
    this.path = path
    this.query = query
    this.relative = options.relative
    const headers = req.headers
    const length = declaredLength(headers['content-length'])
    const present = (length !== undefined && length > 0) || headers['transfer-encoding'] !== undefined
    const stream = options.stream ?? req
    const { bodyError, text } = options
    let read: (limit: number) => Promise<string>
    if (bodyError) read = () => Promise.reject(bodyError)
    else if (text !== undefined) {
      read = (limit) =>
        Buffer.byteLength(text) > limit ? Promise.reject(payloadTooLarge(limit)) : Promise.resolve(text)
    } else read = (limit) => readNodeBody(stream, limit)
    this.body = {
      present: present || options.parsed !== undefined || bodyError !== undefined || text !== undefined,
      length,
      text: read,
      ...(options.parsed === undefined ? {} : { parsed: options.parsed }),
    }
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }

  headers(): Record<string, string | undefined> {
    const headers = this.#req.headers
    // Only `set-cookie` is an array in node's header object; requests practically never carry it.
    if (headers['set-cookie'] === undefined) return headers as Record<string, string | undefined>
    return { ...headers, 'set-cookie': headers['set-cookie'].join(', ') }
  }

  get signal(): AbortSignal | undefined {
    return connectionSignal(this.#req)
  }

  get ip(): string | undefined {
    if (this.#ip !== undefined) return this.#ip
    if (this.#trustProxy) {
      const forwarded = this.header('x-forwarded-for')
      const first = forwarded?.split(',')[0]?.trim()
      if (first) return first
    }
    return this.#req.socket?.remoteAddress
  }
}
