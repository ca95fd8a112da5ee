/**
 * The realtime server of one engine: accepts WebSocket upgrades (`ws` on Node, a runtime's own WebSocket through
 * {@link RealtimeServer.acceptWebSocket}), holds the connections, delivers rooms / users / broadcasts locally and
 * through the bus, and re-renders live subscriptions on invalidation.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Engine, Invalidation, Logger } from '@ixp/core'
import { WebSocketServer, type WebSocket } from 'ws'
import type { BusMessage, RealtimeBus } from './bus.js'
import { Census, type ClusterConnectionInfo } from './census.js'
import { bunSocket, bunUpgrade, type BunServer, type BunSocket, type BunWebSocketHandlers } from './bun.js'
import { Connection, type ConnectionHost } from './connection.js'
import { CloseCodes } from './errors.js'
import { LocalHub, type Member } from './hub.js'
import { LiveRegistry } from './live.js'
import type { ConnectionInfo, ResolvedOptions } from './options.js'
import type { PeerRequest, PeerSocket } from './peer.js'
import { SUBPROTOCOL } from './protocol.js'
import { SseStream } from './sse.js'

/** Where invalidations come from: the engine's `invalidate` event, by default. */
export interface InvalidationSource {
  /** Calls `listener` for every invalidation; returns a function that stops it. */
  subscribe(listener: (invalidation: Invalidation) => void): () => void
}

