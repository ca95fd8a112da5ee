/**
 * A live subscription over Server-Sent Events, for clients whose network blocks WebSockets:
 * `GET <base>/live?intent=<name>&parameters=<JSON>` (or `?query=<free text>`). The stream sends `next` events
 * with the render answer, `error` events with the error object, `complete` when the server ends it, and
 * `event` events for `broadcastAll` and `sendToUser`. Credentials are the request's own headers (cookies,
 * `authorization` for fetch-based readers), checked again on every re-render.
 */
import { coreError, isObject, type IxpContext } from '@ixp/core'
import { errorObject, statusOf } from './answers.js'
import { realtimeError } from './errors.js'
import type { Member } from './hub.js'
import type { LiveSubscription, SubscriptionOwner } from './live.js'
import type { ConnectionInfo } from './options.js'
import type { PeerRequest } from './peer.js'
import type { RenderBody, ServerFrame } from './protocol.js'
import type { RealtimeServer } from './server.js'

const SUBSCRIPTION_ID = 'live'
const encoder = new TextEncoder()

function errorResponse(status: number, payload: unknown): Response {
  return new Response(JSON.stringify({ error: payload }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  })
}

/** The render body of an SSE request's query string, or the reason it has none. */
export function sseBody(url: URL): RenderBody | string {
  const intent = url.searchParams.get('intent')
  const query = url.searchParams.get('query')
  const parametersText = url.searchParams.get('parameters')
  let parameters: unknown
  if (parametersText !== null) {
    try {
      parameters = JSON.parse(parametersText)
    } catch {
      return "'parameters' must be a JSON object"
    }
    if (!isObject(parameters)) {
      return "'parameters' must be a JSON object"
    }
  }
  if (intent !== null && intent !== '') return { intent: { name: intent, parameters: parameters ?? {} } }
  if (query !== null && query.trim() !== '') {
    return parameters === undefined ? { query } : { query, parameters }
  }
  return "Name what to render: '?intent=<name>&parameters=<JSON>' or '?query=<free text>'"
}

export class SseStream implements Member, SubscriptionOwner {
  readonly id = crypto.randomUUID()
  readonly rooms = new Set<string>()
  readonly connectedAt = Date.now()
  #userId: string | undefined
  #user: unknown
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined
  #subscription: LiveSubscription | undefined
  #keepAlive: ReturnType<typeof setInterval> | undefined
  #ended = false

  static unavailable(): Response {
    const error = realtimeError('REALTIME_CLOSING')
    return errorResponse(error.status, {
      code: error.code,
      message: error.message,
      timestamp: new Date().toISOString(),
    })
  }

  constructor(
    private readonly server: RealtimeServer,
    private readonly request: Request,
    private readonly peer: PeerRequest,
  ) {}

  get userId(): string | undefined {
    return this.#userId
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      user: this.#user,
      userId: this.#userId,
      ip: this.peer.ip,
      origin: this.peer.origin,
      rooms: new Set(),
      subscriptions: this.#subscription === undefined ? 0 : 1,
      connectedAt: this.connectedAt,
      transport: 'sse',
    }
  }

  /** The streaming response; the subscription starts when the client starts reading. */
  response(): Response {
    const body = sseBody(new URL(this.request.url))
    if (typeof body === 'string') {
      this.end()
      const error = coreError('INVALID_REQUEST', { reason: body })
      return errorResponse(error.status, {
        code: error.code,
        message: error.message,
        timestamp: new Date().toISOString(),
      })
    }
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
          controller.enqueue(encoder.encode(': ixp live\n\n'))
          void this.#begin(body)
        },
        cancel: () => this.end(),
      },
      { highWaterMark: this.server.options.limits.maxBufferedBytes, size: (chunk) => chunk.byteLength },
    )
    this.request.signal?.addEventListener('abort', () => this.end(), { once: true })
    return new Response(stream, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      },
    })
  }

  async #begin(body: RenderBody): Promise<void> {
    const { authenticate, userId } = this.server.options
    if (authenticate) {
      try {
        this.#user = await authenticate(this.context('connect', new AbortController().signal))
        this.#userId = this.#user === undefined ? undefined : userId(this.#user)
        this.server.hub.identify(this)
      } catch (error) {
        const status = statusOf(error)
        this.#write('error', errorObject(error, this.server.logger, { operation: 'sse', status }))
        this.end()
        return
      }
    }
    if (this.#ended) return
    this.#subscription = this.server.live.subscribe(this, SUBSCRIPTION_ID, body)
    this.#keepAlive = setInterval(() => this.#send(': keep-alive\n\n'), this.server.options.sseKeepAliveMs)
    this.#keepAlive.unref?.()
  }

  context(id: string, signal: AbortSignal): IxpContext {
    const ctx: IxpContext = { headers: { ...this.peer.headers }, requestId: `${this.id}:${id}`, signal }
    if (this.peer.ip !== undefined) ctx.ip = this.peer.ip
    if (this.peer.origin !== undefined) ctx.origin = this.peer.origin
    return ctx
  }

  deliver(frame: ServerFrame): void {
    if (frame.type === 'next' || frame.type === 'error') this.#write(frame.type, frame.payload)
    else if (frame.type === 'complete') this.#write('complete', null)
  }

  ended(): void {
    this.end()
  }

  /** An `event` frame from the hub: sent as an SSE `event` with the frame's payload. */
  sendText(text: string): void {
    const payload = (JSON.parse(text) as { payload: unknown }).payload
    this.#write('event', payload)
  }

  #write(event: string, data: unknown): void {
    this.#send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  #send(text: string): void {
    const controller = this.#controller
    if (this.#ended || controller === undefined) return
    // desiredSize below 0: the client has not read maxBufferedBytes already queued — a slow consumer.
    if ((controller.desiredSize ?? 0) <= 0) return this.end()
    controller.enqueue(encoder.encode(text))
  }

  /** Ends the stream and its subscription. */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#keepAlive)
    this.#subscription?.stop()
    try {
      this.#controller?.close()
    } catch {
      // Already closed by the client.
    }
    this.server.dropped(this)
  }
}
