/**
 * A node:http request as a transport request: headers read straight from `req.headers`, the body read with
 * the byte limit enforced as it arrives, an abort signal fired when the client's connection closes.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import type { IxpError, ProxyTrust } from '@ixp/core'
import { declaredLength, payloadTooLarge } from '../body.js'
import type { BodySource, TransportRequest } from '../exchange.js'
import { splitTarget } from '../url.js'
import { collectNodeBody, readNodeBody } from './body.js'
import { connectionOf, type Connection } from './connection.js'
import { clientIp } from './proxy-trust.js'

export interface NodeRequestOptions {
  /** `path` is relative to a framework mount. */
  relative: boolean
  /** Milliseconds the whole body may take to arrive (`0`: no limit of ours). */
  bodyTimeoutMs?: number
  /** Which proxies' `X-Forwarded-For` entries to believe (compiled from the `trustProxy` option). */
  trust: ProxyTrust
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

/**
 * The transport request of one node:http exchange; it is its own body source. The node adapter reads a POST
 * body before dispatching ({@link NodeTransportRequest.readBody}), so the routes get it at once.
 */
export class NodeTransportRequest implements TransportRequest, BodySource {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly relative: boolean
  readonly present: boolean
  readonly length: number | undefined
  readonly parsed?: { value: unknown }
  readonly #req: IncomingMessage
  readonly #options: NodeRequestOptions
  #text: string | undefined
  #error: IxpError | undefined
  #shared: Connection | null | undefined

  constructor(req: IncomingMessage, url: string, options: NodeRequestOptions) {
    this.#req = req
    this.#options = options
    this.method = req.method ?? 'GET'
    const { path, query } = splitTarget(url)
    this.path = path
    this.query = query
    this.relative = options.relative
    const headers = req.headers
    const length = declaredLength(headers['content-length'])
    this.length = length
    const { parsed, bodyError, text } = options
    this.#text = text
    this.#error = bodyError
    if (parsed !== undefined) this.parsed = parsed
    this.present =
      (length !== undefined && length > 0) ||
      headers['transfer-encoding'] !== undefined ||
      parsed !== undefined ||
      bodyError !== undefined ||
      text !== undefined
  }

  get body(): BodySource {
    return this
  }

  /** Reads the body (up to `limit` bytes) now; `then` runs once it is in, or once reading it failed. */
  readBody(limit: number, then: () => void): void {
    const source = this.#options.stream ?? this.#req
    const whenRead = (error: IxpError | undefined, text: string | undefined) => {
      this.#error = error
      this.#text = text
      then()
    }
    collectNodeBody(source, limit, whenRead, this.#options.bodyTimeoutMs)
  }

  text(limit: number): string | Promise<string> {
    if (this.#error !== undefined) throw this.#error
    const text = this.#text
    if (text === undefined) return readNodeBody(this.#options.stream ?? this.#req, limit)
    if (text.length > limit / 3 && Buffer.byteLength(text) > limit) throw payloadTooLarge(limit)
    return text
  }

  /** The connection's shared state, looked up once per request. */
  #connection(): Connection | undefined {
    if (this.#shared === undefined) {
      const socket = this.#req.socket as Socket | null
      this.#shared = socket ? connectionOf(socket) : null
    }
    return this.#shared ?? undefined
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
    return this.#connection()?.signal
  }

  get ip(): string | undefined {
    const { ip, trust } = this.#options
    if (ip !== undefined) return ip
    const remote = this.#connection()?.address
    return trust.kind === 'none' ? remote : clientIp(remote, this.header('x-forwarded-for'), trust)
  }
}
