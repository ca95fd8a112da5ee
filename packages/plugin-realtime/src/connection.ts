/**
 * One `ixp.v1` WebSocket connection: the init handshake, the operations (render, resolve, subscribe, rooms), the
 * per-socket limits and the bounded send queue. Transport-neutral: it talks to a {@link PeerSocket}.
 */
import type { Engine, IxpContext, IxpError, Logger } from '@ixp/core'
import { errorObject, renderBody, resolveBody, statusOf } from './answers.js'
import { CloseCodes, realtimeError } from './errors.js'
import type { LocalHub, Member } from './hub.js'
import type { LiveRegistry, LiveSubscription, SubscriptionOwner } from './live.js'
import type { ConnectionInfo, ResolvedOptions } from './options.js'
import { closeReason, type PeerRequest, type PeerSocket } from './peer.js'
import { isProblem, parseClientFrame, type ClientFrame, type ServerFrame } from './protocol.js'

/** What a connection uses of the server that accepted it. */
export interface ConnectionHost {
  readonly engine: Engine
  readonly logger: Logger
  readonly options: ResolvedOptions
  readonly hub: LocalHub
  readonly live: LiveRegistry
  /** The connection is gone (closed by either side). */
  dropped(connection: Connection): void
}

/** Headers a client may not set through `connection_init`: they describe the network path, not the caller. */
const TRANSPORT_HEADERS =
  /^(host|origin|forwarded|x-forwarded-.*|x-real-ip|cf-connecting-ip|fly-client-ip|true-client-ip|connection|upgrade|sec-websocket-.*|content-length|content-type|transfer-encoding)$/

type State = 'awaiting-init' | 'initialising' | 'ready' | 'closed'

interface Operation {
  cancel(): void
  subscription?: LiveSubscription
}

export class Connection implements Member, SubscriptionOwner {
  readonly id = crypto.randomUUID()
  readonly rooms = new Set<string>()
  readonly connectedAt = Date.now()
  /** Cleared by each heartbeat, set by anything the peer sends. */
  alive = true
  #state: State = 'awaiting-init'
  #headers: Record<string, string | undefined>
  #user: unknown
  #userId: string | undefined
  #initTimer: ReturnType<typeof setTimeout> | undefined
  readonly #operations = new Map<string, Operation>()
  #subscriptions = 0
  #invalidFrames = 0
  #tokens: number
  #refilledAt = Date.now()

