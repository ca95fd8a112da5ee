/**
 * @ixp/plugin-cache — render cache for IXP Engine: an in-process LRU level, an optional shared store
 * (`@ixp/plugin-cache/redis`), request coalescing, stale-while-revalidate, tags and invalidation that reaches
 * every instance. This entry imports nothing Node-specific, so it runs on edge runtimes.
 */
export { cache, type CachePlugin } from './plugin.js'
export { cacheControl, type CacheControl } from './control.js'
export { CacheErrorCodes, type CacheErrorCode } from './errors.js'
export type { BypassReason, CacheEvents, CacheStats } from './events.js'
export type { CacheIdentity, CacheScope } from './key.js'
export type { IdempotencyOutcome } from './idempotency/guard.js'
export type { IdempotencyClaim, IdempotencyStore } from './idempotency/store.js'
export {
  defaultIdentify,
  type CacheOptions,
  type IdempotencyOptions,
  type IntentCacheOptions,
  type KeyInput,
  type LockOptions,
} from './options.js'
export {
  lifetimeMs,
  type CacheStore,
  type InvalidationTarget,
  type StoreContext,
  type StoredEntry,
  type StoreLock,
} from './store.js'
