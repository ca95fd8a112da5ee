/**
 * Idempotency records in Redis, exact across instances: claiming is one atomic script (read the record, or
 * write a `running` one with a token and return nothing), completing and releasing only act while the caller's
 * token still holds the record. One JSON value per record under `<prefix>idem:<sha256>`.
 */
import type { IdempotencyClaim, IdempotencyStore } from '../idempotency/store.js'

/** KEYS: record. ARGV: running record, running ms. Returns the current record, or nil once it claimed it. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`

/** KEYS: record. ARGV: token, new value (or '' to delete), ms to keep it. Acts only for the token's holder. */
const SETTLE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or record.s ~= 'running' or record.t ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`

/** Runs one Redis command through the store's circuit and timeout. */
export type RedisCall = <T>(command: () => Promise<T>) => Promise<T>

/** What the store gives the idempotency records: its client's `eval`, bounded, and its key prefix. */
export interface RedisIdempotencyDeps {
  run: RedisCall
  evaluate: (script: string, key: string, ...args: (string | number)[]) => Promise<unknown>
  prefix: string
}

interface RunningRecord {
  s: 'running'
  f: string
  t: string
}

interface DoneRecord {
  s: 'done'
  f: string
  a: string
}

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #deps: RedisIdempotencyDeps

  constructor(deps: RedisIdempotencyDeps) {
    this.#deps = deps
  }

  async claim(key: string, fingerprint: string, runningMs: number): Promise<IdempotencyClaim> {
    const token = crypto.randomUUID()
    const running: RunningRecord = { s: 'running', f: fingerprint, t: token }
    const current = await this.#deps.run(() =>
      this.#deps.evaluate(CLAIM, this.#key(key), JSON.stringify(running), runningMs),
    )
    if (current === null || current === undefined) return { kind: 'claimed', token }
    const record = JSON.parse(String(current)) as RunningRecord | DoneRecord
    if (record.s === 'done') return { kind: 'done', fingerprint: record.f, answer: record.a }
    return { kind: 'running', fingerprint: record.f }
  }

  async complete(
    key: string,
    token: string,
    fingerprint: string,
    answer: string,
    windowMs: number,
  ): Promise<void> {
    const done: DoneRecord = { s: 'done', f: fingerprint, a: answer }
    await this.#deps.run(() =>
      this.#deps.evaluate(SETTLE, this.#key(key), token, JSON.stringify(done), windowMs),
    )
  }

  async release(key: string, token: string): Promise<void> {
    await this.#deps.run(() => this.#deps.evaluate(SETTLE, this.#key(key), token, '', 0))
  }

  #key(key: string): string {
    return `${this.#deps.prefix}idem:${key}`
  }
}