  constructor(
    private readonly host: ConnectionHost,
    private readonly socket: PeerSocket,
    private readonly request: PeerRequest,
  ) {
    this.#headers = { ...request.headers }
    this.#tokens = host.options.limits.operationsPerSecond
    this.#initTimer = setTimeout(
      () => this.close(CloseCodes.INIT_TIMEOUT, 'Connection initialisation timeout'),
      host.options.connectionInitTimeoutMs,
    )
    this.#initTimer.unref?.()
  }

  get userId(): string | undefined {
    return this.#userId
  }

  get isOpen(): boolean {
    return this.#state !== 'closed'
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      user: this.#user,
      userId: this.#userId,
      ip: this.request.ip,
      origin: this.request.origin,
      rooms: new Set(this.rooms),
      subscriptions: this.#subscriptions,
      connectedAt: this.connectedAt,
      transport: 'ws',
    }
  }

  // ------------------------------------------------------------------------------------------
  // Sending
  // ------------------------------------------------------------------------------------------

  deliver(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame))
  }

  /** Sends unless the peer already has `maxBufferedBytes` queued: then it is dropped as a slow consumer. */
  sendText(text: string): void {
    if (this.#state === 'closed') return
    if (this.socket.bufferedAmount + text.length > this.host.options.limits.maxBufferedBytes) {
      this.close(CloseCodes.SLOW_CONSUMER, 'Slow consumer: too much data queued')
      this.socket.terminate()
      return
    }
    try {
      this.socket.send(text)
    } catch {
      this.closed()
    }
  }

  #refuse(error: IxpError, id?: string): void {
    const payload = errorObject(error, this.host.logger, {})
    this.deliver(id === undefined ? { type: 'error', payload } : { type: 'error', id, payload })
  }

  // ------------------------------------------------------------------------------------------
  // Receiving
  // ------------------------------------------------------------------------------------------

  /** A frame from the peer: its text, or `undefined` for a binary frame. */
  receive(text: string | undefined): void {
    if (this.#state === 'closed') return
    this.alive = true
    if (text === undefined) return this.#invalid('Frames must be text (JSON); binary frames are not used')
    if (text.length > this.host.options.limits.maxFrameBytes) {
      return this.close(CloseCodes.MESSAGE_TOO_BIG, 'Frame too large')
    }
    const frame = parseClientFrame(text)
    if (isProblem(frame)) return this.#invalid(frame.problem, frame.id)
    if (frame.type === 'pong') return
    if (frame.type !== 'complete' && frame.type !== 'connection_init' && !this.#takeToken()) {
      return this.#refuse(
        realtimeError('REALTIME_RATE_LIMITED', {
          operationsPerSecond: this.host.options.limits.operationsPerSecond,
        }),
        'id' in frame ? frame.id : undefined,
      )
    }
    this.#dispatch(frame)
  }

  /** A transport-level pong. */
  pong(): void {
    this.alive = true
  }

  #invalid(problem: string, id?: string): void {
    this.#invalidFrames += 1
    if (this.#invalidFrames > this.host.options.limits.maxInvalidMessages) {
      return this.close(CloseCodes.BAD_REQUEST, 'Too many invalid messages')
    }
    this.#refuse(realtimeError('INVALID_MESSAGE', { problem }), id)
  }

  #takeToken(): boolean {
    const rate = this.host.options.limits.operationsPerSecond
    const now = Date.now()
    this.#tokens = Math.min(rate, this.#tokens + ((now - this.#refilledAt) * rate) / 1000)
    this.#refilledAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  #dispatch(frame: ClientFrame): void {
    switch (frame.type) {
      case 'connection_init':
        void this.#init(frame.payload.headers ?? {})
        return
      case 'pong':
        return
      case 'ping':
        return this.deliver(
          frame.payload === undefined ? { type: 'pong' } : { type: 'pong', payload: frame.payload },
        )
      case 'complete':
        return this.#complete(frame.id)
    }
    if (this.#state !== 'ready')
      return this.close(CloseCodes.UNAUTHORIZED, 'Unauthorized: send connection_init first')
    if (this.#operations.has(frame.id)) {
      return this.close(CloseCodes.DUPLICATE_ID, closeReason(`Operation id '${frame.id}' is already active`))
    }
    switch (frame.type) {
      case 'render':
        return this.#once(frame.id, 'render', (ctx) =>
          renderBody(this.host.engine, frame.payload, ctx).then((r) => r.answer),
        )
      case 'resolve':
        return this.#once(frame.id, 'resolve', (ctx) => resolveBody(this.host.engine, frame.payload, ctx))
      case 'subscribe':
        return this.#subscribe(frame.id, frame.payload)
      case 'join':
        return this.#once(frame.id, 'join', () => this.#join(frame.payload.room))
      case 'leave':
        return this.#once(frame.id, 'leave', async () => {
          this.host.hub.leave(this, frame.payload.room)
          return { room: frame.payload.room, joined: false }
        })
    }
  }

  // ------------------------------------------------------------------------------------------
  // Handshake
  // ------------------------------------------------------------------------------------------

  async #init(initHeaders: Record<string, string>): Promise<void> {
    if (this.#state !== 'awaiting-init')
      return this.close(CloseCodes.TOO_MANY_INIT, 'Too many initialisation requests')
    this.#state = 'initialising'
    for (const [name, value] of Object.entries(initHeaders)) {
      if (!TRANSPORT_HEADERS.test(name) && this.#headers[name] === undefined) this.#headers[name] = value
    }
    const { authenticate, anonymous, userId } = this.host.options
    try {
      const user = authenticate
        ? await authenticate(this.context('connection_init', new AbortController().signal))
        : undefined
      if (user === undefined && !anonymous) {
        throw realtimeError('NOT_ACKNOWLEDGED')
      }
      this.#user = user
      this.#userId = user === undefined ? undefined : userId(user)
    } catch (error) {
      const status = statusOf(error)
      const code = status === 403 ? CloseCodes.FORBIDDEN : CloseCodes.UNAUTHORIZED
      const message = status === 403 || status === 401 ? (error as Error).message : 'Unauthorized'
      return this.close(code, closeReason(message))
    }
    if (this.#state !== 'initialising') return
    clearTimeout(this.#initTimer)
    this.#state = 'ready'
    this.host.hub.identify(this)
    this.deliver({ type: 'connection_ack', payload: { connectionId: this.id } })
  }

  /** A fresh context for one operation: the connection's credentials, address and origin. */
  context(id: string, signal: AbortSignal): IxpContext {
    const ctx: IxpContext = {
      headers: { ...this.#headers },
      requestId: `${this.id}:${id}`,
      signal,
    }
    if (this.request.ip !== undefined) ctx.ip = this.request.ip
    if (this.request.origin !== undefined) ctx.origin = this.request.origin
    return ctx
  }

  // ------------------------------------------------------------------------------------------
  // Operations
  // ------------------------------------------------------------------------------------------

  /** An operation with one answer: `result`, or `error`; nothing when the client completed it first. */
  #once(id: string, operation: string, run: (ctx: IxpContext) => Promise<unknown>): void {
    const abort = new AbortController()
    const entry: Operation = { cancel: () => abort.abort() }
    this.#operations.set(id, entry)
    const active = () => this.#operations.get(id) === entry && this.#state === 'ready'
    run(this.context(id, abort.signal)).then(
      (payload) => {
        if (!active()) return
        this.#operations.delete(id)
        this.deliver({ type: 'result', id, payload })
      },
      (error: unknown) => {
        if (!active()) return
        this.#operations.delete(id)
        this.deliver({
          type: 'error',
          id,
          payload: errorObject(error, this.host.logger, { operation, id, connection: this.id }),
        })
      },
    )
  }

  #subscribe(id: string, body: Record<string, unknown>): void {
    const limit = this.host.options.limits.subscriptions
    if (this.#subscriptions >= limit) {
      return this.#refuse(realtimeError('TOO_MANY_SUBSCRIPTIONS', { limit }), id)
    }
    this.#subscriptions += 1
    const entry: Operation = { cancel: () => entry.subscription?.stop() }
    this.#operations.set(id, entry)
    entry.subscription = this.host.live.subscribe(this, id, body)
  }

  /** The subscription `id` ended on the server's side. */
  ended(id: string): void {
    const entry = this.#operations.get(id)
    if (entry?.subscription === undefined) return
    this.#operations.delete(id)
    this.#subscriptions -= 1
  }

  #complete(id: string): void {
    const entry = this.#operations.get(id)
    if (entry === undefined) return
    this.#operations.delete(id)
    if (entry.subscription !== undefined) this.#subscriptions -= 1
    entry.cancel()
  }

  async #join(room: string): Promise<unknown> {
    const { authorizeRoom, limits } = this.host.options
    if (this.rooms.has(room)) return { room, joined: true }
    if (this.rooms.size >= limits.rooms) {
      throw realtimeError('TOO_MANY_ROOMS', { limit: limits.rooms })
    }
    if (authorizeRoom === undefined) {
      throw realtimeError(
        'ROOM_FORBIDDEN',
        { room, hint: ': joining rooms is not enabled on this server (no authorizeRoom option)' },
        { details: { room } },
      )
    }
    if (!(await authorizeRoom(room, this.info()))) {
      throw realtimeError('ROOM_FORBIDDEN', { room, hint: '' }, { details: { room } })
    }
    if (this.#state === 'ready') this.host.hub.join(this, room)
    return { room, joined: true }
  }

  // ------------------------------------------------------------------------------------------
  // Closing
  // ------------------------------------------------------------------------------------------

  /** Closes with a code and reason (once); operations are cancelled. */
  close(code: number, reason: string): void {
    if (this.#state === 'closed') return
    this.closed()
    try {
      this.socket.close(code, reason)
    } catch {
      this.socket.terminate()
    }
  }

  /** The socket is gone: cancel everything, leave every room. */
  closed(): void {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    clearTimeout(this.#initTimer)
    for (const entry of this.#operations.values()) entry.cancel()
    this.#operations.clear()
    this.#subscriptions = 0
    this.host.dropped(this)
  }

  /** Heartbeat tick: a peer that sent nothing since the last tick is dropped; others are pinged. */
  heartbeat(): void {
    if (this.#state === 'closed') return
    if (!this.alive) {
      this.closed()
      this.socket.terminate()
      return
    }
    this.alive = false
    if (this.socket.ping) this.socket.ping()
    else this.deliver({ type: 'ping' })
  }
}
