/** Options of `cache()`, of an intent's `cache` field, and their defaults (spread in one place). */
import { isObject, type IxpContext, type RenderResult, type RenderState } from '@ixp/core'
import { secondsProblem } from './control.js'
import { cacheError } from './errors.js'
import type { CacheIdentity, CacheScope } from './key.js'
import type { CacheStore } from './store.js'

/** An intent's own cache settings (its `cache` field); `cache: false` turns caching off for the intent. */
export interface IntentCacheOptions<Params = Record<string, unknown>> {
  /** Seconds an answer stays fresh. @default the plugin's `ttl`, else the render's `ttl` */
  ttl?: number | ((params: Params) => number)
  /** Seconds after `ttl` a stale answer is served while one refresh runs. @default the plugin's */
  staleWhileRevalidate?: number
  /** Seconds after the stale window a stale answer is still served when refreshing failed. @default the plugin's */
  staleIfError?: number
  /**
   * Who may share an answer: everyone (`public`), callers of one tenant, or one user. Without a user (or
   * tenant) a `user` (`tenant`) intent is not cached.
   * @default 'user' when the intent has an `auth` requirement, else the plugin's `defaultScope`
   */
  scope?: CacheScope
  /** Tags for every answer of the intent (`invalidateTag`). @default [] */
  tags?: readonly string[] | ((params: Params, ctx: IxpContext) => readonly string[])
  /** Extra key material (a header, a locale …), as JSON. @default nothing */
  varyBy?: (params: Params, ctx: IxpContext) => unknown
  /** Replaces parameters + options as key material (intent, versions and scope still prefix the key). */
  key?: (params: Params, ctx: IxpContext) => unknown
}

declare module '@ixp/core' {
  interface IxpContext {
    /**
     * The idempotency key of a command (`@ixp/plugin-cache`), for transports without headers; over HTTP the
     * `Idempotency-Key` header gives it.
     */
    idempotencyKey?: string
  }
  interface IntentDefinition<Params = Record<string, unknown>> {
    /** Render cache settings (`@ixp/plugin-cache`): `false` never caches the intent. */
    cache?: boolean | IntentCacheOptions<Params>
  }
  interface RenderMeta {
    /** Seconds since a cached answer was stored (`@ixp/plugin-cache`, hits and stale answers). */
    cacheAge?: number
  }
}

/** What the plugin-level `key` function receives. */
export interface KeyInput {
  intent: string
  parameters: Record<string, unknown>
  options: Record<string, unknown> | undefined
  context: IxpContext
}

/** Idempotency keys of commands: a repeat within the window gets the first answer instead of a second run. */
export interface IdempotencyOptions {
  /** How long a command's answer is kept for repeats of its key. @default 86400000 (24 h) */
  windowMs?: number
  /** How long a running command holds its key if its instance never finishes it (crashed). @default 60000 */
  runningMs?: number
  /** Longest accepted key, in characters (visible ASCII only). @default 255 */
  maxKeyLength?: number
  /** Most keys the in-process store keeps (least recently used dropped first). @default 10000 */
  maxKeys?: number
}

/** The distributed lock that makes misses render once across instances (needs a store with `lock`). */
export interface LockOptions {
  /** How long a lock holds if its holder never releases it (crashed). @default 10000 */
  ttlMs?: number
  /** How long a miss waits for another instance's answer before rendering itself. @default 5000 */
  waitMs?: number
  /** How often a waiting miss looks for the answer. @default 25 */
  pollMs?: number
}

