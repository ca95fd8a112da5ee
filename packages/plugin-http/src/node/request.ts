/**
 * A node:http request as a transport request: headers read straight from `req.headers`, the body read with
 * the byte limit enforced as it arrives, an abort signal fired when the client's connection closes.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import type { IxpError } from '@ixp/core'
import type { ProxyTrust } from '@ixp/core/net'
import { declaredLength, payloadTooLarge, readStreamText } from '../body.js'
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
  #web: Request | undefined
  /** The body as a web stream, once {@link toWeb} handed it to the web request: read from there then. */
  #webBody: ReadableStream<Uint8Array> | undefined

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

  /** Whether a body is there to be read from the stream (none a framework already read, parsed or failed on). */
  get unread(): boolean {
    return this.present && this.#text === undefined && this.#error === undefined && this.parsed === undefined
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
    if (text === undefined && this.#webBody !== undefined) return readStreamText(this.#webBody, limit)
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

  /**
   * The request as a web `Request`, built once: the URL from `Host` and the target, every header, the abort signal
   * and the body — the text already read, a framework's parsed body as JSON, or the stream itself (the routes then
   * read it from the web request). A body a framework failed to parse is left out (the routes answer its error).
   */
  toWeb(): Request {
    if (this.#web !== undefined) return this.#web
    const headers = new Headers()
    const given = this.headers()
    for (const name in given) {
      const value = given[name]
      try {
        if (value !== undefined) headers.set(name, value)
      } catch {
        // A value node accepted and the Fetch standard does not: the web view goes without it.
      }
    }
    const method = this.method
    const init: RequestInit & { duplex?: 'half' } = { method, headers }
    const signal = this.signal
    if (signal !== undefined) init.signal = signal
    if (this.present && method !== 'GET' && method !== 'HEAD' && this.#error === undefined) {
      if (this.#text !== undefined) init.body = this.#text
      else if (this.parsed !== undefined) init.body = JSON.stringify(this.parsed.value)
      else {
        this.#webBody = Readable.toWeb(this.#options.stream ?? this.#req) as ReadableStream<Uint8Array>
        init.body = this.#webBody
        init.duplex = 'half'
      }
    }
    const host = this.header('host')
    const origin = host !== undefined && SANE_HOST.test(host) ? `http://${host}` : 'http://localhost'
    const query = this.query === '' ? '' : `?${this.query}`
    let request: Request
    try {
      request = new Request(`${origin}${this.path}${query}`, init)
    } catch {
      // A target no URL parser accepts: the web view gets the root path; the routes keep the real one.
      request = new Request(`${origin}/`, init)
    }
    this.#web = request
    return request
  }
}

const SANE_HOST = /^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/
