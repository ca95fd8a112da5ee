/**
 * Recent invalidations, so a render that started before an invalidation does not store its (now outdated)
 * answer after it. Every invalidation gets an epoch; a render notes the epoch it started at and, before
 * storing, asks whether anything since then names its key, intent or one of its tags.
 */
import type { InvalidationTarget } from './store.js'

const CAPACITY = 256

export class InvalidationLog {
  #epoch = 0
  readonly #recent: { epoch: number; target: InvalidationTarget }[] = []

  get epoch(): number {
    return this.#epoch
  }

  record(target: InvalidationTarget): void {
    this.#epoch++
    this.#recent.push({ epoch: this.#epoch, target })
    if (this.#recent.length > CAPACITY) this.#recent.shift()
  }

  /** Whether an invalidation after `since` covers an entry with this key, intent and tags. */
  covers(since: number, key: string, intent: string, tags: readonly string[]): boolean {
    if (since === this.#epoch) return false
    const oldest = this.#recent[0]
    // Older than what is remembered: assume the worst rather than store something possibly outdated.
    if (!oldest || oldest.epoch > since + 1) return true
    for (let i = this.#recent.length - 1; i >= 0 && this.#recent[i]!.epoch > since; i--) {
      const { target } = this.#recent[i]!
      if (target.kind === 'all') return true
      if (target.kind === 'keys' && target.values.includes(key)) return true
      if (target.kind === 'intents' && target.values.includes(intent)) return true
      if (target.kind === 'tags' && target.values.some((tag) => tags.includes(tag))) return true
    }
    return false
  }
}
