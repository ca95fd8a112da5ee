/**
 * Stale-while-revalidate: a stale answer is served while one background render of its key (at most one per
 * key and process) replaces it. A refresh that fails with a client error drops the answer (the question itself
 * now fails); one that fails with a server error keeps it for stale-if-error and backs off.
 */
import type { IxpContext, IxpError, RenderState } from '@ixp/core'
import type { CacheRuntime } from './runtime.js'

/** After a refresh failed, the next one waits at least this long (a failing backend is not hammered). */
const REFRESH_RETRY_MS = 1_000

export class Refresher {
  readonly #runtime: CacheRuntime
  readonly #refreshing = new Set<string>()

  constructor(runtime: CacheRuntime) {
    this.#runtime = runtime
  }

  /** Starts one background render of the key without the cache answering it (at most one per key). */
  refresh(state: RenderState, key: string): void {
    const runtime = this.#runtime
    const engine = runtime.engine
    if (!engine || this.#refreshing.has(key)) return
    const failedAt = runtime.failures.get(key)
    if (failedAt !== undefined && runtime.settings.clock() - failedAt < REFRESH_RETRY_MS) return
    const context: IxpContext = { ...state.context, cache: 'refresh' }
    // The refresh outlives the request: it must not inherit its deadline or its caller's abort signal.
    delete context.signal
    delete context.engine
    const intent = state.intent.name
    this.#refreshing.add(key)
    const run = engine
      .render(state.request, context)
      .then(
        () => {
          runtime.failures.delete(key)
          runtime.events.emit('refresh', { key, intent, ok: true })
        },
        (error: IxpError) => {
          if (error.status < 500) {
            // The question itself now fails (the thing was deleted, access changed): stop serving the old answer.
            runtime.memory.delete(key)
            runtime.failures.delete(key)
          } else {
            runtime.failures.set(key, runtime.settings.clock())
          }
          runtime.logThrottled('refresh', `cache: refreshing a stale answer of '${intent}' failed`, error)
          runtime.events.emit('refresh', { key, intent, ok: false, error })
        },
      )
      .finally(() => {
        runtime.counters.refreshes++
        this.#refreshing.delete(key)
      })
    runtime.track(run)
  }
}
