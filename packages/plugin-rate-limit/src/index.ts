/**
 * @ixp/plugin-rate-limit — fixed window, sliding window and token bucket limits for IXP Engine renders, per
 * client address, user, API key or intent, with the IETF RateLimit headers. This file is the public API.
 */
export { rateLimit, type RateLimitPlugin } from './plugin.js'
export { memoryStore, type MemoryStore, type MemoryStoreOptions } from './memory-store.js'
export type { LimitCheck, RateLimitStore, StoreDecision } from './store.js'
export type { Algorithm, LimitOutcome, LimitRule } from './algorithms.js'
export type { PolicyStatus, RateLimitDecision } from './decision.js'
export type { CostSpec, IntentRateLimit, LimitOptions, RateLimitOptions } from './options.js'
export type { KeyFunction, KeySource, KeySpec } from './keys.js'
export { RateLimitErrorCodes, type RateLimitErrorCode } from './errors.js'
