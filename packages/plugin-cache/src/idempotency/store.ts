/**
 * Where idempotency records live. A record is claimed (`running`) when a command carrying a key starts and
 * completed (`done`, with its answer) when it ends; a repeat reads it. Claims are atomic: of two concurrent
 * claims of one key exactly one wins, in this process (memory) or across instances (`redisStore`).
 */
import { LRUCache } from 'lru-cache'

/** What claiming a key found. */
export type IdempotencyClaim =
  /** Nobody held the key: the caller runs the command and must `complete` or `release` with `token`. */
  | { kind: 'claimed'; token: string }
  /** A command with this key is running now. */
  | { kind: 'running'; fingerprint: string }
  /** A command with this key finished within the window; `answer` is what it answered. */
  | { kind: 'done'; fingerprint: string; answer: string }

export interface IdempotencyStore {
  /** Claims `key` for `runningMs` (a crashed holder's claim then lapses), or reports who holds it. */
  claim(key: string, fingerprint: string, runningMs: number): Promise<IdempotencyClaim>
  /** Replaces the claim (if `token` still holds it) by the answer, kept for `windowMs`. */
  complete(key: string, token: string, fingerprint: string, answer: string, windowMs: number): Promise<void>
  /** Drops the claim (if `token` still holds it), so a retry runs the command again. */
  release(key: string, token: string): Promise<void>
}

type Held =
  | { kind: 'running'; fingerprint: string; token: string; expiresAt: number }
  | { kind: 'done'; fingerprint: string; answer: string; expiresAt: number }

/** The in-process store: exact within one process, bounded by `maxKeys` (least recently used dropped first). */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records: LRUCache<string, Held>
  readonly #now: () => number

  constructor(maxKeys: number, now: () => number) {
    this.#records = new LRUCache<string, Held>({ max: maxKeys })
    this.#now = now
  }

  async claim(key: string, fingerprint: string, runningMs: number): Promise<IdempotencyClaim> {
    const held = this.#held(key)
    if (held?.kind === 'running') return { kind: 'running', fingerprint: held.fingerprint }
    if (held?.kind === 'done') return { kind: 'done', fingerprint: held.fingerprint, answer: held.answer }
    const token = crypto.randomUUID()
    this.#records.set(key, { kind: 'running', fingerprint, token, expiresAt: this.#now() + runningMs })
    return { kind: 'claimed', token }
  }

  async complete(
    key: string,
    token: string,
    fingerprint: string,
    answer: string,
    windowMs: number,
  ): Promise<void> {
    const held = this.#held(key)
    if (held?.kind !== 'running' || held.token !== token) return
    this.#records.set(key, { kind: 'done', fingerprint, answer, expiresAt: this.#now() + windowMs })
  }

  async release(key: string, token: string): Promise<void> {
    const held = this.#held(key)
    if (held?.kind === 'running' && held.token === token) this.#records.delete(key)
  }

  #held(key: string): Held | undefined {
    const held = this.#records.get(key)
    if (held && held.expiresAt <= this.#now()) {
      this.#records.delete(key)
      return undefined
    }
    return held
  }
}
