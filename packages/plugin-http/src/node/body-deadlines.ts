/**
 * The body timeout of node requests without a timer per request. A `setTimeout` + `clearTimeout` for every
 * request body (which nearly always arrives within the same millisecond) cost more than the body itself; instead,
 * one unref'd timer per timeout length sweeps the bodies still being read, 8 times per timeout, only while there
 * are some. A body is cut after at least `timeoutMs` and at most 1/8 of it later.
 */

/** A body being read: `expire` ends it with the timeout error. */
export interface PendingBody {
  /** The sweep count when the body started (set by {@link BodyDeadlines.watch}). */
  startedAt: number
  expire(): void
}

const SWEEPS_PER_TIMEOUT = 8

export class BodyDeadlines {
  readonly #intervalMs: number
  /** In start order, which is expiry order: every body here has the same timeout. */
  readonly #pending = new Set<PendingBody>()
  #sweeps = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(timeoutMs: number) {
    this.#intervalMs = Math.max(1, Math.ceil(timeoutMs / SWEEPS_PER_TIMEOUT))
  }

  watch(body: PendingBody): void {
    body.startedAt = this.#sweeps
    this.#pending.add(body)
    if (this.#timer === undefined) this.#arm()
  }

  unwatch(body: PendingBody): void {
    this.#pending.delete(body)
  }

  #arm(): void {
    this.#timer = setTimeout(() => this.#sweep(), this.#intervalMs)
    this.#timer.unref()
  }

  #sweep(): void {
    this.#timer = undefined
    const sweeps = ++this.#sweeps
    // A body that started between sweeps n and n+1 has had at least 8 whole intervals once sweep n+9 runs.
    for (const body of this.#pending) {
      if (sweeps - body.startedAt <= SWEEPS_PER_TIMEOUT) break
      this.#pending.delete(body)
      body.expire()
    }
    if (this.#pending.size > 0) this.#arm()
  }
}

const byTimeout = new Map<number, BodyDeadlines>()

/** The sweeper of one timeout length (servers share it; there are only ever a few lengths). */
export function bodyDeadlines(timeoutMs: number): BodyDeadlines {
  let deadlines = byTimeout.get(timeoutMs)
  if (deadlines === undefined) byTimeout.set(timeoutMs, (deadlines = new BodyDeadlines(timeoutMs)))
  return deadlines
}
