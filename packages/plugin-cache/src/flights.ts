/**
 * Request coalescing: one in-flight render per key and process. The first miss owns the flight; concurrent
 * misses for the same key wait on it and share its outcome instead of calling the handler again.
 */
import type { IxpError } from '@ixp/core'
import type { StoredEntry } from './store.js'

/** How a flight ended, as its waiters see it. */
export type FlightOutcome =
  /** The owner's answer: every waiter builds its own copy. */
  | { kind: 'value'; entry: StoredEntry }
  /** The owner's render failed: waiters fail with the same error (they asked the same question). */
  | { kind: 'error'; error: IxpError }
  /** The answer cannot be shared (not serialisable): each waiter renders on its own. */
  | { kind: 'render' }
  /** The owner's caller went away: waiters look up again, one of them becoming the new owner. */
  | { kind: 'retry' }

export class Flight {
  readonly promise: Promise<FlightOutcome>
  #resolve!: (outcome: FlightOutcome) => void
  #settled = false

  constructor() {
    this.promise = new Promise((resolve) => {
      this.#resolve = resolve
    })
  }

  get settled(): boolean {
    return this.#settled
  }

  /** Settles once; later calls are ignored (a late result after a timeout, say). */
  settle(outcome: FlightOutcome): void {
    if (this.#settled) return
    this.#settled = true
    this.#resolve(outcome)
  }
}

export class Flights {
  readonly #flights = new Map<string, Flight>()

  get(key: string): Flight | undefined {
    return this.#flights.get(key)
  }

  /** Opens a flight for `key`; the caller owns it and must settle or detach it. */
  open(key: string): Flight {
    const flight = new Flight()
    this.#flights.set(key, flight)
    return flight
  }

  /** Settles a flight and stops new arrivals from joining it. */
  settle(key: string, flight: Flight, outcome: FlightOutcome): void {
    this.detach(key, flight)
    flight.settle(outcome)
  }

  /**
   * Stops new arrivals from joining a flight while its waiters keep waiting on it (the owner timed out but
   * its work may still finish; new requests should not queue behind work that may never end).
   */
  detach(key: string, flight: Flight): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key)
  }

  get size(): number {
    return this.#flights.size
  }
}
