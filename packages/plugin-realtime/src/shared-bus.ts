/**
 * The realtime bus over a bus another plugin offers (`@ixp/core`'s `sharedBus`; plugin-cache's Redis store offers
 * one): this plugin's messages travel on one topic of it, over that plugin's connections — no connection of its
 * own. The provider keeps a message from coming back to the instance that sent it.
 */
import type { Logger } from '@ixp/core'
import type { BusOffer } from '@ixp/core/plugin-kit'
import { isBusMessage, type BusMessage, type RealtimeBus } from './bus.js'

/** The topic this plugin's messages use on a shared bus. */
export const REALTIME_TOPIC = 'realtime'

export class SharedRealtimeBus implements RealtimeBus {
  readonly #offer: BusOffer
  readonly #logger: Logger
  #unsubscribe: (() => void) | undefined
  #closed = false
  #lastErrorAt = 0

  constructor(offer: BusOffer, logger: Logger) {
    this.#offer = offer
    this.#logger = logger
  }

  /** Who offers the bus (the plugin's name). */
  get by(): string {
    return this.#offer.by
  }

  /** Whether the provider already carries invalidations between instances (then this plugin does not). */
  get relaysInvalidations(): boolean {
    return this.#offer.relaysInvalidations
  }

  async start(listener: (message: BusMessage) => void): Promise<void> {
    const unsubscribe = await this.#offer.bus.subscribe(REALTIME_TOPIC, (message) => {
      if (isBusMessage(message)) listener(message)
    })
    // Closed while subscribing: stop at once.
    if (this.#closed) unsubscribe()
    else this.#unsubscribe = unsubscribe
  }

  publish(message: BusMessage): void {
    if (this.#closed) return
    this.#offer.bus.publish(REALTIME_TOPIC, message).catch((error: unknown) => this.#logError(error))
  }

  /** Stops listening; the connections are the provider's, which closes them. */
  async close(): Promise<void> {
    this.#closed = true
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** One log line per 10 s at most: an outage of the provider's transport must not flood the log. */
  #logError(error: unknown): void {
    const now = Date.now()
    if (now - this.#lastErrorAt < 10_000) return
    this.#lastErrorAt = now
    this.#logger.warn(`realtime: a message could not be sent on the bus of ${this.#offer.by}`, {
      error: (error as Error)?.message,
    })
  }
}
