/** The plugin's options, their defaults (spread in one place) and the start-up checks of them. */
import { type IxpError, type IntentDefinition, type IxpContext, isObject } from '@ixp/core'
import { authError } from './errors.js'
import type { JWK } from 'jose'
import { checkRequirement } from './requirements.js'
import type { AuthRequirement, PrincipalInput } from './types.js'

/** Where a token's claims are read from; dotted paths reach nested claims (`realm_access.roles`). */
export interface JwtClaimNames {
  /** The principal's id. @default 'sub' */
  id?: string
  /** Roles: an array of strings or a space-separated string. @default 'roles' */
  roles?: string
  /** Permissions: an array of strings or a space-separated string (like `scope`). @default 'permissions' */
  permissions?: string
}

/** Bearer JWT verification. Set exactly one of `secret`, `publicKey` and `jwksUrl`. */
export interface JwtOptions {
  /** HMAC secret (at least 32 bytes). Only HS256/HS384/HS512 may be allowed with it. */
  secret?: string | Uint8Array
  /** Public key: SPKI PEM, a JWK, or a Web Crypto `CryptoKey`. Only asymmetric algorithms may be allowed with it. */
  publicKey?: string | JWK | CryptoKey
  /** URL of a JSON Web Key Set (an `https:` URL; `http:` only for localhost). */
  jwksUrl?: string | URL
  /** Accepted `iss` values; the claim is required when set. @default undefined (not checked) */
  issuer?: string | string[]
  /** Accepted `aud` values; the claim is required when set. @default undefined (not checked) */
  audience?: string | string[]
  /**
   * The allow-list of `alg` values. `none` is never accepted, and HMAC and asymmetric algorithms can never
   * be mixed (that is how algorithm-confusion attacks work).
   * @default ['HS256'] with `secret`, ['RS256'] with `publicKey` or `jwksUrl`
   */
  algorithms?: string[]
  /**
   * Seconds of clock skew tolerated for `exp`, `nbf`, `iat` and second-factor times (JWT times are seconds).
   * @default 5
   */
  clockToleranceSeconds?: number
  /** Refuse tokens without an `exp` claim (tokens that never expire). @default true */
  requireExpiration?: boolean
  /** Refuse tokens issued (`iat`) longer ago than this many seconds. @default undefined (no limit) */
  maxTokenAgeSeconds?: number
  /** Claim names of the principal's fields. @default { id: 'sub', roles: 'roles', permissions: 'permissions' } */
  claims?: JwtClaimNames
  /** Remote key-set fetching (with `jwksUrl`). */
  jwks?: {
    /** Milliseconds after a fetch before an unknown `kid` may trigger another. @default 30000 */
    cooldownMs?: number
    /** Milliseconds a key-set fetch may take. @default 5000 */
    timeoutMs?: number
    /** Milliseconds a fetched key set is trusted before it is fetched again. @default 600000 */
    cacheMaxAgeMs?: number
  }
}

/** One API key. Give either its `hash` (preferred: no secret in your configuration) or the plain `key`. */
export interface ApiKeyConfig {
  /** Stable id of the key's owner: the principal's id. */
  id: string
  /** `sha256:<64 hex>`, as {@link hashApiKey} prints it. */
  hash?: string
  /** The key itself (at least 16 characters), hashed at start-up and then forgotten. */
  key?: string
  roles?: string[]
  permissions?: string[]
  /** When the key stops working: a `Date`, milliseconds since the epoch, or an ISO date string. @default never */
  expiresAt?: Date | number | string
}

/** A key record returned by a {@link ApiKeyOptions.lookup} (from your database). */
export interface ApiKeyRecord {
  id: string
  roles?: string[]
  permissions?: string[]
  expiresAt?: Date | number | string
}

export interface ApiKeyOptions {
  /** Keys known at start-up. @default [] */
  keys?: ApiKeyConfig[]
  /**
   * Finds a key by its hash (`sha256:<hex>`) in your own store, for keys not in `keys`. Store only hashes:
   * a lookup by hash reveals nothing about the key. @default undefined
   */
  lookup?: (hash: string) => ApiKeyRecord | undefined | null | Promise<ApiKeyRecord | undefined | null>
  /** Request header carrying the key (lower case). @default 'x-api-key' */
  header?: string
  /**
   * Query parameter carrying the key, read from `ctx.query` or `ctx.url`. Off by default: URLs end up in
   * logs, browser history and proxies. @default undefined
   */
  query?: string
}

