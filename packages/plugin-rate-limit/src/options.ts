/**
 * The plugin's options, their defaults (spread in one place) and their validation into compiled limits.
 * Over 400 lines because a third of it is the documented option interfaces, kept beside the checks that
 * enforce them so a new option changes one file.
 */
import type { RenderState } from '@ixp/core'
import { parseIpRange, type IpRange } from '@ixp/core/net'
import type { Algorithm, LimitRule } from './algorithms.js'
import { invalidOptions } from './errors.js'

import { KEY_SOURCES, type KeyFunction, type KeySource, type KeySpec } from './keys.js'
import type { RateLimitStore } from './store.js'

/** Units a request takes: a number, or a function of the render state returning one. */
export type CostSpec = number | ((state: RenderState) => number)

/** One limit (a quota policy, in the IETF headers' words). */
export interface LimitOptions {
  /**
   * The policy's name in the `RateLimit-Policy` / `RateLimit` headers (letters, digits, `_ . : / -`).
   * @default 'default' for a single limit, else `<limit>-per-<window>` (e.g. `10-per-1s`)
   */
  name?: string
  /** Units allowed per window; for a token bucket, the units refilled per window. */
  limit: number
  /** The window, in milliseconds (a positive integer). */
  windowMs: number
  /** @default 'sliding-window' */
  algorithm?: Algorithm
  /** Token bucket only: its capacity, the largest burst it admits at once. @default limit */
  burst?: number
  /** Who this limit counts, instead of the plugin's `key`. @default the plugin's `key` */
  key?: KeySpec
}

/** Rate limiting of one intent: in `rateLimit({ intents })`, or as the intent definition's `rateLimit` field. */
export interface IntentRateLimit {
  /** Units one render of the intent takes from every limit that applies. @default the plugin's `cost` */
  cost?: CostSpec
  /** Extra limits for this intent only, counted separately from other intents'. @default [] */
  limits?: LimitOptions[]
  /** Exempts the intent from rate limiting. @default false */
  skip?: boolean
}

export interface RateLimitOptions {
  /** Simple form: units allowed per `windowMs` (use `limits` for several). */
  limit?: number
  /** Simple form: the window in milliseconds. @default 60_000 */
  windowMs?: number
  /** Simple form: the algorithm. @default 'sliding-window' */
  algorithm?: Algorithm
  /** Simple form, token bucket: the capacity. @default limit */
  burst?: number
  /** Several limits, all enforced (a request must pass every one). Replaces the simple form. */
  limits?: LimitOptions[]
  /** Who a request counts against (see {@link KeySource}). @default 'ip' */
  key?: KeySpec
  /** Units each request takes. @default 1 */
  cost?: CostSpec
  /** Per-intent costs, extra limits and exemptions, by intent name (wins over the definition's field). @default {} */
  intents?: Record<string, IntentRateLimit>
  /**
   * Removed: proxy trust has one owner, the transport, which computes `context.ip` (plugin-http's `trustProxy`).
   * Any value but `false` is refused with a message saying so.
   * @deprecated set `trustProxy` on the HTTP handler instead
   */
  trustProxy?: false
  /**
   * A header your platform sets to the client address and clients cannot forge (`cf-connecting-ip`,
   * `fly-client-ip`, `x-real-ip` set by your own proxy). Wins over `context.ip` when present.
   * @default undefined
   */
  ipHeader?: string
  /** IPv6 clients are counted per network of this prefix length (128 counts each address). @default 56 */
  ipv6Subnet?: number
  /** The header holding the API key of the `api-key` and `client` sources. @default 'x-api-key' */
  apiKeyHeader?: string
  /** Client addresses or CIDR ranges that are never limited. @default [] */
  allowList?: readonly string[]
  /** Exempts a request when it returns true (health probes, internal callers, …). @default undefined */
  skip?: (state: RenderState) => boolean | Promise<boolean>
  /**
   * When the key of a limit is unknown for a request (no address, no user): `'shared'` counts all such
   * requests together under one key; `'skip'` does not limit them.
   * @default 'shared'
   */
  onMissingKey?: 'shared' | 'skip'
  /** Where counters live. @default memoryStore() */
  store?: RateLimitStore
  /** When the store fails: `'open'` admits requests, `'closed'` refuses them with 503. @default 'open' */
  onStoreError?: 'open' | 'closed'
  /**
   * While the store is failing, decide with this store instead (`true`: an in-memory store). Limits are then
   * per instance. Wins over `onStoreError`.
   * @default false
   */
  fallback?: boolean | RateLimitStore
  /**
   * After a store error, how often one background probe checks whether the store answers again (requests are
   * decided without it meanwhile; 0: a probe whenever none is running). @default 1000
   */
  storeRetryMs?: number
  /** Send the IETF `RateLimit-Policy` and `RateLimit` headers. @default true */
  headers?: boolean
  /** Also send `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch seconds). @default false */
  legacyHeaders?: boolean
}