export interface CacheOptions {
  /** Most entries in the in-process level (`0`: no entry bound, `maxSize` must then be set). @default 1000 */
  max?: number
  /** Most approximate bytes in the in-process level (`0`: no byte bound). @default 0 */
  maxSize?: number
  /** A shared second level, e.g. `redisStore({ url })` from `@ixp/plugin-cache/redis`. @default none */
  store?: CacheStore
  /** Seconds an answer stays fresh, for every intent. @default the render's `ttl` (the IXP TTL rules) */
  ttl?: number | ((result: RenderResult, state: RenderState) => number)
  /** Seconds after `ttl` a stale answer is served while one background refresh runs. @default 0 */
  staleWhileRevalidate?: number
  /** Seconds after the stale window a stale answer is still served when its refresh failed. @default 0 */
  staleIfError?: number
  /**
   * Scope of intents that declare none and have no `auth` requirement. `'auto'` shares answers between
   * anonymous callers and keeps them per user (or per tenant) as soon as the request carries one.
   * @default 'auto'
   */
  defaultScope?: CacheScope | 'auto'
  /**
   * Who the caller is. @default `ctx.user.id` and its kind `ctx.user.method` (as `@ixp/plugin-auth` sets
   * them) and `ctx.tenant` (or `ctx.user.tenant`)
   */
  identify?: (ctx: IxpContext) => CacheIdentity
  /** Cache every intent unless it says `cache: false`, or only those that declare `cache`. @default 'all' */
  intents?: 'all' | 'opt-in'
  /** Skips the cache for renders it returns `true` for. @default none */
  bypass?: (state: RenderState) => boolean
  /** Replaces parameters + options as key material for every intent (an intent's `cache.key` wins). */
  key?: (input: KeyInput) => unknown
  /** First segment of every key: change it (to a build id, say) to start from an empty cache. @default '1' */
  version?: string
  /** Concurrent misses for one key run the handler once in this process. @default true */
  coalesce?: boolean
  /** Misses also render once across instances, through the store's lock. @default false */
  lock?: boolean | LockOptions
  /** Longest wait for one store call (`get`, `set`, `lock`) before carrying on without it. @default 200 */
  storeTimeoutMs?: number
  /** The clock: a function returning the time in epoch milliseconds (tests pass a manual one). @default Date.now */
  clock?: () => number
  /**
   * Idempotency keys for commands (`Idempotency-Key` header or `ctx.idempotencyKey`); `false` turns them off.
   * Records live in the store when it implements `idempotency` (`redisStore` does: exact across instances),
   * else in this process. @default {} (on, with the defaults of {@link IdempotencyOptions})
   */
  idempotency?: false | IdempotencyOptions
}

export interface Settings {
  max: number
  maxSize: number
  store: CacheStore | undefined
  ttl: number | ((result: RenderResult, state: RenderState) => number) | undefined
  staleWhileRevalidate: number
  staleIfError: number
  defaultScope: CacheScope | 'auto'
  identify: (ctx: IxpContext) => CacheIdentity
  intents: 'all' | 'opt-in'
  bypass: ((state: RenderState) => boolean) | undefined
  key: ((input: KeyInput) => unknown) | undefined
  version: string
  coalesce: boolean
  lock: Required<LockOptions> | undefined
  storeTimeoutMs: number
  clock: () => number
  idempotency: Required<IdempotencyOptions> | undefined
}

const LOCK_DEFAULTS: Required<LockOptions> = { ttlMs: 10_000, waitMs: 5_000, pollMs: 25 }
const IDEMPOTENCY_DEFAULTS: Required<IdempotencyOptions> = {
  windowMs: 86_400_000,
  runningMs: 60_000,
  maxKeyLength: 255,
  maxKeys: 10_000,
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (isObject(value)) return idOf(value.id)
  return undefined
}

/**
 * `ctx.user.id` with its kind `ctx.user.method` (or `ctx.user` itself when it is a string) and `ctx.tenant`
 * (or `ctx.user.tenant`).
 */
export function defaultIdentify(ctx: IxpContext): CacheIdentity {
  const user = ctx.user
  const tenant = idOf(ctx.tenant) ?? (isObject(user) ? (idOf(user.tenant) ?? idOf(user.tenantId)) : undefined)
  const method: unknown = isObject(user) ? user.method : undefined
  const kind = typeof method === 'string' && method !== '' ? method : undefined
  return { user: idOf(user), kind, tenant }
}

const SCOPES: readonly string[] = ['public', 'tenant', 'user']

function invalid(field: string, problem: string): never {
  throw cacheError(
    'CACHE_INVALID_OPTIONS',
    { problem: `cache(): option '${field}' ${problem}` },
    { details: { option: field } },
  )
}

function nonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    invalid(field, 'must be an integer, 0 or more')
  return value
}

function seconds(value: unknown, field: string): number {
  const problem = secondsProblem(value)
  if (problem) invalid(field, problem)
  return value as number
}

function optionalFunction<T>(value: unknown, field: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') invalid(field, 'must be a function')
  return value as T | undefined
}

