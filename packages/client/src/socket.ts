/**
 * The `ixp.v1` socket of a client: connects when first needed, sends `connection_init` with the client's headers,
 * and after an unexpected close reconnects with backoff and jitter, then subscribes and joins again what was live.
 */
import { backoffDelay, type ResolvedReconnect } from './backoff.js'
import { IxpClientError, clientError } from './errors.js'
import type { ErrorObject, RenderAnswer, ServerFrame } from './types.js'

/** The part of the WebSocket API the client uses (the browser's, Node 22's, Deno's, Bun's or `ws`). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'

/** Receives a live subscription's answers. */
export interface SubscriptionSink {
  /** A render (the first one, then one after each change on the server). */
  next(answer: RenderAnswer): void
  /** A failed render. After the first answer a failure does not end the subscription unless `complete` follows. */
  error?(error: IxpClientError): void
  /** The server ended the subscription (intent removed, access revoked), or the socket closed for good. */
  complete?(): void
}

export interface SocketSettings {
  url: string
  WebSocket: WebSocketConstructor
  headers: () => Record<string, string> | Promise<Record<string, string>>
  reconnect: ResolvedReconnect
  keepAliveMs: number
}

/** Close codes after which reconnecting cannot help (the client or its credentials must change). */
const FINAL_CLOSE_CODES = new Set([1009, 4400, 4401, 4403, 4406, 4409, 4429])

interface Subscription {
  body: unknown
  sink: SubscriptionSink
  /** Whether an answer arrived since the last (re)subscribe: a failure before it is final. */
  answered: boolean
}

interface Pending {
  type: string
  payload: unknown
  resolve(value: unknown): void
  reject(error: IxpClientError): void
}

export class LiveSocket {
  #ws: WebSocketLike | undefined
  #state: ConnectionState = 'idle'
  #attempt = 0
  #counter = 0
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #keepAlive: ReturnType<typeof setInterval> | undefined
  #heard = true
  readonly #subscriptions = new Map<string, Subscription>()
  readonly #pending = new Map<string, Pending>()
  readonly #rooms = new Set<string>()
  readonly #events = new Map<string, Set<(data: unknown, room?: string) => void>>()
  readonly #stateListeners = new Set<(state: ConnectionState) => void>()

  constructor(private readonly settings: SocketSettings) {}

