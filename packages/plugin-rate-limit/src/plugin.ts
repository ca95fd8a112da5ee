/**
 * The plugin: taps `admission` at `Stage.RATE_LIMIT` (after auth, so `context.user` is known), works out the
 * request's keys and cost, asks the store for one atomic decision over every limit that applies, and either
 * adds the RateLimit headers to the result's meta or refuses with `RATE_LIMITED`.
 */
import {
  coreError,
  Stage,
  type IntentDefinition,
  type IxpError,
  type IxpPlugin,
  type RenderState,
} from '@ixp/core'
import { ipInRange } from '@ixp/core/net'
import { decisionHeaders, toDecision, type RateLimitDecision } from './decision.js'
import { invalidOptions, rateLimitError } from './errors.js'
import { StoreGuard, type GuardedDecision } from './guard.js'
import { KeyResolver, type RequestFacts } from './keys.js'
import { memoryStore } from './memory-store.js'
import {
  compileIntent,
  compileOptions,
  type CompiledIntent,
  type CompiledLimit,
  type CostSpec,
  type IntentRateLimit,
  type RateLimitOptions,
} from './options.js'
import type { LimitCheck, RateLimitStore } from './store.js'
import { isPromiseLike, tapMaybeSync } from '@ixp/core/plugin-kit'

export const PLUGIN_NAME = '@ixp/plugin-rate-limit'
const VERSION = '0.1.0'
/** The key of requests whose own key is unknown, under `onMissingKey: 'shared'`. */
const SHARED_KEY = 'anonymous'

declare module '@ixp/core' {
  interface IxpContext {
    /** The rate-limit decision for this request (set by `@ixp/plugin-rate-limit`). */
    rateLimit?: RateLimitDecision
  }
  interface RenderMeta {
    /** The rate-limit decision for this render (set by `@ixp/plugin-rate-limit`). */
    rateLimit?: RateLimitDecision
  }
  interface IntentDefinition<Params = Record<string, unknown>> {
    /** Per-intent rate limiting (`@ixp/plugin-rate-limit`): cost, extra limits, or `false` to exempt it. */
    rateLimit?: IntentRateLimit | false
  }
}

function checkStore(store: unknown, option: string): RateLimitStore {
  const candidate = store as Partial<RateLimitStore> | null
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.consume !== 'function') {
    throw invalidOptions(`rateLimit: '${option}' must be a store such as memoryStore() or redisStore()`)
  }
  if (typeof candidate.kind !== 'string' || candidate.kind === '') {
    throw invalidOptions(`rateLimit: '${option}' must have a 'kind' naming it`)
  }
  return candidate as RateLimitStore
}

function resolveCost(cost: CostSpec, state: RenderState): number {
  if (typeof cost === 'number') return cost
  const value = cost(state)
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw coreError('INTERNAL_ERROR', {
      reason: `The rate-limit cost function of intent '${state.intent.name}' returned ${String(value)}; it must return a non-negative integer`,
    })
  }
  return value
}

/** The plugin object `rateLimit()` returns: install it with `engine.use()`. */
export interface RateLimitPlugin extends IxpPlugin {
  readonly name: typeof PLUGIN_NAME
}

