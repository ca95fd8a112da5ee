/**
 * API keys: only SHA-256 digests are kept (plain keys in the options are hashed at start-up), a presented
 * key is hashed and compared with every stored digest in constant time, and expired keys are refused.
 */
import type { Challenges } from '../errors.js'
import { fromHex, sha256, timingSafeEqual, toHex, utf8 } from '../encoding.js'
import { invalidOptions, type ApiKeyConfig, type ApiKeyOptions, type ApiKeyRecord } from '../options.js'
import type { PrincipalParts } from '../principal.js'

const HASH_FORMAT = /^sha256:[0-9a-fA-F]{64}$/
const MIN_KEY_LENGTH = 16

/** The stored form of an API key: `sha256:` and the hex SHA-256 digest of its UTF-8 bytes. */
export async function hashApiKey(key: string): Promise<string> {
  if (typeof key !== 'string' || key === '') throw invalidOptions('hashApiKey needs a non-empty string')
  return `sha256:${toHex(await sha256(utf8(key)))}`
}

interface StoredKey {
  id: string
  digest: Uint8Array
  roles: string[]
  permissions: string[]
  expiresAt: number | undefined
}

function expiryOf(value: Date | number | string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw invalidOptions(
      `${where}.expiresAt must be a Date, milliseconds since the epoch or an ISO date string`,
    )
  }
  return time
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw invalidOptions(`${where} must be an array of non-empty strings`)
  }
  return [...value]
}

/** Checks one configured key now; its plain key (if any) is hashed later, by {@link ApiKeyVerifier.create}. */
function checkedKey(
  config: ApiKeyConfig,
  index: number,
): Omit<StoredKey, 'digest'> & { hash?: string; key?: string } {
  const where = `apiKeys.keys[${index}]`
  if (typeof config !== 'object' || config === null) throw invalidOptions(`${where} must be an object`)
  if (typeof config.id !== 'string' || config.id === '')
    throw invalidOptions(`${where}.id must be a non-empty string`)
  if ((config.hash === undefined) === (config.key === undefined)) {
    throw invalidOptions(`${where} needs exactly one of hash ('sha256:<hex>') or key`)
  }
  if (config.hash !== undefined && (typeof config.hash !== 'string' || !HASH_FORMAT.test(config.hash))) {
    throw invalidOptions(`${where}.hash must be 'sha256:' followed by 64 hex digits (see hashApiKey)`)
  }
  if (config.key !== undefined && (typeof config.key !== 'string' || config.key.length < MIN_KEY_LENGTH)) {
    throw invalidOptions(`${where}.key must be a string of at least ${MIN_KEY_LENGTH} characters`)
  }
  return {
    id: config.id,
    ...(config.hash !== undefined ? { hash: config.hash } : { key: config.key! }),
    roles: stringList(config.roles, `${where}.roles`),
    permissions: stringList(config.permissions, `${where}.permissions`),
    expiresAt: expiryOf(config.expiresAt, where),
  }
}

export class ApiKeyVerifier {
  readonly #keys: StoredKey[]
  readonly #lookup: ApiKeyOptions['lookup']
  readonly #challenges: Challenges

  private constructor(keys: StoredKey[], lookup: ApiKeyOptions['lookup'], challenges: Challenges) {
    this.#keys = keys
    this.#lookup = lookup
    this.#challenges = challenges
  }

  /**
   * Checks the configured keys at once (throwing `AUTH_INVALID_OPTIONS`), then hashes the plain ones.
   * Not `async`, so a bad configuration throws where the plugin is created.
   */
  static create(options: ApiKeyOptions, challenges: Challenges): Promise<ApiKeyVerifier> {
    if (options.keys !== undefined && !Array.isArray(options.keys))
      throw invalidOptions('apiKeys.keys must be an array')
    const checked = (options.keys ?? []).map(checkedKey)
    return (async () => {
      const keys: StoredKey[] = []
      const seen = new Set<string>()
      for (const { hash, key, ...rest } of checked) {
        const hex = (hash ?? (await hashApiKey(key!))).slice('sha256:'.length).toLowerCase()
        if (seen.has(hex)) throw invalidOptions(`apiKeys.keys holds the same key twice (id '${rest.id}')`)
        seen.add(hex)
        keys.push({ ...rest, digest: fromHex(hex)! })
      }
      return new ApiKeyVerifier(keys, options.lookup, challenges)
    })()
  }

  /** The principal parts of a presented key; throws a 401 for unknown, expired or malformed keys. */
  async verify(presented: string, now: number): Promise<PrincipalParts> {
    if (!/^[\x21-\x7e]+$/.test(presented)) {
      throw this.#challenges.invalid(
        'invalid_request',
        'The API key is malformed (printable ASCII expected)',
        'api-key',
      )
    }
    const digest = await sha256(utf8(presented))
    let match: StoredKey | ApiKeyRecord | undefined
    // Every stored digest is compared, so the time taken does not depend on which one matched.
    for (const key of this.#keys) {
      if (timingSafeEqual(key.digest, digest) && match === undefined) match = key
    }
    let expiresAt = (match as StoredKey | undefined)?.expiresAt
    if (!match && this.#lookup) {
      const record = await this.#lookup(`sha256:${toHex(digest)}`)
      if (record) {
        if (typeof record.id !== 'string' || record.id === '')
          throw invalidOptions('apiKeys.lookup returned a record without an id')
        match = record
        expiresAt = expiryOf(record.expiresAt, 'apiKeys.lookup() record')
      }
    }
    if (!match) throw this.#challenges.invalid('invalid_token', 'Invalid API key', 'api-key')
    if (expiresAt !== undefined && now >= expiresAt)
      throw this.#challenges.invalid('invalid_token', 'The API key has expired', 'api-key')
    return {
      id: match.id,
      roles: stringList(match.roles, 'API key roles'),
      permissions: stringList(match.permissions, 'API key permissions'),
      method: 'api-key',
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    }
  }
}