/** A limit ready for use. */
export interface CompiledLimit {
  readonly name: string
  readonly rule: LimitRule
  readonly key: readonly (KeySource | KeyFunction)[]
  /** Store key prefix: scope, name, algorithm and window (a changed window starts fresh counters). */
  readonly prefix: string
  /** The window in whole seconds, for the headers (at least 1). */
  readonly windowSeconds: number
  /** The name as a Structured Fields string, and this policy's `RateLimit-Policy` item (both fixed). */
  readonly quotedName: string
  readonly policyItem: string
  /** This limit's store keys (`<prefix>|<client>`). */
  readonly storeKeys: StoreKeys
}

/**
 * The store keys of one limit. The last one made is kept: the next request of the same client gets the same
 * string, whose hash V8 has already computed, instead of a new string the store's map must hash again (a few
 * hundred nanoseconds per request under a burst from one client; a string comparison otherwise).
 */
export class StoreKeys {
  #client: string | undefined
  #key = ''

  constructor(readonly prefix: string) {}

  of(client: string): string {
    if (client !== this.#client) {
      this.#key = `${this.prefix}|${client}`
      this.#client = client
    }
    return this.#key
  }
}

/** What applies to one intent. */
export interface CompiledIntent {
  readonly skip: boolean
  readonly cost: CostSpec
  readonly limits: readonly CompiledLimit[]
}

export interface Settings {
  readonly limits: readonly CompiledLimit[]
  readonly key: readonly (KeySource | KeyFunction)[]
  readonly cost: CostSpec
  readonly intents: Record<string, IntentRateLimit>
  readonly ipHeader: string | undefined
  readonly ipv6Subnet: number
  readonly apiKeyHeader: string
  readonly allowList: readonly IpRange[]
  readonly skip: ((state: RenderState) => boolean | Promise<boolean>) | undefined
  readonly onMissingKey: 'shared' | 'skip'
  readonly onStoreError: 'open' | 'closed'
  readonly storeRetryMs: number
  readonly headers: boolean
  readonly legacyHeaders: boolean
}

const DEFAULTS = {
  windowMs: 60_000,
  algorithm: 'sliding-window' as Algorithm,
  key: 'ip' as KeySpec,
  cost: 1 as CostSpec,
  intents: {} as Record<string, IntentRateLimit>,
  ipv6Subnet: 56,
  apiKeyHeader: 'x-api-key',
  allowList: [] as readonly string[],
  onMissingKey: 'shared' as 'shared' | 'skip',
  onStoreError: 'open' as 'open' | 'closed',
  storeRetryMs: 1000,
  headers: true,
  legacyHeaders: false,
}

const ALGORITHMS: readonly Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket']
const ALGORITHM_CODES: Record<Algorithm, string> = {
  'fixed-window': 'f',
  'sliding-window': 's',
  'token-bucket': 'b',
}
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** `60000` → `1m`, `1500` → `1500ms`: the shortest exact unit. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

function compileKey(spec: unknown, where: string): (KeySource | KeyFunction)[] {
  const parts = Array.isArray(spec) ? spec : [spec]
  if (parts.length === 0) throw invalidOptions(`${where}: 'key' must not be an empty list`)
  for (const part of parts) {
    if (typeof part === 'function') continue
    if (!KEY_SOURCES.includes(part as KeySource)) {
      throw invalidOptions(
        `${where}: unknown key source ${JSON.stringify(part)}; use one of ${KEY_SOURCES.map((s) => `'${s}'`).join(', ')} or a function`,
      )
    }
  }
  return parts as (KeySource | KeyFunction)[]
}

export function checkCost(cost: unknown, where: string): CostSpec {
  if (typeof cost === 'function') return cost as CostSpec
  if (typeof cost !== 'number' || !Number.isSafeInteger(cost) || cost < 0) {
    throw invalidOptions(
      `${where}: 'cost' must be a non-negative integer or a function (got ${String(cost)})`,
    )
  }
  return cost
}