function lockSettings(value: CacheOptions['lock']): Required<LockOptions> | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return { ...LOCK_DEFAULTS }
  if (!isObject(value)) invalid('lock', 'must be a boolean or { ttlMs?, waitMs?, pollMs? }')
  const lock = { ...LOCK_DEFAULTS, ...value }
  for (const field of ['ttlMs', 'waitMs', 'pollMs'] as const) {
    if (nonNegativeInteger(lock[field], `lock.${field}`) === 0)
      invalid(`lock.${field}`, 'must be more than 0')
  }
  return lock
}

function idempotencySettings(value: CacheOptions['idempotency']): Required<IdempotencyOptions> | undefined {
  if (value === false) return undefined
  if (value !== undefined && !isObject(value))
    invalid('idempotency', 'must be false or { windowMs?, runningMs?, maxKeyLength?, maxKeys? }')
  const idempotency = { ...IDEMPOTENCY_DEFAULTS, ...value }
  for (const field of ['windowMs', 'runningMs', 'maxKeyLength', 'maxKeys'] as const) {
    if (nonNegativeInteger(idempotency[field], `idempotency.${field}`) === 0)
      invalid(`idempotency.${field}`, 'must be more than 0')
  }
  return idempotency
}

/** Checks the options (naming the one at fault) and fills in the defaults. */
export function resolveOptions(options: CacheOptions): Settings {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    invalid('options', 'must be an object')
  // Renamed to the name every package uses for its clock; said at start-up rather than silently ignored.
  if (Object.hasOwn(options, 'now')) invalid('now', "was renamed 'clock' (a function returning epoch ms)")
  const settings: Settings = {
    max: nonNegativeInteger(options.max ?? 1000, 'max'),
    maxSize: nonNegativeInteger(options.maxSize ?? 0, 'maxSize'),
    store: options.store,
    ttl: options.ttl,
    staleWhileRevalidate: seconds(options.staleWhileRevalidate ?? 0, 'staleWhileRevalidate'),
    staleIfError: seconds(options.staleIfError ?? 0, 'staleIfError'),
    defaultScope: options.defaultScope ?? 'auto',
    identify: optionalFunction(options.identify, 'identify') ?? defaultIdentify,
    intents: options.intents ?? 'all',
    bypass: optionalFunction(options.bypass, 'bypass'),
    key: optionalFunction(options.key, 'key'),
    version: options.version ?? '1',
    coalesce: options.coalesce ?? true,
    lock: lockSettings(options.lock),
    storeTimeoutMs: nonNegativeInteger(options.storeTimeoutMs ?? 200, 'storeTimeoutMs'),
    clock: optionalFunction(options.clock, 'clock') ?? Date.now,
    idempotency: idempotencySettings(options.idempotency),
  }
  if (settings.max === 0 && settings.maxSize === 0)
    invalid('max', 'or maxSize must bound the in-process level')
  if (typeof settings.ttl !== 'function' && settings.ttl !== undefined) seconds(settings.ttl, 'ttl')
  if (settings.defaultScope !== 'auto' && !SCOPES.includes(settings.defaultScope)) {
    invalid('defaultScope', "must be 'auto', 'public', 'tenant' or 'user'")
  }
  if (settings.intents !== 'all' && settings.intents !== 'opt-in')
    invalid('intents', "must be 'all' or 'opt-in'")
  if (typeof settings.version !== 'string') invalid('version', 'must be a string')
  if (typeof settings.coalesce !== 'boolean') invalid('coalesce', 'must be a boolean')
  if (settings.storeTimeoutMs === 0) invalid('storeTimeoutMs', 'must be more than 0')
  const store = settings.store
  if (store !== undefined) {
    if (
      !isObject(store) ||
      ['get', 'set', 'invalidate'].some((method) => typeof store[method as 'get'] !== 'function')
    ) {
      invalid('store', 'must implement get(), set() and invalidate() (see CacheStore)')
    }
    if (typeof store.name !== 'string' || store.name === '') invalid('store', 'must have a name')
    if (settings.lock && typeof store.lock !== 'function')
      invalid('lock', 'needs a store that implements lock()')
  } else if (settings.lock) {
    invalid('lock', 'needs a store (the lock is shared through it)')
  }
  return settings
}
