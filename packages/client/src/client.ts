/**
 * `createClient`: IXP over fetch (`render`, `resolve`) and over the `ixp.v1` socket (live subscriptions, rooms,
 * events). Runs in browsers, Node, Deno and Bun: it uses only `fetch` and `WebSocket`.
 */
import { resolveReconnect, type ReconnectOptions } from './backoff.js'
import { IxpClientError, clientError } from './errors.js'
import {
  LiveSocket,
  type ConnectionState,
  type SubscriptionSink,
  type WebSocketConstructor,
} from './socket.js'
import type { ErrorObject, RenderAnswer, RenderBody, ResolveAnswer, ResolveRequest } from './types.js'

type Headers = Record<string, string>

export interface ClientOptions {
  /** The IXP base URL (plugin-http's base path), e.g. `'https://shop.example/ixp'` or `'/ixp'` in a page. */
  url: string
  /** The socket's URL. @default url with `http` → `ws` and `/ws` appended */
  socketUrl?: string
  /**
   * Headers for every request and for the socket's `connection_init` (credentials: `authorization`,
   * `x-api-key`); a function is called for each request and each (re)connection. @default {}
   */
  headers?: Headers | (() => Headers | Promise<Headers>)
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch
  /** The WebSocket class to use (pass `ws`'s on Node 20). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor
  /** Reconnection after an unexpected close; `false` never reconnects. @default { initialDelayMs: 500, maxDelayMs: 30000, factor: 2, jitter: 0.5 } */
  reconnect?: ReconnectOptions | false
  /** Interval of the client's `ping`; a socket that answers nothing for one interval is reopened. `0` disables. @default 25_000 */
  keepAliveMs?: number
}

export interface IxpClient {
  /** `POST /render`: the answer, or an {@link IxpClientError} with the server's code. */
  render(body: RenderBody, init?: { signal?: AbortSignal }): Promise<RenderAnswer>
  /** `POST /resolve`. */
  resolve(query: string | ResolveRequest, init?: { signal?: AbortSignal }): Promise<ResolveAnswer>
  /** A live render over the socket: `next` now and after every change; returns a function that ends it. */
  subscribe(body: RenderBody, sink: SubscriptionSink | ((answer: RenderAnswer) => void)): () => void
  /** Joins a room (again after each reconnection). */
  join(room: string): Promise<void>
  leave(room: string): Promise<void>
  /** Listens to server events (`'*'`: every event); returns a function that stops listening. */
  on(event: string, listener: (data: unknown, room?: string) => void): () => void
  /** The socket's state, and its changes. */
  readonly state: ConnectionState
  onState(listener: (state: ConnectionState) => void): () => void
  /** Closes the socket for good. */
  close(): void
}

function socketUrlOf(url: string): string {
  const base = url.replace(/\/+$/, '')
  const origin = (globalThis as { location?: { href: string } }).location?.href
  const absolute = new URL(`${base}/ws`, origin)
  absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : 'ws:'
  return absolute.href
}

async function answerOf<T>(response: Response): Promise<T> {
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw clientError('BAD_RESPONSE', `The server answered ${response.status} without a JSON body`)
  }
  if (!response.ok) {
    const error = (body as { error?: ErrorObject } | null)?.error
    if (error && typeof error.code === 'string') throw new IxpClientError(error, response.status)
    throw new IxpClientError(
      { code: 'BAD_RESPONSE', message: `The server answered ${response.status}` },
      response.status,
    )
  }
  return body as T
}

export function createClient(options: ClientOptions): IxpClient {
  if (typeof options?.url !== 'string' || options.url === '')
    throw clientError('INVALID_OPTIONS', "'url' is required")
  const base = options.url.replace(/\/+$/, '')
  const doFetch = options.fetch ?? globalThis.fetch
  const headers = async (): Promise<Headers> => {
    const given = options.headers
    return typeof given === 'function' ? await given() : { ...given }
  }
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  let socket: LiveSocket | undefined
  const live = (): LiveSocket => {
    if (socket) return socket
    if (!WebSocketClass) {
      throw clientError(
        'NO_WEBSOCKET',
        'No WebSocket in this runtime; pass one as options.WebSocket (e.g. ws)',
      )
    }
    socket = new LiveSocket({
      url: options.socketUrl ?? socketUrlOf(base),
      WebSocket: WebSocketClass,
      headers,
      reconnect: resolveReconnect(options.reconnect),
      keepAliveMs: options.keepAliveMs ?? 25_000,
    })
    return socket
  }

  const post = async <T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> => {
    const response = await doFetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(await headers()) },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    })
    return answerOf<T>(response)
  }

  return {
    render: (body, init) => post<RenderAnswer>('/render', body, init?.signal),
    resolve: (query, init) =>
      post<ResolveAnswer>('/resolve', typeof query === 'string' ? { query } : query, init?.signal),
    subscribe: (body, sink) => live().subscribe(body, typeof sink === 'function' ? { next: sink } : sink),
    join: (room) => live().join(room),
    leave: (room) => live().leave(room),
    on: (event, listener) => live().on(event, listener),
    get state() {
      return socket?.state ?? 'idle'
    },
    onState: (listener) => live().onState(listener),
    close: () => socket?.close(),
  }
}