function compileLimit(
  input: LimitOptions,
  name: string,
  scope: string,
  defaultKey: readonly (KeySource | KeyFunction)[],
  where: string,
): CompiledLimit {
  if (typeof input !== 'object' || input === null)
    throw invalidOptions(`${where}: each limit must be an object`)
  const algorithm = input.algorithm ?? DEFAULTS.algorithm
  if (!ALGORITHMS.includes(algorithm)) {
    throw invalidOptions(
      `${where}: unknown algorithm '${String(algorithm)}'; use ${ALGORITHMS.map((a) => `'${a}'`).join(', ')}`,
    )
  }
  if (!isPositiveInteger(input.limit)) {
    throw invalidOptions(`${where}: 'limit' must be a positive integer (got ${String(input.limit)})`)
  }
  if (!isPositiveInteger(input.windowMs)) {
    throw invalidOptions(
      `${where}: 'windowMs' must be a positive integer number of milliseconds (got ${String(input.windowMs)})`,
    )
  }
  if (input.burst !== undefined) {
    if (algorithm !== 'token-bucket')
      throw invalidOptions(`${where}: 'burst' applies to the 'token-bucket' algorithm only`)
    if (!isPositiveInteger(input.burst)) {
      throw invalidOptions(`${where}: 'burst' must be a positive integer (got ${String(input.burst)})`)
    }
  }
  if (!NAME.test(name)) {
    throw invalidOptions(
      `${where}: name '${name}' must be 1–64 letters, digits or _ . : / - (starting with a letter or digit)`,
    )
  }
  const key = input.key === undefined ? defaultKey : compileKey(input.key, where)
  const capacity = algorithm === 'token-bucket' ? (input.burst ?? input.limit) : input.limit
  const windowSeconds = Math.max(1, Math.ceil(input.windowMs / 1000))
  // Names are restricted to characters that need no escaping in a Structured Fields string.
  const quotedName = `"${name}"`
  const prefix = `${scope}${name}:${ALGORITHM_CODES[algorithm]}${input.windowMs}`
  return {
    name,
    rule: { algorithm, limit: input.limit, windowMs: input.windowMs, capacity },
    key,
    prefix,
    windowSeconds,
    quotedName,
    policyItem: `${quotedName};q=${input.limit};w=${windowSeconds}`,
    storeKeys: new StoreKeys(prefix),
  }
}

/** Compiles a list of limits; `taken` holds names already used where these limits apply. */
export function compileLimits(
  inputs: readonly LimitOptions[],
  scope: string,
  defaultKey: readonly (KeySource | KeyFunction)[],
  where: string,
  taken: readonly string[] = [],
): CompiledLimit[] {
  if (!Array.isArray(inputs)) throw invalidOptions(`${where}: 'limits' must be an array`)
  const names = new Set(taken)
  return inputs.map((input, i) => {
    const place = `${where}: limits[${i}]`
    const single = inputs.length === 1 && taken.length === 0
    const name =
      input?.name ??
      (single ? 'default' : `${String(input?.limit)}-per-${formatWindow(Number(input?.windowMs))}`)
    const limit = compileLimit(input, name, scope, defaultKey, place)
    if (names.has(name)) {
      throw invalidOptions(`${place}: two limits are named '${name}'; give each limit a distinct 'name'`)
    }
    names.add(name)
    return limit
  })
}

/** Proxy trust belongs to the transport (it computes `context.ip`); a second walk here would disagree with it. */
function refuseTrustProxy(trust: unknown): void {
  if (trust === undefined || trust === false) return
  throw invalidOptions(
    `rateLimit: 'trustProxy' is no longer an option of the rate limit: the transport computes the client address (context.ip) — set 'trustProxy' (a number of proxy hops or a list of proxy CIDR ranges) on the HTTP handler instead`,
  )
}

function compileRanges(entries: readonly unknown[], option: string): IpRange[] {
  return entries.map((entry) => {
    const range = typeof entry === 'string' ? parseIpRange(entry) : undefined
    if (!range)
      throw invalidOptions(
        `rateLimit: '${option}' entry ${JSON.stringify(entry)} is not an IP address or CIDR range`,
      )
    return range
  })
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (!allowed.includes(value as T)) {
    throw invalidOptions(
      `rateLimit: '${option}' must be ${allowed.map((a) => `'${a}'`).join(' or ')} (got ${String(value)})`,
    )
  }
  return value as T
}

