/**
 * Expires render deadlines. A timer per render costs more than a small render itself, so on server runtimes
 * whose timers are objects (Node, Bun: recognised by `unref`) one shared timer per engine sweeps the pending
 * deadlines 16 times per deadline period while renders are pending (a deadline fires at most 1/16 of its length
 * late, and at most 1 s). Elsewhere (workerd, Deno, browsers) each render keeps its own timer, since a timer
 * started while serving one request may not outlive that request there.
 */

/**
 * The clock render times are read from (start, duration, deadlines), as one module-level reference: on Node the
 * `performance` global is a getter, which every read would otherwise call (a render reads the clock twice).
 */
export const clock: Pick<Performance, 'now'> = performance

export interface Expirable {
  /** When it expires, in `performance.now()` milliseconds. */
  readonly expiresAt: number
  expire(): void
}

export interface DeadlineClock {
  /** Starts watching; returns the handle to pass to {@link DeadlineClock.stop}. */
  start(item: Expirable, ms: number): unknown
  stop(handle: unknown): void
}

const perRenderTimers: DeadlineClock = {
  start: (item, ms) => setTimeout(() => item.expire(), ms),
  stop: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

interface Unrefable {
  unref(): void
}

function canUnref(): boolean {
  const probe = setTimeout(() => undefined, 0) as unknown
  clearTimeout(probe as ReturnType<typeof setTimeout>)
  return typeof (probe as Partial<Unrefable> | null)?.unref === 'function'
}

/** A pending deadline in the sweeping clock's list (linked through the item itself: no allocation, O(1) removal). */
interface Entry {
  item: Expirable
  prev: Entry | undefined
  next: Entry | undefined
  linked: boolean
}

class SweepingClock implements DeadlineClock {
  #head: Entry | undefined
  #size = 0
  readonly #interval: number
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(ms: number) {
    this.#interval = Math.min(Math.max(ms / 16, 1), 1000)
  }

  start(item: Expirable): unknown {
    const entry: Entry = { item, prev: undefined, next: this.#head, linked: true }
    if (this.#head) this.#head.prev = entry
    this.#head = entry
    this.#size++
    // Armed only while renders are pending, so it holds a process open exactly as long as per-render timers would.
    if (this.#timer === undefined) this.#timer = setTimeout(() => this.#sweep(), this.#interval)
    return entry
  }

  stop(handle: unknown): void {
    const entry = handle as Entry
    if (!entry.linked) return
    entry.linked = false
    if (entry.prev) entry.prev.next = entry.next
    else this.#head = entry.next
    if (entry.next) entry.next.prev = entry.prev
    this.#size--
  }

  #sweep(): void {
    this.#timer = undefined
    const now = clock.now()
    for (let entry = this.#head; entry !== undefined;) {
      const next = entry.next
      if (entry.item.expiresAt <= now) {
        this.stop(entry)
        entry.item.expire()
      }
      entry = next
    }
    if (this.#size > 0) this.#timer = setTimeout(() => this.#sweep(), this.#interval)
  }
}

let sweeping: boolean | undefined

/** The clock for deadlines of `ms` milliseconds (one per engine). */
export function deadlineClock(ms: number): DeadlineClock {
  sweeping ??= canUnref()
  return sweeping ? new SweepingClock(ms) : perRenderTimers
}
