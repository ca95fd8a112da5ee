/**
 * Who a request counts against. A key is built from sources (`ip`, `user`, `api-key`, `client`, `intent`,
 * `global`, or functions); parts are encoded so that no two different combinations give the same key, API
 * keys are hashed (raw secrets never reach a store), and overlong keys are hashed too.
 */
import type { RenderState } from '@ixp/core'
import { canonicalIpv4, clientIdentity, parseIp, type IpAddress } from '@ixp/core/net'
import { LRUCache } from 'lru-cache'
import { isPromiseLike } from '@ixp/core/plugin-kit'

/**
 * A built-in key source:
 * - `ip`: the client address (IPv6 grouped by prefix);
 * - `user`: `context.user.id` (set by an auth plugin);
 * - `api-key`: a hash of the API key header;
 * - `client`: the user id, else the API key, else the address — the best identity the request has;
 * - `intent`: the intent's name (alone: one counter per intent shared by every caller);
 * - `global`: one counter for everything.
 */
export type KeySource = 'ip' | 'user' | 'api-key' | 'client' | 'intent' | 'global'

/** A custom key: return a string, or `undefined` when the request has no such key. */
export type KeyFunction = (state: RenderState) => string | undefined | Promise<string | undefined>

/** One source, or several combined (`['user', 'intent']` counts each user per intent). */
export type KeySpec = KeySource | KeyFunction | readonly (KeySource | KeyFunction)[]

export const KEY_SOURCES: readonly KeySource[] = ['ip', 'user', 'api-key', 'client', 'intent', 'global']

/** Keys longer than this are replaced by their hash (a store key should stay short). */
const MAX_KEY_LENGTH = 256

export interface KeySettings {
  ipHeader: string | undefined
  ipv6Subnet: number
  apiKeyHeader: string
}

const encoder = new TextEncoder()

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  let hex = ''
  for (let i = 0; i < 16; i++) hex += digest[i]!.toString(16).padStart(2, '0')
  return hex
}

function header(state: RenderState, name: string): string | undefined {
  const value = state.context.headers?.[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Resolves key sources for requests; one instance per plugin (it caches API key hashes). */
export class KeyResolver {
  readonly #settings: KeySettings
  /** API key → hash, so a busy key is hashed once (the cache never leaves the process). */
  readonly #hashes = new LRUCache<string, string>({ max: 10_000 })
  /** The last socket address keyed and its key: a client's next request reuses the string (see `StoreKeys`). */
  #lastRemote: string | undefined
  #lastIpKey = ''

  constructor(settings: KeySettings) {
    this.#settings = settings
  }

  /**
   * The client's address for this request: a trusted platform header when configured, else `context.ip` as the
   * transport computed it (the transport owns proxy trust; `X-Forwarded-For` is never read here).
   */
  address(state: RenderState): IpAddress | undefined {
    const ipHeader = this.#settings.ipHeader
    if (ipHeader) {
      const fromPlatform = header(state, ipHeader)
      const address = fromPlatform === undefined ? undefined : parseIp(fromPlatform)
      if (address) return address
    }
    const remote = state.context.ip
    return typeof remote === 'string' ? parseIp(remote) : undefined
  }

  #apiKey(state: RenderState): MaybePromise<string | undefined> {
    const raw = header(state, this.#settings.apiKeyHeader)
    if (raw === undefined) return undefined
    const known = this.#hashes.get(raw)
    if (known !== undefined) return `k:${known}`
    return sha256Hex(raw).then((hash) => {
      this.#hashes.set(raw, hash)
      return `k:${hash}`
    })
  }

  #user(state: RenderState): string | undefined {
    const user = state.context.user as { id?: unknown } | undefined
    const id = user?.id
    if (typeof id === 'string' && id !== '') return `u:${encodeURIComponent(id)}`
    if (typeof id === 'number' && Number.isFinite(id)) return `u:${id}`
    return undefined
  }

  #ip(state: RenderState, facts: RequestFacts): string | undefined {
    if (facts.address === null) {
      const settings = this.#settings
      const remote = state.context.ip
      // Fast path for the usual case: a plain IPv4 socket address and nothing else to consult.
      if (typeof remote === 'string' && settings.ipHeader === undefined) {
        if (remote === this.#lastRemote) return this.#lastIpKey
        const ipv4 = canonicalIpv4(remote)
        if (ipv4 !== undefined) {
          this.#lastIpKey = `ip:${ipv4}`
          this.#lastRemote = remote
          return this.#lastIpKey
        }
      }
      facts.address = this.address(state)
    }
    return facts.address && `ip:${clientIdentity(facts.address, this.#settings.ipv6Subnet)}`
  }

  #custom(value: string | undefined): string | undefined {
    if (value === undefined) return undefined
    if (typeof value !== 'string') {
      throw new TypeError(`a rate-limit key function returned ${typeof value}; return a string or undefined`)
    }
    return value === '' ? undefined : `c:${encodeURIComponent(value)}`
  }

  /** One part of a key; synchronous unless it needs hashing or a custom function is asynchronous. */
  #part(
    part: KeySource | KeyFunction,
    state: RenderState,
    facts: RequestFacts,
  ): MaybePromise<string | undefined> {
    switch (part) {
      case 'ip':
        return this.#ip(state, facts)
      case 'user':
        return this.#user(state)
      case 'api-key':
        return this.#apiKey(state)
      case 'client': {
        const user = this.#user(state)
        if (user !== undefined) return user
        if (header(state, this.#settings.apiKeyHeader) !== undefined) return this.#apiKey(state)
        return this.#ip(state, facts)
      }
      case 'intent':
        return `i:${encodeURIComponent(state.intent.name)}`
      case 'global':
        return 'all'
      default: {
        const value = part(state)
        return isPromiseLike(value) ? value.then((v) => this.#custom(v)) : this.#custom(value)
      }
    }
  }

  /**
   * The key for `parts`, or `undefined` when one of them is unknown for this request. Synchronous when every
   * part is, so most requests never wait on a promise here.
   */
  key(
    parts: readonly (KeySource | KeyFunction)[],
    state: RenderState,
    facts: RequestFacts,
  ): MaybePromise<string | undefined> {
    let key = ''
    for (let i = 0; i < parts.length; i++) {
      const value = this.#part(parts[i]!, state, facts)
      if (isPromiseLike(value)) return this.#keyAsync(parts, i, value, key, state, facts)
      if (value === undefined) return undefined
      key = i === 0 ? value : `${key}|${value}`
    }
    return key.length > MAX_KEY_LENGTH ? sha256Hex(key).then((hash) => `h:${hash}`) : key
  }

  async #keyAsync(
    parts: readonly (KeySource | KeyFunction)[],
    from: number,
    pending: Promise<string | undefined>,
    key: string,
    state: RenderState,
    facts: RequestFacts,
  ): Promise<string | undefined> {
    for (let i = from; i < parts.length; i++) {
      const value = i === from ? await pending : await this.#part(parts[i]!, state, facts)
      if (value === undefined) return undefined
      key = i === 0 ? value : `${key}|${value}`
    }
    return key.length > MAX_KEY_LENGTH ? `h:${await sha256Hex(key)}` : key
  }
}

type MaybePromise<T> = T | Promise<T>

/** What one request has already worked out (its address), shared by its limits. */
export interface RequestFacts {
  /** `null` until looked up; `undefined` when the request has no usable address. */
  address: IpAddress | undefined | null
}
