/**
 * The bus through the plugin's own Redis pub/sub connections (ioredis), when no other plugin offers one (see
 * shared-bus.ts): one publishing connection and one subscribed connection per instance, one channel. Each message carries its sender's id so an instance skips its own. ioredis is loaded
 * only when a bus starts with a URL: the package imports without it (it is an optional peer).
 */
import type { Redis } from 'ioredis'
import type { Logger } from '@ixp/core'
import { isBusMessage, type BusMessage, type RealtimeBus } from './bus.js'

export class RedisBus implements RealtimeBus {
  readonly #instance = crypto.randomUUID()
  #publisher: Redis | undefined
  #subscriber: Redis | undefined
  #lastErrorAt = 0

  constructor(
    private readonly redis: string | Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  async start(listener: (message: BusMessage) => void): Promise<void> {
    const owned = typeof this.redis === 'string'
    // Named so `CLIENT LIST` tells them apart (a `connectionName` in the URL or the client wins).
    const publisher =
      typeof this.redis === 'string'
        ? new (await import('ioredis')).Redis(this.redis, {
            lazyConnect: true,
            maxRetriesPerRequest: 2,
            connectionName: 'ixp-realtime',
          })
        : this.redis
    const subscriber = publisher.duplicate({
      lazyConnect: true,
      connectionName: `${publisher.options.connectionName ?? 'ixp-realtime'}:realtime-bus`,
    })
    this.#publisher = publisher
    this.#subscriber = subscriber
    if (owned) publisher.on('error', (error: unknown) => this.#logError(error))
    subscriber.on('error', (error: unknown) => this.#logError(error))
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return
      let envelope: { from?: unknown; message?: unknown }
      try {
        envelope = JSON.parse(text) as { from?: unknown; message?: unknown }
      } catch {
        return
      }
      if (envelope.from === this.#instance || !isBusMessage(envelope.message)) return
      listener(envelope.message)
    })
    if (owned) await publisher.connect()
    await subscriber.connect()
    await subscriber.subscribe(this.channel)
  }

  publish(message: BusMessage): void {
    const publisher = this.#publisher
    if (publisher === undefined) return
    let text: string
    try {
      text = JSON.stringify({ from: this.#instance, message })
    } catch (error) {
      this.logger.warn('realtime: a message that is not JSON was not sent to other instances', {
        error: (error as Error).message,
      })
      return
    }
    publisher.publish(this.channel, text).catch((error: unknown) => this.#logError(error))
  }

  async close(): Promise<void> {
    const quit = (connection: Redis) => connection.quit().catch(() => connection.disconnect())
    if (this.#subscriber) await quit(this.#subscriber)
    if (this.#publisher && typeof this.redis === 'string') await quit(this.#publisher)
  }

  /** One log line per 10 s at most: a Redis outage must not flood the log. */
  #logError(error: unknown): void {
    const now = Date.now()
    if (now - this.#lastErrorAt < 10_000) return
    this.#lastErrorAt = now
    this.logger.warn('realtime: redis bus error', { error: (error as Error)?.message })
  }
}
