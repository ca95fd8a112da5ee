/**
 * `afterRender` and `error`: the render that owns a key stores its answer (with its tags and TTL) in both
 * levels and settles its flight, so every waiter gets its own copy; a failed render settles its flight too.
 */
import type { ErrorInfo, IxpError, RenderResult, RenderState } from '@ixp/core'
import { serialiseResult } from './answer.js'
import { directivesOf, tagProblem, type CacheDirectives } from './control.js'
import type { FlightOutcome } from './flights.js'
import type { IntentPolicy } from './policy.js'
import type { CacheRuntime, Plan } from './runtime.js'
import type { StoredEntry } from './store.js'

export class WritePath {
  readonly #runtime: CacheRuntime

  constructor(runtime: CacheRuntime) {
    this.#runtime = runtime
  }

  /** `afterRender`: stores the answer of the render that owns its key and settles the flight. */
  after(result: RenderResult, state: RenderState): RenderResult {
    const plan = this.#runtime.plans.get(state)
    if (!plan) return result
    this.#runtime.plans.delete(state)
    let outcome: FlightOutcome = { kind: 'render' }
    let stored: Promise<void> | undefined
    try {
      const produced = this.#produce(result, state, plan)
      if (produced) {
        outcome = { kind: 'value', entry: produced.entry }
        if (produced.store) stored = this.#store(plan, produced.entry)
      }
    } catch (error) {
      this.#runtime.fail('store', error, { key: plan.key, intent: plan.intent })
    }
    if (plan.flight) this.#runtime.flights.settle(plan.key, plan.flight, outcome)
    if (stored) this.#runtime.track(stored.finally(() => this.#runtime.unlock(plan)))
    else this.#runtime.unlock(plan)
    return result
  }

  /** The entry for a result, and whether to store it; `undefined` when the result cannot be shared at all. */
  #produce(
    result: RenderResult,
    state: RenderState,
    plan: Plan,
  ): { entry: StoredEntry; store: boolean } | undefined {
    const json = serialiseResult(result)
    if (!json.ok) {
      this.#runtime.warnOnce(
        `value:${plan.intent}`,
        `cache: answers of intent '${plan.intent}' are not cached: they are not plain JSON`,
        { path: json.problem.path, reason: json.problem.reason },
      )
      return undefined
    }
    const directives = directivesOf(state.context)
    const settings = this.#runtime.settings
    const policy = plan.policy
    let store = directives?.noStore !== true
    let tags: string[] = []
    let ttl = 0
    try {
      tags = this.#tagsOf(policy, state, directives, result.tags)
      ttl = this.#ttlOf(result, state, policy, directives)
      // The answer's tags are the intent's cacheTags and the cache's own: a live view matches on all of them.
      if (tags.length > (result.tags?.length ?? 0)) result.tags = tags
    } catch (error) {
      // Without its tags an entry could outlive an invalidation meant for it: share it, never store it.
      this.#runtime.fail('policy', error, { key: plan.key, intent: plan.intent })
      store = false
    }
    const entry: StoredEntry = {
      data: json.json,
      intent: plan.intent,
      tags,
      storedAt: settings.clock(),
      ttl,
      staleWhileRevalidate: policy.staleWhileRevalidate ?? settings.staleWhileRevalidate,
      staleIfError: policy.staleIfError ?? settings.staleIfError,
    }
    if (ttl <= 0 || this.#runtime.log.covers(plan.epoch, plan.key, plan.intent, tags)) store = false
    return { entry, store }
  }

  #tagsOf(
    policy: IntentPolicy,
    state: RenderState,
    directives: CacheDirectives | undefined,
    rendered: readonly string[] | undefined,
  ): string[] {
    const declared =
      typeof policy.tags === 'function' ? policy.tags(state.parameters ?? {}, state.context) : policy.tags
    const tags = new Set<string>(rendered)
    for (const tag of [...(declared ?? []), ...(directives?.tags ?? [])]) {
      const problem = tagProblem(tag)
      if (problem) throw new TypeError(`intent '${state.intent.name}' produced a tag that ${problem}`)
      tags.add(tag)
    }
    return [...tags]
  }

  #ttlOf(
    result: RenderResult,
    state: RenderState,
    policy: IntentPolicy,
    directives: CacheDirectives | undefined,
  ): number {
    let ttl: unknown = directives?.ttl
    if (ttl === undefined && policy.ttl !== undefined) {
      ttl = typeof policy.ttl === 'function' ? policy.ttl(state.parameters ?? {}) : policy.ttl
    }
    if (ttl === undefined && this.#runtime.settings.ttl !== undefined) {
      ttl =
        typeof this.#runtime.settings.ttl === 'function'
          ? this.#runtime.settings.ttl(result, state)
          : this.#runtime.settings.ttl
    }
    if (ttl === undefined) ttl = result.ttl
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new TypeError(
        `the TTL of intent '${state.intent.name}' is not a number of seconds (${String(ttl)})`,
      )
    }
    return ttl
  }

  #store(plan: Plan, entry: StoredEntry): Promise<void> | undefined {
    const stored = this.#runtime.memory.set(plan.key, entry)
    this.#runtime.failures.delete(plan.key)
    if (stored) {
      this.#runtime.counters.sets++
      this.#runtime.events.emit('set', {
        key: plan.key,
        intent: plan.intent,
        ttl: entry.ttl,
        tags: entry.tags,
        bytes: entry.data.length + plan.key.length,
      })
    }
    const store = this.#runtime.settings.store
    if (!store) return undefined
    return this.#runtime.storeCall('set', () => store.set(plan.key, entry), plan.key).then(() => undefined)
  }

  /** The `error` hook: settles the flight of a failed render so no waiter is left hanging. */
  onError(error: IxpError, info: ErrorInfo): void {
    const state = info.state
    const plan = state && this.#runtime.plans.get(state)
    if (!state || !plan) return
    if (error.code === 'RENDER_TIMEOUT') {
      // The handler may still finish (afterRender then stores its answer and settles the flight for the
      // waiters, each bounded by its own deadline); new requests must not queue behind it meanwhile.
      const flight = plan.flight
      if (flight) {
        this.#runtime.flights.detach(plan.key, flight)
        // Every waiter joined after the owner started and has the same render timeout, so none is still
        // waiting once that long has passed again: settle then, in case the late work fails unseen.
        const timer = setTimeout(
          () => flight.settle({ kind: 'error', error }),
          performance.now() - state.startedAt,
        )
        ;(timer as { unref?: () => void }).unref?.()
      }
      this.#runtime.failures.set(plan.key, this.#runtime.settings.clock())
      this.#runtime.unlock(plan)
      return
    }
    this.#runtime.plans.delete(state)
    if (error.code === 'ABORTED') {
      this.#runtime.finish(state, plan, { kind: 'retry' })
      return
    }
    if (error.status >= 500) this.#runtime.failures.set(plan.key, this.#runtime.settings.clock())
    this.#runtime.finish(state, plan, { kind: 'error', error })
  }
}