export interface MfaOptions {
  /** How recent a second factor must be for `mfa: true` requirements, in seconds. @default 900 */
  maxAgeSeconds?: number
  /** `amr` claim values that mean a second factor was passed. @default ['mfa', 'otp'] */
  amrValues?: string[]
  /** Claim with the time (seconds since the epoch) of the second factor; `auth_time`, then `iat`, when absent. @default 'mfa_time' */
  timeClaim?: string
}

/** Options of {@link auth}. */
export interface AuthOptions {
  /** Bearer JWT authentication. @default undefined (off) */
  jwt?: JwtOptions
  /** API-key authentication. @default undefined (off) */
  apiKeys?: ApiKeyOptions
  /**
   * Authenticates what the built-in methods do not (sessions, mTLS, other schemes). Called when the request
   * carries no JWT or API key, or an `Authorization` scheme other than Bearer. Return the principal, or
   * nothing for an anonymous caller; throw an `IxpError` to refuse. @default undefined
   */
  authenticate?: (
    ctx: IxpContext,
  ) => PrincipalInput | undefined | null | Promise<PrincipalInput | undefined | null>
  /** Role hierarchy: each role inherits the listed roles (transitively). @default {} */
  roles?: Record<string, string[]>
  /** Permissions every holder of a role gets (inherited roles included). @default {} */
  rolePermissions?: Record<string, string[]>
  /** Requirements by intent name: a list of permissions, or a full requirement. @default {} */
  intentPermissions?: Record<string, string[] | AuthRequirement>
  /**
   * A last check, after roles and permissions pass (`ctx.user` is set): return `false` to refuse with 403.
   * Also runs for each intent when discovery is filtered. Not called for public intents. @default undefined
   */
  authorize?: (ctx: IxpContext, intent: IntentDefinition) => boolean | Promise<boolean>
  /** Access to intents that declare nothing. @default 'authenticated' */
  defaultAccess?: 'authenticated' | 'public'
  /** Second-factor settings. */
  mfa?: MfaOptions
  /** The `realm` of `WWW-Authenticate` challenges. @default 'ixp' */
  realm?: string
  /** Longest accepted credential (Authorization header or API key), in characters. @default 8192 */
  maxCredentialLength?: number
}

export interface ResolvedOptions {
  jwt: JwtOptions | undefined
  apiKeys: (ApiKeyOptions & { header: string }) | undefined
  authenticate: AuthOptions['authenticate']
  roles: Record<string, string[]>
  rolePermissions: Record<string, string[]>
  intentPermissions: Record<string, AuthRequirement>
  authorize: AuthOptions['authorize']
  defaultAccess: 'authenticated' | 'public'
  mfa: Required<MfaOptions>
  realm: string
  maxCredentialLength: number
  clockToleranceSeconds: number
}

const DEFAULTS = {
  roles: {} as Record<string, string[]>,
  rolePermissions: {} as Record<string, string[]>,
  intentPermissions: {} as Record<string, string[] | AuthRequirement>,
  defaultAccess: 'authenticated' as const,
  realm: 'ixp',
  maxCredentialLength: 8192,
}

const MFA_DEFAULTS: Required<MfaOptions> = {
  maxAgeSeconds: 900,
  amrValues: ['mfa', 'otp'],
  timeClaim: 'mfa_time',
}

/** `AUTH_INVALID_OPTIONS` naming what to fix. */
export function invalidOptions(problem: string): IxpError {
  return authError('AUTH_INVALID_OPTIONS', { problem })
}

function checkStringMap(value: unknown, name: string): Record<string, string[]> {
  if (!isObject(value)) throw invalidOptions(`${name} must be an object of string arrays`)
  for (const [key, list] of Object.entries(value)) {
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && item !== '')) {
      throw invalidOptions(`${name}.${key} must be an array of non-empty strings`)
    }
  }
  return value as Record<string, string[]>
}

