/**
 * `clusterConnections()`: the connections of every instance, asked over the bus. The asking instance publishes a
 * `census` request; every instance that hears it answers with its own connections; the answers that arrive
 * within `timeoutMs` are gathered. Pub/sub cannot say how many instances listen, so the call always waits the
 * whole `timeoutMs` — an admin tool, not a hot path.
 */
import type { BusMessage } from './bus.js'
import { invalidOptions } from './errors.js'
import type { ConnectionInfo } from './options.js'

/** A connection of any instance, as it crosses the bus (its `user` stays on its instance). */
export interface ClusterConnectionInfo {
  readonly id: string
  readonly userId: string | undefined
  readonly ip: string | undefined
  readonly origin: string | undefined
  readonly rooms: readonly string[]
  readonly subscriptions: number
  readonly connectedAt: number
  readonly transport: 'ws' | 'sse'
  /** The instance holding it (a random id per realtime server). */
  readonly instance: string
}

/** Longest a census may wait, in ms: a caller waiting longer is better served by its own monitoring. */
const MAX_TIMEOUT_MS = 60_000

export class Census {
  readonly #pending = new Map<string, ClusterConnectionInfo[]>()

  constructor(
    private readonly instance: string,
    private readonly local: () => ConnectionInfo[],
    private readonly publish: (message: BusMessage) => void,
  ) {}

  /** This instance's connections in their bus form. */
  #mine(): ClusterConnectionInfo[] {
    return this.local().map((info) => ({
      id: info.id,
      userId: info.userId,
      ip: info.ip,
      origin: info.origin,
      rooms: [...info.rooms],
      subscriptions: info.subscriptions,
      connectedAt: info.connectedAt,
      transport: info.transport,
      instance: this.instance,
    }))
  }

  /** Every instance's connections that answered within `timeoutMs`; this one's only when `acrossInstances` is false. */
  async gather(timeoutMs: number, acrossInstances: boolean): Promise<ClusterConnectionInfo[]> {
    if (
      typeof timeoutMs !== 'number' ||
      !Number.isInteger(timeoutMs) ||
      timeoutMs < 1 ||
      timeoutMs > MAX_TIMEOUT_MS
    ) {
      throw invalidOptions(
        `clusterConnections({ timeoutMs }): timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(timeoutMs)}`,
      )
    }
    const gathered = this.#mine()
    if (!acrossInstances) return gathered
    const request = crypto.randomUUID()
    this.#pending.set(request, gathered)
    this.publish({ kind: 'census', request })
    await new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))
    this.#pending.delete(request)
    return gathered
  }

  /** A census message from another instance: answer a request, or file an answer to one of ours. */
  received(message: Extract<BusMessage, { kind: 'census' | 'census-reply' }>): void {
    if (message.kind === 'census') {
      this.publish({ kind: 'census-reply', request: message.request, connections: this.#mine() })
      return
    }
    this.#pending.get(message.request)?.push(...message.connections)
  }
}
