/**
 * A circuit breaker: after `threshold` consecutive failures it opens and refuses calls for `resetMs` (so a
 * down or slow Redis costs nothing on the request path), then lets one probe through; its success closes it.
 */
export class Circuit {
  readonly #threshold: number
  readonly #resetMs: number
  #failures = 0
  #openUntil = 0
  #probing = false
  #lastError: string | undefined

  constructor(threshold: number, resetMs: number) {
    this.#threshold = threshold
    this.#resetMs = resetMs
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.#failures < this.#threshold) return 'closed'
    return performance.now() < this.#openUntil ? 'open' : 'half-open'
  }

  /** The last failure's message while the circuit is not closed. */
  get lastError(): string | undefined {
    return this.#lastError
  }

  /** Whether a call may go through now (in half-open state: only one probe at a time). */
  allow(): boolean {
    if (this.#failures < this.#threshold) return true
    if (this.#probing || performance.now() < this.#openUntil) return false
    this.#probing = true
    return true
  }

  success(): void {
    this.#failures = 0
    this.#probing = false
    this.#lastError = undefined
  }

  failure(error: unknown): void {
    this.#failures++
    this.#probing = false
    this.#lastError = error instanceof Error ? error.message : String(error)
    if (this.#failures >= this.#threshold) this.#openUntil = performance.now() + this.#resetMs
  }
}