/** Applies the defaults and refuses unusable options with a message naming the field. */
export function resolveOptions(options: AuthOptions): ResolvedOptions {
  if (!isObject(options as unknown)) throw invalidOptions('options must be an object')
  const merged = { ...DEFAULTS, ...options }
  const { jwt, apiKeys, authenticate, authorize } = merged
  if (!jwt && !apiKeys && !authenticate) {
    throw invalidOptions(
      'configure at least one of jwt, apiKeys or authenticate; otherwise nobody can sign in',
    )
  }
  if (authenticate !== undefined && typeof authenticate !== 'function')
    throw invalidOptions('authenticate must be a function')
  if (authorize !== undefined && typeof authorize !== 'function')
    throw invalidOptions('authorize must be a function')
  if (merged.defaultAccess !== 'authenticated' && merged.defaultAccess !== 'public') {
    throw invalidOptions("defaultAccess must be 'authenticated' or 'public'")
  }
  if (
    typeof merged.realm !== 'string' ||
    !/^[\x20-\x7e]+$/.test(merged.realm) ||
    /["\\]/.test(merged.realm)
  ) {
    throw invalidOptions('realm must be printable ASCII without quotes or backslashes')
  }
  if (!Number.isInteger(merged.maxCredentialLength) || merged.maxCredentialLength < 64) {
    throw invalidOptions('maxCredentialLength must be an integer of at least 64')
  }
  const mfa = { ...MFA_DEFAULTS, ...merged.mfa }
  if (!(mfa.maxAgeSeconds > 0)) throw invalidOptions('mfa.maxAgeSeconds must be a positive number')
  if (!Array.isArray(mfa.amrValues) || mfa.amrValues.length === 0)
    throw invalidOptions('mfa.amrValues must be a non-empty array')

  const intentPermissions: Record<string, AuthRequirement> = Object.create(null) as Record<
    string,
    AuthRequirement
  >
  if (!isObject(merged.intentPermissions))
    throw invalidOptions('intentPermissions must be an object keyed by intent name')
  for (const [name, entry] of Object.entries(merged.intentPermissions)) {
    const requirement: unknown = Array.isArray(entry) ? { permissions: entry } : entry
    const issues = checkRequirement(requirement, `intentPermissions.${name}`)
    if (issues.length > 0)
      throw invalidOptions(issues.map((issue) => `${issue.path} ${issue.message}`).join('; '))
    intentPermissions[name] = requirement as AuthRequirement
  }

  let resolvedApiKeys: ResolvedOptions['apiKeys']
  if (apiKeys !== undefined) {
    if (!isObject(apiKeys as unknown))
      throw invalidOptions('apiKeys must be an object { keys?, lookup?, header?, query? }')
    const header = (apiKeys.header ?? 'x-api-key').toLowerCase()
    if (!/^[a-z0-9-]+$/.test(header) || header === 'authorization') {
      throw invalidOptions('apiKeys.header must be a header name other than authorization')
    }
    if (apiKeys.query !== undefined && (typeof apiKeys.query !== 'string' || apiKeys.query === '')) {
      throw invalidOptions('apiKeys.query must be a non-empty parameter name')
    }
    if (apiKeys.lookup !== undefined && typeof apiKeys.lookup !== 'function')
      throw invalidOptions('apiKeys.lookup must be a function')
    if (!apiKeys.lookup && (!Array.isArray(apiKeys.keys) || apiKeys.keys.length === 0)) {
      throw invalidOptions('apiKeys needs keys or a lookup function')
    }
    resolvedApiKeys = { ...apiKeys, header }
  }

  // Renamed so that every duration names its unit; said at start-up rather than silently ignored.
  if (isObject(jwt) && Object.hasOwn(jwt, 'clockTolerance'))
    throw invalidOptions("jwt.clockTolerance was renamed 'clockToleranceSeconds'")
  const clockTolerance = jwt?.clockToleranceSeconds ?? 5
  if (typeof clockTolerance !== 'number' || !(clockTolerance >= 0))
    throw invalidOptions('jwt.clockToleranceSeconds must be a number of seconds ≥ 0')

  return {
    jwt,
    apiKeys: resolvedApiKeys,
    authenticate,
    roles: checkStringMap(merged.roles, 'roles'),
    rolePermissions: checkStringMap(merged.rolePermissions, 'rolePermissions'),
    intentPermissions,
    authorize,
    defaultAccess: merged.defaultAccess,
    mfa,
    realm: merged.realm,
    maxCredentialLength: merged.maxCredentialLength,
    clockToleranceSeconds: clockTolerance,
  }
}
