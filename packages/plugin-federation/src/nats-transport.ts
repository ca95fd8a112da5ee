/**
 * NATS transport of the gateway: finds the instances of a `natsService()` through the micro-services API
 * (`$SRV.INFO.<name>`), sends each call as a request to the endpoint's subject (the instances share a queue
 * group, so NATS balances them and skips one that is gone), and listens for the instances' change
 * announcements to refresh the gateway's lists at once.
 */
import {
  ErrorCode,
  RequestStrategy,
  ServiceError,
  connect,
  type NatsConnection,
  type NatsError,
  type Subscription,
} from 'nats'
import { changesSubject, decode, encode, headersOf, IXP_METADATA_KEY, toNatsHeaders } from './nats-wire.js'
import {
  OPERATIONS,
  PASSED_HEADERS,
  UnreachableError,
  type CallOptions,
  type Operation,
  type Transport,
  type TransportReport,
  type WireAnswer,
} from './transport.js'

/** How long discovery waits for more instances after the first one answered. */
const DISCOVERY_JITTER_MS = 100

export class NatsTransport implements Transport {
  readonly kind = 'nats'
  readonly #servers: string[]
  readonly #service: string
  readonly #timeoutMs: number
  #connection: NatsConnection | undefined
  #changes: Subscription | undefined
  #subjects = new Map<Operation, string>()
  #instances: string[] = []

  constructor(servers: string[], service: string, timeoutMs: number) {
    this.#servers = servers
    this.#service = service
    this.#timeoutMs = timeoutMs
  }

  async start(onChange: () => void): Promise<void> {
    if (this.#connection) return
    try {
      this.#connection = await connect({
        servers: this.#servers,
        name: `ixp-gateway:${this.#service}`,
        maxReconnectAttempts: -1,
        timeout: this.#timeoutMs,
      })
    } catch (error) {
      throw new UnreachableError(
        `NATS at ${this.#servers.join(', ')} cannot be reached: ${(error as Error).message}`,
        { cause: error },
      )
    }
    this.#changes = this.#connection.subscribe(changesSubject(this.#service), { callback: () => onChange() })
  }

  /** Asks every instance of the service for its info; the endpoints of IXP instances become the subjects. */
  async refresh(): Promise<void> {
    const connection = this.#required()
    const client = connection.services.client({
      strategy: RequestStrategy.JitterTimer,
      maxWait: this.#timeoutMs,
      jitter: DISCOVERY_JITTER_MS,
    })
    const instances: string[] = []
    const subjects = new Map<Operation, string>()
    for await (const info of await client.info(this.#service)) {
      if (info.metadata?.[IXP_METADATA_KEY] === undefined) continue
      instances.push(info.id)
      for (const endpoint of info.endpoints ?? []) {
        const operation = OPERATIONS.find((name) => name === endpoint.name)
        if (operation && !subjects.has(operation)) subjects.set(operation, endpoint.subject)
      }
    }
    this.#instances = instances
    // Instances that are gone leave the last subjects in place: a new instance answers on the same ones.
    if (subjects.size > 0) this.#subjects = subjects
  }

  describe(): TransportReport {
    return { available: this.#instances.length, total: this.#instances.length, instances: this.#instances }
  }

  async call(operation: Operation, options: CallOptions): Promise<WireAnswer> {
    const connection = this.#required()
    // Subjects are learnt by refresh(), which always runs before the lists are fetched: none known means no
    // instance was ever found.
    const subject = this.#subjects.get(operation)
    if (subject === undefined) {
      throw new UnreachableError(`no instance of NATS service '${this.#service}' answers`)
    }
    const request = connection.request(subject, encode(JSON.stringify(options.body ?? {})), {
      // The gateway's timeout policy aborts first; this only bounds a request nobody waits for any more.
      timeout: this.#timeoutMs * 2,
      headers: toNatsHeaders(options.headers),
    })
    let message
    try {
      message = await abortable(request, options.signal)
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason ?? error
      const code = (error as NatsError).code
      if (
        code === ErrorCode.NoResponders ||
        code === ErrorCode.Disconnect ||
        code === ErrorCode.ConnectionClosed
      ) {
        throw new UnreachableError(`no instance of NATS service '${this.#service}' answered (${code})`, {
          cause: error,
        })
      }
      throw error
    }
    const answerHeaders = headersOf(message.headers)
    const passed: Record<string, string> = {}
    for (const name of PASSED_HEADERS)
      if (answerHeaders[name] !== undefined) passed[name] = answerHeaders[name]
    const failure = ServiceError.toServiceError(message)
    return { status: failure ? failure.code : 200, body: decode(message.data), headers: passed }
  }

  async close(): Promise<void> {
    this.#changes?.unsubscribe()
    const connection = this.#connection
    this.#connection = undefined
    if (connection && !connection.isClosed()) await connection.close()
  }

  #required(): NatsConnection {
    if (!this.#connection) throw new UnreachableError('the NATS transport is not connected')
    return this.#connection
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
