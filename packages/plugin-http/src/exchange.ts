/**
 * The transport-neutral shape of one HTTP exchange. The fetch handler and every adapter translate their
 * framework's request into a {@link TransportRequest}, and write the {@link TransportResponse} back; the
 * dispatcher in between knows nothing of `Request`, `IncomingMessage` or frameworks. Internal.
 */
import type { HeaderList } from './headers.js'

/** Where a request body comes from. */
export interface BodySource {
  /** Whether the request carries a body at all (a length above 0, chunked encoding, or a body stream). */
  readonly present: boolean
  /** The declared length in bytes, when the request has a `Content-Length`. */
  readonly length: number | undefined
  /**
   * Reads the body as UTF-8 text — at once when the transport already has it. Fails with `PAYLOAD_TOO_LARGE` as
   * soon as more than `limit` bytes arrive (reading stops there) and with `INVALID_REQUEST` for bytes that are
   * not UTF-8.
   */
  text(limit: number): string | Promise<string>
  /** A body a framework already read and parsed (`express.json()`), used instead of reading. */
  readonly parsed?: { value: unknown }
}

export interface TransportRequest {
  /** The request method, upper-case. */
  readonly method: string
  /** The raw path, without the query string. */
  readonly path: string
  /** `true` when a framework mount already removed the base path from `path`. */
  readonly relative: boolean
  /** The raw query string without `?` (`''` when there is none). */
  readonly query: string
  /** One header by lower-case name. */
  header(name: string): string | undefined
  /** Every header, lower-case names (what `IxpContext.headers` gets). */
  headers(): Record<string, string | undefined>
  readonly body: BodySource
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal | undefined
  /** The client's address, when the transport knows it. */
  readonly ip: string | undefined
  /**
   * The request as a web `Request` (plugin routes, the metrics provider and `around` get it): the original one on
   * web runtimes, built once on Node. Its body is the one the routes read: use one or the other.
   */
  toWeb(): Request
}

export interface TransportResponse {
  status: number
  /** Flat `[name, value, …]` list, lower-case names, no duplicates. */
  headers: HeaderList
  /** A JSON (or provider-given) text, a plugin route's body stream, or `null` for answers without a body (204). */
  body: string | ReadableStream<Uint8Array> | null
  /** A HEAD answer: send the headers (with the body's length) but not the body. */
  head?: boolean
  /** Close the connection after this answer (a body was left unread). */
  close?: boolean
}

/** A body source for requests without a body. */
export const NO_BODY: BodySource = Object.freeze({
  present: false,
  length: 0,
  text: () => '',
})