  get state(): ConnectionState {
    return this.#state
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener)
    return () => this.#stateListeners.delete(listener)
  }

  /** Listens to server events named `event` (`'*'` for all). */
  on(event: string, listener: (data: unknown, room?: string) => void): () => void {
    let listeners = this.#events.get(event)
    if (listeners === undefined) {
      listeners = new Set()
      this.#events.set(event, listeners)
    }
    listeners.add(listener)
    this.#ensure()
    return () => listeners.delete(listener)
  }

  subscribe(body: unknown, sink: SubscriptionSink): () => void {
    const id = this.#id('s')
    this.#subscriptions.set(id, { body, sink, answered: false })
    if (this.#state === 'connected') this.#send({ id, type: 'subscribe', payload: body })
    this.#ensure()
    return () => {
      if (!this.#subscriptions.delete(id)) return
      if (this.#state === 'connected') this.#send({ id, type: 'complete' })
    }
  }

  /** One operation with one answer (`render`, `resolve`, `join`, `leave`). */
  request<T>(type: string, payload: unknown): Promise<T> {
    if (this.#state === 'closed')
      return Promise.reject(clientError('CONNECTION_CLOSED', 'The client is closed'))
    return new Promise<T>((resolve, reject) => {
      const id = this.#id('r')
      this.#pending.set(id, { type, payload, resolve: resolve as (value: unknown) => void, reject })
      if (this.#state === 'connected') this.#send({ id, type, payload })
      this.#ensure()
    })
  }

  async join(room: string): Promise<void> {
    await this.request('join', { room })
    this.#rooms.add(room)
  }

  async leave(room: string): Promise<void> {
    this.#rooms.delete(room)
    await this.request('leave', { room })
  }

  /** Closes for good: no reconnection; live subscriptions complete and pending operations fail. */
  close(): void {
    if (this.#state === 'closed') return
    this.#setState('closed')
    clearTimeout(this.#retryTimer)
    clearInterval(this.#keepAlive)
    const ws = this.#ws
    this.#ws = undefined
    ws?.close(1000, 'Client closed')
    this.#fail(clientError('CONNECTION_CLOSED', 'The client was closed'))
  }

  // ------------------------------------------------------------------------------------------

  #id(prefix: string): string {
    this.#counter += 1
    return `${prefix}${this.#counter}`
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return
    this.#state = state
    for (const listener of [...this.#stateListeners]) listener(state)
  }

  #ensure(): void {
    if (this.#state === 'idle') this.#connect()
  }

  #send(frame: unknown): void {
    this.#ws?.send(JSON.stringify(frame))
  }

  #connect(): void {
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting')
    let ws: WebSocketLike
    try {
      ws = new this.settings.WebSocket(this.settings.url, 'ixp.v1')
    } catch {
      this.#closed(1006)
      return
    }
    this.#ws = ws
    ws.onopen = async () => {
      let headers: Record<string, string>
      try {
        headers = await this.settings.headers()
      } catch {
        headers = {}
      }
      if (this.#ws === ws) ws.send(JSON.stringify({ type: 'connection_init', payload: { headers } }))
    }
    ws.onmessage = (event) => {
      if (this.#ws !== ws || typeof event.data !== 'string') return
      this.#heard = true
      let frame: ServerFrame
      try {
        frame = JSON.parse(event.data) as ServerFrame
      } catch {
        return
      }
      this.#receive(frame)
    }
    ws.onclose = (event) => {
      if (this.#ws === ws) this.#closed(event.code)
    }
    ws.onerror = () => undefined
  }

  #receive(frame: ServerFrame): void {
    const id = frame.id
    switch (frame.type) {
      case 'connection_ack':
        return this.#acknowledged()
      case 'ping':
        return this.#send({ type: 'pong' })
      case 'event': {
        const payload = frame.payload as { room?: string; event: string; data: unknown }
        for (const name of [payload.event, '*']) {
          for (const listener of [...(this.#events.get(name) ?? [])]) listener(payload.data, payload.room)
        }
        return
      }
      case 'next': {
        const subscription = id === undefined ? undefined : this.#subscriptions.get(id)
        if (subscription === undefined) return
        subscription.answered = true
        subscription.sink.next(frame.payload as RenderAnswer)
        return
      }
      case 'result': {
        const pending = id === undefined ? undefined : this.#pending.get(id)
        if (pending === undefined) return
        this.#pending.delete(id!)
        pending.resolve(frame.payload)
        return
      }
      case 'complete': {
        const subscription = id === undefined ? undefined : this.#subscriptions.get(id)
        if (subscription === undefined) return
        this.#subscriptions.delete(id!)
        subscription.sink.complete?.()
        return
      }
      case 'error':
        return this.#error(id, frame.payload as ErrorObject)
    }
  }

  #error(id: string | undefined, payload: ErrorObject): void {
    if (id === undefined) return
    const error = new IxpClientError(payload)
    const pending = this.#pending.get(id)
    if (pending !== undefined) {
      this.#pending.delete(id)
      pending.reject(error)
      return
    }
    const subscription = this.#subscriptions.get(id)
    if (subscription === undefined) return
    // A failure before any answer ends the subscription on the server; later ones do unless it says otherwise.
    if (!subscription.answered) this.#subscriptions.delete(id)
    subscription.sink.error?.(error)
  }

  #acknowledged(): void {
    this.#attempt = 0
    this.#setState('connected')
    for (const [id, subscription] of this.#subscriptions) {
      subscription.answered = false
      this.#send({ id, type: 'subscribe', payload: subscription.body })
    }
    for (const room of this.#rooms) this.#send({ id: this.#id('j'), type: 'join', payload: { room } })
    for (const [id, pending] of this.#pending)
      this.#send({ id, type: pending.type, payload: pending.payload })
    this.#startKeepAlive()
  }

  #startKeepAlive(): void {
    clearInterval(this.#keepAlive)
    if (this.settings.keepAliveMs <= 0) return
    this.#heard = true
    this.#keepAlive = setInterval(() => {
      if (!this.#heard) {
        // Nothing heard for a whole interval, not even the pong: the connection is dead; start over.
        const ws = this.#ws
        this.#ws = undefined
        ws?.close(4000, 'No answer to keep-alive')
        this.#closed(1006)
        return
      }
      this.#heard = false
      this.#send({ type: 'ping' })
    }, this.settings.keepAliveMs)
  }

  #closed(code: number): void {
    clearInterval(this.#keepAlive)
    this.#ws = undefined
    if (this.#state === 'closed') return
    const { maxAttempts } = this.settings.reconnect
    if (FINAL_CLOSE_CODES.has(code) || this.#attempt >= maxAttempts) {
      this.#setState('closed')
      this.#fail(clientError('CONNECTION_CLOSED', `The connection closed (code ${code}) and will not reopen`))
      return
    }
    this.#setState('reconnecting')
    const delay = backoffDelay(this.settings.reconnect, this.#attempt)
    this.#attempt += 1
    this.#retryTimer = setTimeout(() => {
      if (this.#state === 'reconnecting') this.#connect()
    }, delay)
  }

  #fail(error: IxpClientError): void {
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
    const subscriptions = [...this.#subscriptions.values()]
    this.#subscriptions.clear()
    for (const subscription of subscriptions) {
      subscription.sink.error?.(error)
      subscription.sink.complete?.()
    }
  }
}