/** Validates the options; every mistake is reported here, when the plugin is created. */
export function compileOptions(options: RateLimitOptions): Settings {
  if (typeof options !== 'object' || options === null)
    throw invalidOptions('rateLimit: options must be an object')
  const o = { ...DEFAULTS, ...options }
  const key = compileKey(o.key, 'rateLimit')
  let limitInputs: LimitOptions[]
  if (options.limits !== undefined) {
    if (options.limit !== undefined) {
      throw invalidOptions("rateLimit: give either 'limit' (with 'windowMs') or 'limits', not both")
    }
    if (!Array.isArray(options.limits) || options.limits.length === 0) {
      throw invalidOptions("rateLimit: 'limits' must be a non-empty array of { limit, windowMs }")
    }
    limitInputs = options.limits
  } else {
    if (options.limit === undefined) {
      throw invalidOptions("rateLimit: set 'limit' (requests per 'windowMs') or 'limits' (several limits)")
    }
    const simple: LimitOptions = { limit: options.limit, windowMs: o.windowMs, algorithm: o.algorithm }
    if (options.burst !== undefined) simple.burst = options.burst
    limitInputs = [simple]
  }
  const limits = compileLimits(limitInputs, '', key, 'rateLimit')
  const cost = checkCost(o.cost, 'rateLimit')
  if (typeof cost === 'number') {
    for (const limit of limits) {
      if (cost > limit.rule.capacity) {
        throw invalidOptions(
          `rateLimit: cost ${cost} is more than limit '${limit.name}' can ever admit (${limit.rule.capacity})`,
        )
      }
    }
  }
  if (typeof o.intents !== 'object' || o.intents === null)
    throw invalidOptions("rateLimit: 'intents' must be an object")
  for (const [name, config] of Object.entries(o.intents)) {
    compileIntent(name, config, { limits, key, cost })
  }
  if (!Number.isSafeInteger(o.ipv6Subnet) || o.ipv6Subnet < 1 || o.ipv6Subnet > 128) {
    throw invalidOptions(
      `rateLimit: 'ipv6Subnet' must be an integer prefix length from 1 to 128 (got ${String(o.ipv6Subnet)})`,
    )
  }
  if (options.ipHeader !== undefined && (typeof options.ipHeader !== 'string' || options.ipHeader === '')) {
    throw invalidOptions("rateLimit: 'ipHeader' must be a header name")
  }
  if (typeof o.apiKeyHeader !== 'string' || o.apiKeyHeader === '') {
    throw invalidOptions("rateLimit: 'apiKeyHeader' must be a header name")
  }
  if (!Array.isArray(o.allowList))
    throw invalidOptions("rateLimit: 'allowList' must be an array of addresses or CIDR ranges")
  if (options.skip !== undefined && typeof options.skip !== 'function') {
    throw invalidOptions("rateLimit: 'skip' must be a function")
  }
  if (!Number.isSafeInteger(o.storeRetryMs) || o.storeRetryMs < 0) {
    throw invalidOptions(
      `rateLimit: 'storeRetryMs' must be a non-negative integer (got ${String(o.storeRetryMs)})`,
    )
  }
  refuseTrustProxy(options.trustProxy)
  return {
    limits,
    key,
    cost,
    intents: o.intents,
    ipHeader: options.ipHeader?.toLowerCase(),
    ipv6Subnet: o.ipv6Subnet,
    apiKeyHeader: o.apiKeyHeader.toLowerCase(),
    allowList: compileRanges(o.allowList, 'allowList'),
    skip: options.skip,
    onMissingKey: oneOf(o.onMissingKey, ['shared', 'skip'], 'onMissingKey'),
    onStoreError: oneOf(o.onStoreError, ['open', 'closed'], 'onStoreError'),
    storeRetryMs: o.storeRetryMs,
    headers: o.headers !== false,
    legacyHeaders: o.legacyHeaders === true,
  }
}

/** Compiles what applies to an intent: the plugin's limits plus the intent's own. */
export function compileIntent(
  name: string,
  config: IntentRateLimit | false | undefined,
  base: { limits: readonly CompiledLimit[]; key: readonly (KeySource | KeyFunction)[]; cost: CostSpec },
): CompiledIntent {
  const where = `rate limit of intent '${name}'`
  if (config === undefined) return { skip: false, cost: base.cost, limits: base.limits }
  if (config === false) return { skip: true, cost: base.cost, limits: base.limits }
  if (typeof config !== 'object' || config === null) {
    throw invalidOptions(`${where}: must be an object { cost?, limits?, skip? } or false`)
  }
  if (config.skip !== undefined && typeof config.skip !== 'boolean')
    throw invalidOptions(`${where}: 'skip' must be a boolean`)
  const cost = config.cost === undefined ? base.cost : checkCost(config.cost, where)
  const own = config.limits
    ? compileLimits(
        config.limits,
        `@${encodeURIComponent(name)}/`,
        base.key,
        where,
        base.limits.map((limit) => limit.name),
      )
    : []
  if (typeof cost === 'number') {
    for (const limit of [...base.limits, ...own]) {
      if (cost > limit.rule.capacity) {
        throw invalidOptions(
          `${where}: cost ${cost} is more than limit '${limit.name}' can ever admit (${limit.rule.capacity})`,
        )
      }
    }
  }
  return {
    skip: config.skip === true,
    cost,
    limits: own.length === 0 ? base.limits : [...base.limits, ...own],
  }
}