/** The engine's own invalidations (`engine.events` `'invalidate'`: its commands, `engine.invalidate()`, relays). */
export function engineInvalidations(engine: Engine): InvalidationSource {
  return {
    subscribe(listener) {
      engine.events.on('invalidate', listener)
      return () => engine.events.off('invalidate', listener)
    },
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** How this instance reaches the others: not at all, its own Redis connections, or a bus another plugin offers. */
export type BusKind = 'memory' | 'redis' | 'shared'

export interface RealtimeServerDeps {
  engine: Engine
  options: ResolvedOptions
  /** Other instances (or pass one to {@link RealtimeServer.start}); `undefined` for one instance. */
  bus?: RealtimeBus
  /** @default engineInvalidations(engine) */
  invalidations?: InvalidationSource
}

export class RealtimeServer implements ConnectionHost {
  readonly engine: Engine
  readonly logger: Logger
  readonly options: ResolvedOptions
  readonly hub = new LocalHub()
  readonly live: LiveRegistry
  /** This server's id on the bus (the `instance` of its connections in `clusterConnections()`). */
  readonly instance = crypto.randomUUID()
  readonly #census: Census
  #bus: RealtimeBus | undefined
  #busKind: BusKind = 'memory'
  /** Whether this server publishes the engine's invalidations on its bus. */
  #relay = false
  readonly #wss: WebSocketServer
  readonly #connections = new Set<Connection>()
  readonly #streams = new Set<SseStream>()
  readonly #cleanups: (() => void)[] = []
  #heartbeat: ReturnType<typeof setInterval> | undefined
  #closing = false

  constructor({ engine, options, bus, invalidations }: RealtimeServerDeps) {
    this.engine = engine
    this.logger = engine.logger
    this.options = options
    this.#bus = bus
    this.live = new LiveRegistry(engine, engine.logger, options.coalesceMs)
    this.#census = new Census(
      this.instance,
      () => this.connections(),
      (message) => this.#bus?.publish(message),
    )
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    })
    this.#cleanups.push(
      (invalidations ?? engineInvalidations(engine)).subscribe((inv) => this.#invalidated(inv)),
    )
    const registry = (change: { kind: string; action: string; name: string }) => {
      if (change.kind === 'intent' && change.action === 'unregistered') this.live.intentRemoved(change.name)
    }
    engine.events.on('registry:changed', registry)
    this.#cleanups.push(() => engine.events.off('registry:changed', registry))
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs)
      this.#heartbeat.unref?.()
    }
  }

  /**
   * Starts the bus — `bus` if given, else the one passed at construction — and resolves once other instances can
   * be heard. `relayInvalidations`: whether the engine's invalidations go on it (`false` when whoever offers the
   * bus carries them already). @default options.relayInvalidations
   */
  async start(
    bus: RealtimeBus | undefined = this.#bus,
    kind: BusKind = bus === undefined ? 'memory' : 'redis',
    relayInvalidations = this.options.relayInvalidations,
  ): Promise<void> {
    this.#bus = bus
    this.#busKind = bus === undefined ? 'memory' : kind
    this.#relay = bus !== undefined && relayInvalidations
    await bus?.start((message) => this.#received(message))
  }

  /** How this instance reaches the others (set by {@link start}). */
  get busKind(): BusKind {
    return this.#busKind
  }

  // ------------------------------------------------------------------------------------------
  // Accepting
  // ------------------------------------------------------------------------------------------

  /** Whether one more connection may be accepted. */
  #admits(): boolean {
    const max = this.options.limits.connections
    return !this.#closing && (max === 0 || this.hub.size < max)
  }

  /**
   * Handles a Node upgrade request (`server.on('upgrade', …)`) for this endpoint: completes the WebSocket
   * handshake with `ws` and runs the connection. Refuses with 503 while closing or at `limits.connections`.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, peer?: PeerRequest): void {
    if (!this.#admits()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#acceptWs(
        ws,
        peer ?? {
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [name, firstHeader(value)]),
          ),
          ip: request.socket.remoteAddress,
          origin: firstHeader(request.headers.origin),
        },
      )
    })
  }

  #acceptWs(ws: WebSocket, request: PeerRequest): void {
    const socket: PeerSocket = {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
      get bufferedAmount() {
        return ws.bufferedAmount
      },
      ping: () => ws.ping(),
    }
    const connection = this.#accept(socket, request)
    if (ws.protocol !== SUBPROTOCOL) {
      connection.close(
        CloseCodes.SUBPROTOCOL_NOT_ACCEPTABLE,
        `Subprotocol not acceptable: use ${SUBPROTOCOL}`,
      )
      return
    }
    ws.on('message', (data, isBinary) => connection.receive(isBinary ? undefined : data.toString()))
    ws.on('pong', () => connection.pong())
    ws.on('close', () => connection.closed())
    ws.on('error', () => connection.closed())
  }

  /**
   * Runs a connection over a runtime's own WebSocket (Deno's `Deno.upgradeWebSocket`, a web `WebSocket` on the
   * server side): call it with the socket before it opens. `subprotocol`: whether the client offered `ixp.v1`
   * (and the upgrade answer selected it); without it the socket is closed with 4406 once open.
   */
  acceptWebSocket(ws: globalThis.WebSocket, request: PeerRequest, subprotocol = true): void {
    if (!this.#admits()) {
      ws.addEventListener('open', () => ws.close(CloseCodes.GOING_AWAY, 'Server unavailable'))
      return
    }
    const socket: PeerSocket = {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.close(),
      get bufferedAmount() {
        return ws.bufferedAmount ?? 0
      },
    }
    const connection = this.#accept(socket, request)
    if (!subprotocol) {
      const refuse = () =>
        connection.close(
          CloseCodes.SUBPROTOCOL_NOT_ACCEPTABLE,
          `Subprotocol not acceptable: use ${SUBPROTOCOL}`,
        )
      if (ws.readyState === 1) refuse()
      else ws.addEventListener('open', refuse)
      return
    }
    ws.addEventListener('message', (event) =>
      connection.receive(typeof event.data === 'string' ? event.data : undefined),
    )
    ws.addEventListener('close', () => connection.closed())
    ws.addEventListener('error', () => connection.closed())
  }

  /**
   * Bun: upgrades a request on a `Bun.serve` server (call it from `fetch` for the endpoint's path; return nothing
   * from `fetch` when it is `true`). The sockets are then run by {@link bunWebSocket}'s handlers.
   */
  bunUpgrade(server: BunServer, request: Request, peer: PeerRequest): boolean {
    if (!this.#admits()) return false
    return bunUpgrade(server, request, peer)
  }

  /** Bun: the `websocket` handlers to give `Bun.serve` (sockets upgraded by {@link bunUpgrade}). */
  bunWebSocket(): BunWebSocketHandlers {
    return {
      open: (ws: BunSocket) => {
        const connection = this.#accept(bunSocket(ws), ws.data.ixp.peer)
        ws.data.ixp.connection = connection
        if (!ws.data.ixp.subprotocol) {
          connection.close(
            CloseCodes.SUBPROTOCOL_NOT_ACCEPTABLE,
            `Subprotocol not acceptable: use ${SUBPROTOCOL}`,
          )
        }
      },
      message: (ws, message) =>
        ws.data.ixp.connection?.receive(typeof message === 'string' ? message : undefined),
      close: (ws) => ws.data.ixp.connection?.closed(),
      pong: (ws) => ws.data.ixp.connection?.pong(),
    }
  }

  #accept(socket: PeerSocket, request: PeerRequest): Connection {
    const connection = new Connection(this, socket, request)
    this.#connections.add(connection)
    this.hub.add(connection)
    return connection
  }

  dropped(member: Connection | SseStream): void {
    if (member instanceof Connection) this.#connections.delete(member)
    else this.#streams.delete(member)
    this.hub.remove(member)
  }

  /** Opens a Server-Sent Events stream of one live subscription (the `GET <base>/live` route). */
  sse(request: Request, peer: PeerRequest): Response {
    if (!this.#admits()) return SseStream.unavailable()
    const stream = new SseStream(this, request, peer)
    this.#streams.add(stream)
    this.hub.add(stream)
    return stream.response()
  }

  // ------------------------------------------------------------------------------------------
  // Delivering
  // ------------------------------------------------------------------------------------------

  /** Sends an event to everyone in `room`, on every instance; returns how many local members got it. */
  broadcast(room: string, event: string, data: unknown): number {
    this.#bus?.publish({ kind: 'room', room, event, data })
    return this.hub.deliverRoom(room, eventFrame(event, data, room))
  }

  /** Sends an event to every connection, on every instance. */
  broadcastAll(event: string, data: unknown): number {
    this.#bus?.publish({ kind: 'all', event, data })
    return this.hub.deliverAll(eventFrame(event, data))
  }

  /** Sends an event to every connection of a user (by `userId`), on every instance. */
  sendToUser(userId: string, event: string, data: unknown): number {
    this.#bus?.publish({ kind: 'user', userId, event, data })
    return this.hub.deliverUser(userId, eventFrame(event, data))
  }

  /** This instance's connections (WebSocket and SSE); other instances hold their own. */
  connections(): ConnectionInfo[] {
    return [...this.#connections, ...this.#streams].map((member) => member.info())
  }

  /**
   * The connections of every instance that answers within `timeoutMs` (it always waits that long: nothing says
   * how many instances there are); this instance's at once without a bus. @default timeoutMs 500
   */
  clusterConnections({ timeoutMs = 500 }: { timeoutMs?: number } = {}): Promise<ClusterConnectionInfo[]> {
    return this.#census.gather(timeoutMs, this.#bus !== undefined)
  }

  #received(message: BusMessage): void {
    switch (message.kind) {
      case 'census':
      case 'census-reply':
        this.#census.received(message)
        return
      case 'room':
        this.hub.deliverRoom(message.room, eventFrame(message.event, message.data, message.room))
        return
      case 'all':
        this.hub.deliverAll(eventFrame(message.event, message.data))
        return
      case 'user':
        this.hub.deliverUser(message.userId, eventFrame(message.event, message.data))
        return
      case 'invalidate':
        // Through the engine, so every listener (a cache too) hears it, marked remote so nobody relays it again.
        this.engine.invalidate({ tags: message.tags, intents: message.intents, remote: true })
    }
  }

  #invalidated(invalidation: Invalidation): void {
    this.live.invalidate(invalidation)
    if (!invalidation.remote && this.#relay) {
      this.#bus!.publish({
        kind: 'invalidate',
        tags: [...invalidation.tags],
        intents: [...invalidation.intents],
      })
    }
  }

  #beat(): void {
    for (const connection of [...this.#connections]) connection.heartbeat()
  }

  // ------------------------------------------------------------------------------------------
  // Closing
  // ------------------------------------------------------------------------------------------

  get closing(): boolean {
    return this.#closing
  }

  /** Closes every connection of this instance with 1001 (going away), then the bus. */
  async close(): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    clearInterval(this.#heartbeat)
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
    for (const connection of [...this.#connections])
      connection.close(CloseCodes.GOING_AWAY, 'Server shutting down')
    for (const stream of [...this.#streams]) stream.end()
    this.#wss.close()
    await this.#bus?.close()
  }
}

/** An `event` frame, serialised once for every member it goes to. */
export function eventFrame(event: string, data: unknown, room?: string): string {
  return JSON.stringify({
    type: 'event',
    payload: room === undefined ? { event, data } : { room, event, data },
  })
}

export type { Member }
