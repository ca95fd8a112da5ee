/**
 * @ixp/plugin-cache/redis — the Redis store for the cache plugin (Node only: it uses ioredis). Kept out of the
 * main entry so `@ixp/plugin-cache` stays importable on edge runtimes.
 */
export type { RedisStoreOptions } from './options.js'
export { redisStore, RedisStore } from './store.js'
