/**
 * Live subscriptions: a render kept up to date. Each is filed under its intent and its render's tags; an
 * invalidation naming either re-renders it — once per burst (invalidations within `coalesceMs`, or arriving while
 * a render runs, cause one more render) — and the new answer is pushed as `next`. Every re-render is a full render
 * with the subscriber's credentials, so admission runs again: a caller whose access was revoked gets an `error`
 * and a `complete`, and stops receiving.
 */
import type { Engine, IxpContext, Logger } from '@ixp/core'
import { errorObject, renderBody, statusOf } from './answers.js'
import type { RenderBody, ServerFrame } from './protocol.js'

/** Whoever holds subscriptions: a WebSocket connection or an SSE stream. */
export interface SubscriptionOwner {
  /** A fresh context for one render of operation `id` (the owner's credentials, address, origin). */
  context(id: string, signal: AbortSignal): IxpContext
  deliver(frame: ServerFrame): void
  /** The subscription ended on the server's side (its `error` / `complete` frame was delivered). */
  ended(id: string): void
}

/** What an invalidation names (contract of `engine.invalidate`). */
export interface InvalidationTargets {
  readonly tags: readonly string[]
  readonly intents: readonly string[]
}

/** Statuses that end a subscription: the caller may no longer see it, or it no longer exists. */
const ENDING_STATUSES = new Set([401, 403, 404, 410])

export class LiveSubscription {
  #intent: string | undefined
  #tags: readonly string[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #running = false
  #dirty = false
  #stopped = false
  #abort = new AbortController()

  constructor(
    private readonly registry: LiveRegistry,
    private readonly owner: SubscriptionOwner,
    readonly id: string,
    private readonly body: RenderBody,
  ) {}

  get intent(): string | undefined {
    return this.#intent
  }

  get tags(): readonly string[] {
    return this.#tags
  }

  /** Renders now; the first answer is `next`, a first failure is `error` (and the subscription never starts). */
  start(): void {
    this.#render(true)
  }

  /** Asks for a re-render (coalesced). */
  invalidate(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#dirty = true
      return
    }
    if (this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#render(false)
    }, this.registry.coalesceMs)
  }

  /** Stops it (the client completed it, or its owner went away); no frame is sent. */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#abort.abort()
    this.registry.unindex(this)
  }

  /** Ends it from the server's side with a `complete` (its intent was removed). */
  complete(): void {
    if (this.#stopped) return
    this.stop()
    this.owner.deliver({ type: 'complete', id: this.id })
    this.owner.ended(this.id)
  }

  #render(first: boolean): void {
    this.#running = true
    this.#abort = new AbortController()
    const ctx = this.owner.context(this.id, this.#abort.signal)
    renderBody(this.registry.engine, this.body, ctx).then(
      (rendered) => {
        if (this.#stopped) return
        this.registry.index(this, rendered.intent, rendered.tags)
        this.#intent = rendered.intent
        this.#tags = rendered.tags
        this.owner.deliver({ type: 'next', id: this.id, payload: rendered.answer })
        this.#settled()
      },
      (error: unknown) => {
        if (this.#stopped) return
        const where = { operation: 'subscribe', id: this.id, rerender: !first }
        this.owner.deliver({
          type: 'error',
          id: this.id,
          payload: errorObject(error, this.registry.logger, where),
        })
        if (first) {
          this.stop()
          this.owner.ended(this.id)
        } else if (ENDING_STATUSES.has(statusOf(error))) {
          this.complete()
        } else {
          this.#settled()
        }
      },
    )
  }

  #settled(): void {
    this.#running = false
    if (this.#dirty) {
      this.#dirty = false
      this.invalidate()
    }
  }
}

/** Every live subscription of this instance, by intent and by tag. */
export class LiveRegistry {
  readonly #byTag = new Map<string, Set<LiveSubscription>>()
  readonly #byIntent = new Map<string, Set<LiveSubscription>>()

  constructor(
    readonly engine: Engine,
    readonly logger: Logger,
    readonly coalesceMs: number,
  ) {}

  /** Subscriptions filed (those whose first render succeeded and that have not ended). */
  get size(): number {
    let count = 0
    for (const subscriptions of this.#byIntent.values()) count += subscriptions.size
    return count
  }

  subscribe(owner: SubscriptionOwner, id: string, body: RenderBody): LiveSubscription {
    const subscription = new LiveSubscription(this, owner, id, body)
    subscription.start()
    return subscription
  }

  /** Re-renders every subscription the invalidation names. */
  invalidate(targets: InvalidationTargets): number {
    const hit = new Set<LiveSubscription>()
    for (const tag of targets.tags) for (const sub of this.#byTag.get(tag) ?? []) hit.add(sub)
    for (const intent of targets.intents) for (const sub of this.#byIntent.get(intent) ?? []) hit.add(sub)
    for (const subscription of hit) subscription.invalidate()
    return hit.size
  }

  /** Ends the subscriptions of an intent that was unregistered. */
  intentRemoved(intent: string): void {
    for (const subscription of [...(this.#byIntent.get(intent) ?? [])]) subscription.complete()
  }

  index(subscription: LiveSubscription, intent: string, tags: readonly string[]): void {
    this.unindex(subscription)
    fileUnder(this.#byIntent, intent, subscription)
    for (const tag of tags) fileUnder(this.#byTag, tag, subscription)
  }

  unindex(subscription: LiveSubscription): void {
    if (subscription.intent !== undefined) removeUnder(this.#byIntent, subscription.intent, subscription)
    for (const tag of subscription.tags) removeUnder(this.#byTag, tag, subscription)
  }
}

function fileUnder(index: Map<string, Set<LiveSubscription>>, key: string, sub: LiveSubscription): void {
  let set = index.get(key)
  if (set === undefined) {
    set = new Set()
    index.set(key, set)
  }
  set.add(sub)
}

function removeUnder(index: Map<string, Set<LiveSubscription>>, key: string, sub: LiveSubscription): void {
  const set = index.get(key)
  if (set === undefined) return
  set.delete(sub)
  if (set.size === 0) index.delete(key)
}
