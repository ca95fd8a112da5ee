/**
 * Stage constants: plugins tap the engine's hooks with `{ name, stage }` and these numbers put them in a
 * known order (lower runs first). Auth admits before rate limiting, which counts before the cache answers.
 */
export const Stage = {
  /** Observers that must see everything first (tracing spans open here). */
  OBSERVE_FIRST: -10_000,
  /** The core's exact-name resolver (`resolve`). */
  EXACT_NAME: -1_000,
  /** Authentication and authorization (`admission`, `discoverIntents`, `discoverComponents`). */
  AUTH: -300,
  /** Rate limiting (`admission`). */
  RATE_LIMIT: -200,
  /** Caches (`beforeHandler` lookups, `afterRender` stores). */
  CACHE: -100,
  /** Where taps without a stage run. */
  DEFAULT: 0,
  /** Natural-language resolvers (`resolve`), after exact names. */
  SEMANTIC: 100,
  /** Observers that must see the final value (tracing spans close here). */
  OBSERVE_LAST: 10_000,
} as const

export type StageName = keyof typeof Stage
