/**
 * The message bus between the instances of one application, as a typed contract between plugins: a plugin that
 * holds a pub/sub connection (plugin-cache's Redis store) offers it through the {@link sharedBus} extension, and
 * others (plugin-realtime) use it instead of opening their own — so an application with both keeps one
 * pub/sub connection pair per instance. Topics multiplex the bus: each user picks its own.
 */
import { defineExtension, type Extension } from './plugin-host/extensions.js'

/** A publish/subscribe channel to every other instance of the application. */
export interface MessageBus {
  /** Short name of the transport, for logs (`'redis'`). */
  readonly name: string
  /**
   * Sends a JSON-serialisable message on `topic` to every other instance; it is never delivered back to this
   * one. Rejects (with an `IxpError`) when the message could not be sent: a bus is at-most-once.
   */
  publish(topic: string, message: unknown): Promise<void>
  /**
   * Receives what other instances publish on `topic` (messages as they were parsed, to be checked by the
   * listener). Resolves once listening — or, when the transport is down, once the subscription is queued for
   * when it comes back: it never hangs. Resolves to a function that stops listening.
   */
  subscribe(topic: string, listener: (message: unknown) => void): Promise<() => void>
}

/** A bus one plugin offers the others. */
export interface BusOffer {
  readonly bus: MessageBus
  /** The plugin offering it (for logs and `describe`). */
  readonly by: string
  /**
   * Whether the offering plugin already carries the engine's invalidations to every instance (re-emitting them
   * there as `engine.invalidate({ …, remote: true })`): then a user of the bus must not relay them again.
   */
  readonly relaysInvalidations: boolean
}

/** One engine's shared bus: offered by one plugin, used by any. */
export interface SharedBus {
  /**
   * Offers a bus; the first offer standing is the one used (a later one waits its turn). Returns the function
   * that withdraws it (call it in the offering plugin's teardown, before the bus closes).
   */
  offer(offer: BusOffer): () => void
  /** The offer in use, or `undefined` when no plugin offers a bus. */
  readonly current: BusOffer | undefined
}

class BusSlot implements SharedBus {
  readonly #offers: BusOffer[] = []

  offer(offer: BusOffer): () => void {
    // A copy: the caller's object may change later, the offer must not.
    const held = Object.freeze({
      bus: offer.bus,
      by: offer.by,
      relaysInvalidations: offer.relaysInvalidations,
    })
    this.#offers.push(held)
    return () => {
      const index = this.#offers.indexOf(held)
      if (index >= 0) this.#offers.splice(index, 1)
    }
  }

  get current(): BusOffer | undefined {
    return this.#offers[0]
  }
}

/**
 * The engine's shared bus: `engine.extension(sharedBus).offer({ bus, by, relaysInvalidations })` to offer one,
 * `engine.extension(sharedBus).current` to find it. Plugins are applied in order, so a user looks for it once
 * every plugin is applied (in a `ready` tap), whatever the order they were installed in.
 */
export const sharedBus: Extension<SharedBus> = defineExtension('@ixp/core.shared-bus', () => new BusSlot())