/** Creates the rate-limit plugin. Options are validated here: a mistake throws `RATE_LIMIT_INVALID_OPTIONS`. */
export function rateLimit(options: RateLimitOptions): RateLimitPlugin {
  const settings = compileOptions(options)
  const store = checkStore(options.store ?? memoryStore(), 'store')
  const fallback =
    options.fallback === true
      ? memoryStore()
      : options.fallback
        ? checkStore(options.fallback, 'fallback')
        : undefined

  return {
    name: PLUGIN_NAME,
    version: VERSION,
    async apply(engine) {
      const { logger } = engine
      const guard = new StoreGuard(store, fallback, settings.storeRetryMs, logger)
      let warnedShared = false
      const keys = new KeyResolver({
        ipHeader: settings.ipHeader,
        ipv6Subnet: settings.ipv6Subnet,
        apiKeyHeader: settings.apiKeyHeader,
      })

      const compiledIntents = new WeakMap<IntentDefinition, CompiledIntent>()
      const intentLimits = (intent: IntentDefinition): CompiledIntent => {
        let compiled = compiledIntents.get(intent)
        if (!compiled) {
          const config = Object.hasOwn(settings.intents, intent.name)
            ? settings.intents[intent.name]
            : intent.rateLimit
          compiled = compileIntent(intent.name, config, settings)
          compiledIntents.set(intent, compiled)
        }
        return compiled
      }
      const asDefinitionError = (intent: IntentDefinition, error: unknown): IxpError => {
        const message = (error as Error)?.message ?? String(error)
        return coreError(
          'INVALID_DEFINITION',
          { reason: `Invalid intent: ${message}` },
          { cause: error, details: { issues: [{ path: 'rateLimit', message }], name: intent.name } },
        )
      }
      for (const intent of engine.intents.list()) {
        try {
          intentLimits(intent)
        } catch (error) {
          throw asDefinitionError(intent, error)
        }
      }
      engine.hooks.registerIntent.tap(
        { name: `${PLUGIN_NAME}:validate`, stage: Stage.RATE_LIMIT },
        (definition) => {
          try {
            intentLimits(definition)
          } catch (error) {
            throw asDefinitionError(definition, error)
          }
          return definition
        },
      )

      /**
       * Counts the request against every limit that applies. Synchronous with a synchronous store (the memory
       * store) and synchronous keys, so the render stays synchronous; a promise only where something must wait
       * (`skip`, a key function or API key hash, a network store).
       */
      const admit = (state: RenderState): void | Promise<void> => {
        const intent = intentLimits(state.intent)
        if (intent.skip) return
        if (settings.skip) {
          const skipped = settings.skip(state)
          if (isPromiseLike(skipped)) return skipped.then((skip) => (skip ? undefined : count(state, intent)))
          if (skipped) return
        }
        return count(state, intent)
      }

      const count = (state: RenderState, intent: CompiledIntent): void | Promise<void> => {
        const facts: RequestFacts = { address: null }
        if (settings.allowList.length > 0) {
          const address = (facts.address = keys.address(state))
          if (address && settings.allowList.some((range) => ipInRange(address, range))) return
        }
        const cost = resolveCost(intent.cost, state)
        const applied: CompiledLimit[] = []
        const checks: LimitCheck[] = []
        const limits = intent.limits
        let previousParts: CompiledLimit['key'] | undefined
        let previousKey: string | undefined
        const next = (from: number): void | Promise<void> => {
          for (let i = from; i < limits.length; i++) {
            const limit = limits[i]!
            if (limit.key === previousParts) {
              check(limit, previousKey)
              continue
            }
            const found = keys.key(limit.key, state, facts)
            previousParts = limit.key
            if (isPromiseLike(found)) {
              return found.then((client) => {
                previousKey = client
                check(limit, client)
                return next(i + 1)
              })
            }
            previousKey = found
            check(limit, found)
          }
          return decide(state, applied, checks, cost)
        }
        const check = (limit: CompiledLimit, key: string | undefined): void => {
          let client = key
          if (client === undefined) {
            if (settings.onMissingKey === 'skip') return
            if (!warnedShared) {
              warnedShared = true
              logger.warn(
                `rate-limit: a request has no key for limit '${limit.name}'; such requests share one counter`,
                {
                  intent: state.intent.name,
                },
              )
            }
            client = SHARED_KEY
          }
          if (cost > limit.rule.capacity) {
            throw coreError(
              'RATE_LIMITED',
              {
                reason: `this request costs ${cost}, more than limit '${limit.name}' ever admits (${limit.rule.capacity})`,
              },
              { details: { violatedPolicies: [limit.name], cost } },
            )
          }
          applied.push(limit)
          checks.push({ key: limit.storeKeys.of(client), rule: limit.rule, cost })
        }
        return next(0)
      }

      const decide = (
        state: RenderState,
        applied: CompiledLimit[],
        checks: LimitCheck[],
        cost: number,
      ): void | Promise<void> => {
        if (checks.length === 0) return
        const answer = guard.consume(checks)
        if (isPromiseLike(answer)) return answer.then((guarded) => apply(state, applied, guarded, cost))
        apply(state, applied, answer, cost)
      }

      const apply = (
        state: RenderState,
        applied: CompiledLimit[],
        { result, source }: GuardedDecision,
        cost: number,
      ): void => {
        if (!result) {
          if (settings.onStoreError === 'closed') {
            throw rateLimitError(
              'RATE_LIMIT_UNAVAILABLE',
              {},
              { headers: { 'Retry-After': String(Math.max(1, Math.ceil(settings.storeRetryMs / 1000))) } },
            )
          }
          const decision: RateLimitDecision = { allowed: true, cost, policies: [], source: 'fail-open' }
          state.context.rateLimit = decision
          state.meta.rateLimit = decision
          return
        }
        const decision = toDecision(applied, result, cost, source)
        state.context.rateLimit = decision
        state.meta.rateLimit = decision
        const headers = decisionHeaders(applied, decision, settings)
        if (!decision.allowed) {
          const violated = decision.policies.filter((policy) => !policy.allowed).map((policy) => policy.name)
          throw coreError(
            'RATE_LIMITED',
            {
              reason: `limit ${violated.map((name) => `'${name}'`).join(', ')} reached; retry in ${decision.retryAfterSeconds}s`,
            },
            {
              headers,
              details: { violatedPolicies: violated, retryAfterSeconds: decision.retryAfterSeconds },
            },
          )
        }
        if (settings.headers || settings.legacyHeaders) {
          // The headers object is this request's own: it becomes the meta's when there is none to merge with.
          const existing = state.meta.headers
          state.meta.headers = existing === undefined ? headers : Object.assign({}, existing, headers)
        }
      }

      tapMaybeSync(engine.hooks.admission, { name: PLUGIN_NAME, stage: Stage.RATE_LIMIT }, admit)

      if (store.ready) {
        await store.ready().catch((error: unknown) =>
          logger.warn(
            `rate-limit: the ${store.kind} store is not reachable yet; deciding without it until it is`,
            {
              error: (error as Error)?.message,
            },
          ),
        )
      }
      const unregisterHealth = engine.registerHealthCheck(`rate-limit:${store.kind}`, () => guard.health())
      return async () => {
        unregisterHealth()
        await store.close?.()
        await fallback?.close?.()
      }
    },
  }
}
