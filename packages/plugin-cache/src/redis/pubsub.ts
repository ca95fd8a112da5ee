/**
 * The store's pub/sub: ONE subscribed connection per store, multiplexing channels — the cache's own
 * invalidation channel and the topics of the {@link MessageBus} the store offers other plugins (plugin-realtime
 * shares it through `@ixp/core`'s `sharedBus`). Publishing goes over the store's command connection, through its
 * circuit and timeout, so a bus message fails fast like any other command.
 *
 * Bus messages travel as `{ from, message }` on `<prefix>bus:<topic>`; `from` (the store's instance id) keeps a
 * message from coming back to the instance that sent it.
 */
import type { MessageBus } from '@ixp/core/plugin-kit'
import type { Redis } from 'ioredis'
import { cacheError } from '../errors.js'
import { withTimeout } from '@ixp/core/plugin-kit'

/** What the pub/sub needs from its store. */
export interface PubSubHost {
  /** The store's command connection (the subscriber is its duplicate). */
  readonly client: Redis
  readonly prefix: string
  /** The store's instance id: messages carrying it are this instance's own. */
  readonly instance: string
  /** Longest wait for a subscription to be acknowledged before carrying on (it stays queued). */
  readonly subscribeTimeoutMs: number
  /** One command through the store's circuit and timeout. */
  run<T>(command: () => Promise<T>): Promise<T>
  /** Logs at most once per interval per `what`. */
  logThrottled(what: string, message: string, error: unknown): void
  /** The subscribed connection is (again) ready: messages published while it was down were lost. */
  subscriberReady(): void
}

type TextListener = (text: string) => void

export class RedisPubSub implements MessageBus {
  readonly name = 'redis'
  readonly #host: PubSubHost
  /** Listeners by channel; a channel is subscribed while it has one. */
  readonly #channels = new Map<string, Set<TextListener>>()
  #subscriber: Redis | undefined
  #closed = false

  constructor(host: PubSubHost) {
    this.#host = host
  }

  /** The subscribed connection's state (`'ready'` when listening), for the store's health check. */
  get status(): string {
    return this.#subscriber?.status ?? 'closed'
  }

  /** Opens the subscribed connection and subscribes every channel listened to so far. */
  async open(): Promise<void> {
    const client = this.#host.client
    const subscriber = client.duplicate({
      enableOfflineQueue: true,
      lazyConnect: true,
      connectionName: `${client.options.connectionName ?? 'ixp-cache'}:bus`,
    })
    this.#subscriber = subscriber
    subscriber.on('error', (error: unknown) =>
      this.#host.logThrottled('subscriber', 'cache: redis pub/sub connection error', error),
    )
    subscriber.on('message', (channel: string, text: string) => {
      for (const listener of this.#channels.get(channel) ?? []) listener(text)
    })
    // ioredis subscribes the channels again by itself on reconnecting; what was published meanwhile is lost.
    subscriber.on('ready', () => this.#host.subscriberReady())
    const channels = [...this.#channels.keys()]
    await subscriber.connect()
    if (channels.length > 0) await subscriber.subscribe(...channels)
  }

  /** After a failed {@link open}: queues the subscriptions, sent once the connection comes up. */
  subscribeLater(): void {
    const channels = [...this.#channels.keys()]
    if (this.#subscriber === undefined || channels.length === 0) return
    this.#subscriber.subscribe(...channels).catch((error: unknown) => {
      this.#host.logThrottled('subscriber', 'cache: redis pub/sub connection error', error)
    })
  }

  /**
   * Listens to a channel (raw text). Resolves once Redis acknowledged the subscription, or after
   * `subscribeTimeoutMs` while Redis is down (the subscription is then sent when it reconnects).
   */
  async listen(channel: string, listener: TextListener): Promise<() => void> {
    if (this.#closed) throw cacheError('CACHE_STORE_UNAVAILABLE', { reason: 'redis store is closed' })
    let listeners = this.#channels.get(channel)
    const first = listeners === undefined
    if (listeners === undefined) this.#channels.set(channel, (listeners = new Set()))
    listeners.add(listener)
    const subscriber = this.#subscriber
    if (first && subscriber !== undefined) {
      const subscribing = subscriber.subscribe(channel)
      try {
        await withTimeout(subscribing, this.#host.subscribeTimeoutMs, () => new Error('no answer'))
      } catch (error) {
        subscribing.catch(() => undefined)
        this.#host.logThrottled(
          'subscribe',
          `cache: redis did not confirm the subscription to ${channel}; listening once it answers`,
          error,
        )
      }
    }
    return () => this.#unlisten(channel, listener)
  }

  #unlisten(channel: string, listener: TextListener): void {
    const listeners = this.#channels.get(channel)
    if (listeners === undefined || !listeners.delete(listener) || listeners.size > 0) return
    this.#channels.delete(channel)
    if (!this.#closed) this.#subscriber?.unsubscribe(channel).catch(() => undefined)
  }

  // -------------------------------------------------------------------------------------------
  // The bus offered to other plugins
  // -------------------------------------------------------------------------------------------

  async publish(topic: string, message: unknown): Promise<void> {
    const channel = this.#topicChannel(topic)
    let text: string
    try {
      text = JSON.stringify({ from: this.#host.instance, message })
    } catch (error) {
      throw cacheError(
        'CACHE_INVALID_ARGUMENT',
        {
          method: 'bus.publish',
          expected: `a JSON-serialisable message (topic '${topic}': ${(error as Error).message})`,
        },
        { cause: error },
      )
    }
    await this.#host.run(() => this.#host.client.publish(channel, text))
  }

  async subscribe(topic: string, listener: (message: unknown) => void): Promise<() => void> {
    const channel = this.#topicChannel(topic)
    if (typeof listener !== 'function') {
      throw cacheError('CACHE_INVALID_ARGUMENT', {
        method: 'bus.subscribe',
        expected: `a listener function (topic '${topic}')`,
      })
    }
    return this.listen(channel, (text) => {
      let envelope: { from?: unknown; message?: unknown }
      try {
        envelope = JSON.parse(text) as { from?: unknown; message?: unknown }
      } catch {
        return
      }
      if (typeof envelope !== 'object' || envelope === null || envelope.from === this.#host.instance) return
      try {
        listener(envelope.message)
      } catch (error) {
        this.#host.logThrottled('bus-listener', `cache: a listener of bus topic '${topic}' threw`, error)
      }
    })
  }

  #topicChannel(topic: string): string {
    if (typeof topic !== 'string' || topic === '') {
      throw cacheError('CACHE_INVALID_ARGUMENT', {
        method: 'bus.publish/subscribe',
        expected: "a non-empty topic string, e.g. bus.publish('realtime', …)",
      })
    }
    return `${this.#host.prefix}bus:${topic}`
  }

  // -------------------------------------------------------------------------------------------

  /** Closes the subscribed connection (within `timeoutMs`, else drops it). */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#channels.clear()
    const subscriber = this.#subscriber
    if (subscriber === undefined) return
    try {
      await withTimeout(subscriber.quit(), timeoutMs, () => new Error('quit timed out'))
    } catch {
      subscriber.disconnect()
    }
  }
}
