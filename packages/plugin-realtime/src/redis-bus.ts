/**
 * The bus through Redis pub/sub (ioredis): one publishing connection and one subscribed connection per
 * instance, one channel. Each message carries its sender's id so an instance skips its own.
 */
import { Redis } from 'ioredis'
import type { Logger } from '@ixp/core'
import { isBusMessage, type BusMessage, type RealtimeBus } from './bus.js'

export class RedisBus implements RealtimeBus {
  readonly #instance = crypto.randomUUID()
  readonly #publisher: Redis
  readonly #subscriber: Redis
  readonly #ownsPublisher: boolean
  #lastErrorAt = 0

  constructor(
    redis: string | Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    this.#ownsPublisher = typeof redis === 'string'
    this.#publisher =
      typeof redis === 'string' ? new Redis(redis, { lazyConnect: true, maxRetriesPerRequest: 2 }) : redis
    this.#subscriber = this.#publisher.duplicate({ lazyConnect: true })
    for (const connection of [this.#publisher, this.#subscriber]) {
      connection.on('error', (error: unknown) => this.#logError(error))
    }
  }

  async start(listener: (message: BusMessage) => void): Promise<void> {
    this.#subscriber.on('message', (channel: string, text: string) => {
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
    if (this.#ownsPublisher) await this.#publisher.connect()
    await this.#subscriber.connect()
    await this.#subscriber.subscribe(this.channel)
  }

  publish(message: BusMessage): void {
    let text: string
    try {
      text = JSON.stringify({ from: this.#instance, message })
    } catch (error) {
      this.logger.warn('realtime: a message that is not JSON was not sent to other instances', {
        error: (error as Error).message,
      })
      return
    }
    this.#publisher.publish(this.channel, text).catch((error: unknown) => this.#logError(error))
  }

  async close(): Promise<void> {
    const quit = (connection: Redis) => connection.quit().catch(() => connection.disconnect())
    await quit(this.#subscriber)
    if (this.#ownsPublisher) await quit(this.#publisher)
  }

  /** One log line per 10 s at most: a Redis outage must not flood the log. */
  #logError(error: unknown): void {
    const now = Date.now()
    if (now - this.#lastErrorAt < 10_000) return
    this.#lastErrorAt = now
    this.logger.warn('realtime: redis bus error', { error: (error as Error)?.message })
  }
}
