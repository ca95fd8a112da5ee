/**
 * Many waiters on one abort signal without many listeners on it. A parallel group of a thousand steps would
 * otherwise put a thousand `abort` listeners on the run's signal, and node prints `MaxListenersExceededWarning`
 * past ten; here each signal gets one listener, which calls the waiters registered for it.
 */

const waiters = new WeakMap<AbortSignal, Set<() => void>>()

/** Calls `callback` once when `signal` aborts; returns a function that unregisters it. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let set = waiters.get(signal)
  if (set === undefined) {
    const created = new Set<() => void>()
    set = created
    waiters.set(signal, created)
    signal.addEventListener(
      'abort',
      () => {
        waiters.delete(signal)
        for (const waiter of created) waiter()
      },
      { once: true },
    )
  }
  const registered = set
  registered.add(callback)
  return () => void registered.delete(callback)
}
