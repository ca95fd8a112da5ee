/**
 * Shutdown signals: the first SIGINT/SIGTERM starts a graceful shutdown, a second one while it runs ends the
 * process at once (the operator's way out of a shutdown stuck on a slow request).
 */
import { println, type CliIo } from '../io.js'

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/** Calls `shutdown` on the first signal; returns a function that removes the listeners. */
export function onShutdownSignal(io: CliIo, shutdown: (signal: string) => void): () => void {
  let received = false
  const listener = (signal: NodeJS.Signals) => {
    if (received) {
      println(io.stderr, `ixp: ${signal} again, exiting without waiting`)
      process.exit(1)
    }
    received = true
    shutdown(signal)
  }
  for (const signal of SIGNALS) process.on(signal, listener)
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener)
  }
}
