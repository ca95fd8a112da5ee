/**
 * @ixp/plugin-rate-limit/redis — a Redis store for limits shared by every engine instance (needs `ioredis`).
 */
export { redisStore, type RedisClientLike, type RedisStore, type RedisStoreOptions } from './store.js'
