/**
 * Authentication of one request: finds the credential in the transport-agnostic context (headers, and the
 * query when API keys may travel there), verifies it, and memoises the principal so a request — and the
 * nested renders it starts with copies of its context — is verified once.
 */
import { coreError, isIxpError, toIxpError, type IxpContext } from '@ixp/core'
import type { Challenges } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { buildPrincipal, partsFromClaims, type ClaimMapping, type PrincipalParts } from '../principal.js'
import type { RoleModel } from '../roles.js'
import type { Principal, PrincipalInput } from '../types.js'
import type { ApiKeyVerifier } from './api-keys.js'
import type { JwtVerifier } from './jwt.js'

/** A verified principal is reused for at most this long, so revoked keys (lookup) stop working soon. */
const MEMO_MAX_AGE_MS = 60_000

interface Memo {
  fingerprint: string
  validUntil: number
  outcome: Promise<Principal | undefined>
}

/** Which challenge of a 401 carries the error. */
type Scheme = 'bearer' | 'api-key'

interface Presented {
  authorization: string | undefined
  apiKey: string | undefined
}

export interface AuthenticatorParts {
  settings: ResolvedOptions
  challenges: Challenges
  roles: RoleModel
  jwt: JwtVerifier | undefined
  apiKeys: ApiKeyVerifier | undefined
}

export class Authenticator {
  readonly #settings: ResolvedOptions
  readonly #challenges: Challenges
  readonly #roles: RoleModel
  readonly #jwt: JwtVerifier | undefined
  readonly #apiKeys: ApiKeyVerifier | undefined
  readonly #claims: ClaimMapping
  /** Built-in credentials depend on the headers only: copies of a context share its headers object. */
  readonly #byHeaders = new WeakMap<object, Memo>()
  /** A custom hook may read anything on the context, so its answers are reused for that object only. */
  readonly #byContext = new WeakMap<object, Memo>()

  constructor(parts: AuthenticatorParts) {
    this.#settings = parts.settings
    this.#challenges = parts.challenges
    this.#roles = parts.roles
    this.#jwt = parts.jwt
    this.#apiKeys = parts.apiKeys
    const names = parts.settings.jwt?.claims ?? {}
    this.#claims = {
      id: names.id ?? 'sub',
      roles: names.roles ?? 'roles',
      permissions: names.permissions ?? 'permissions',
      mfa: parts.settings.mfa,
    }
  }

  /**
   * The caller's principal, `undefined` for an anonymous caller; throws a 401 `IxpError` for credentials
   * that are malformed, oversized or invalid (503 when the key set is unreachable).
   */
  authenticate(ctx: IxpContext): Promise<Principal | undefined> {
    const presented = this.#presented(ctx)
    const custom = this.#usesCustom(presented)
    const headers = typeof ctx.headers === 'object' && ctx.headers !== null ? ctx.headers : undefined
    const memos = custom ? this.#byContext : this.#byHeaders
    const key: object = custom ? ctx : (headers ?? ctx)
    const fingerprint = `${presented.authorization ?? ''}\u0000${presented.apiKey ?? ''}`
    const now = Date.now()
    const memo = memos.get(key)
    if (memo && memo.fingerprint === fingerprint && now < memo.validUntil) return memo.outcome

    const entry: Memo = { fingerprint, validUntil: Infinity, outcome: Promise.resolve(undefined) }
    entry.outcome = this.#verify(ctx, presented, custom).then(
      ({ principal, expiresAt }) => {
        entry.validUntil = Math.min(now + MEMO_MAX_AGE_MS, expiresAt ?? Infinity)
        return principal
      },
      (error: unknown) => {
        // Failures are not remembered: a key set that was unreachable may answer the next request.
        if (memos.get(key) === entry) memos.delete(key)
        throw error
      },
    )
    memos.set(key, entry)
    return entry.outcome
  }

  /**
   * Whether `ctx` carries no credential at all and nothing else could find one (no custom `authenticate`, no
   * API key in the query): then there is nothing to verify or remember, which is most requests for a public
   * intent.
   */
  presentsNothing(ctx: IxpContext): boolean {
    const settings = this.#settings
    if (settings.authenticate !== undefined || settings.apiKeys?.query !== undefined) return false
    const headers = ctx.headers
    if (typeof headers !== 'object' || headers === null) return true
    if (Object.hasOwn(headers, 'authorization') && headers.authorization != null) return false
    const header = settings.apiKeys?.header
    return header === undefined || !Object.hasOwn(headers, header) || headers[header] == null
  }

  /** Reads the credentials, refusing the ones that cannot be parsed before any crypto runs. */
  #presented(ctx: IxpContext): Presented {
    const authorization = this.#header(ctx, 'authorization', 'Authorization header', 'bearer')
    const options = this.#settings.apiKeys
    let apiKey: string | undefined
    if (options) {
      apiKey = this.#header(ctx, options.header, `${options.header} header`, 'api-key')
      if (apiKey === undefined && options.query !== undefined) apiKey = this.#query(ctx, options.query)
    }
    return { authorization, apiKey }
  }

  #header(ctx: IxpContext, name: string, label: string, scheme: Scheme): string | undefined {
    const headers = ctx.headers
    if (typeof headers !== 'object' || headers === null) return undefined
    let value: unknown = Object.hasOwn(headers, name) ? headers[name] : undefined
    // Node lists repeated headers as arrays; two credentials in one request are refused, not guessed at.
    if (Array.isArray(value)) {
      if (value.length !== 1)
        throw this.#challenges.invalid('invalid_request', `Send one ${label}, not ${value.length}`, scheme)
      value = value[0]
    }
    if (value === undefined || value === null) return undefined
    return this.#bounded(value, label, scheme)
  }

  /** The key from `ctx.query` (a raw query string or a parsed record) or else from `ctx.url`. */
  #query(ctx: IxpContext, name: string): string | undefined {
    let values: unknown[]
    const query = ctx.query
    if (typeof query === 'string') {
      values = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query).getAll(name)
    } else if (typeof query === 'object' && query !== null) {
      const value = Object.hasOwn(query, name) ? (query as Record<string, unknown>)[name] : undefined
      values = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]
    } else if (typeof ctx.url === 'string') {
      try {
        values = new URL(ctx.url, 'http://localhost').searchParams.getAll(name)
      } catch {
        return undefined
      }
    } else {
      return undefined
    }
    if (values.length === 0) return undefined
    if (values.length > 1)
      throw this.#challenges.invalid('invalid_request', `Send one ${name} query parameter`, 'api-key')
    return this.#bounded(values[0], `${name} query parameter`, 'api-key')
  }

  #bounded(value: unknown, label: string, scheme: Scheme): string {
    if (typeof value !== 'string')
      throw this.#challenges.invalid('invalid_request', `The ${label} must be a string`, scheme)
    const limit = this.#settings.maxCredentialLength
    if (value.length > limit) {
      throw this.#challenges.invalid(
        'invalid_request',
        `The ${label} is longer than ${limit} characters`,
        scheme,
      )
    }
    return value
  }

  /** Whether the custom hook answers: no built-in credential applies, or a non-Bearer Authorization scheme. */
  #usesCustom(presented: Presented): boolean {
    if (!this.#settings.authenticate) return false
    if (presented.authorization !== undefined)
      return !/^bearer(\s|$)/i.test(presented.authorization) || !this.#jwt
    return presented.apiKey === undefined
  }

  async #verify(
    ctx: IxpContext,
    presented: Presented,
    custom: boolean,
  ): Promise<{ principal: Principal | undefined; expiresAt?: number }> {
    if (custom) return { principal: await this.#custom(ctx) }
    const { authorization, apiKey } = presented
    if (authorization !== undefined) {
      const match = /^bearer +([^\s]+) *$/i.exec(authorization)
      if (!/^bearer(\s|$)/i.test(authorization) || !match) {
        throw this.#challenges.invalid('invalid_request', "The Authorization header must be 'Bearer <token>'")
      }
      if (apiKey !== undefined) {
        throw this.#challenges.invalid(
          'invalid_request',
          'Send one credential: a Bearer token or an API key, not both',
        )
      }
      if (!this.#jwt)
        throw this.#challenges.invalid(
          'invalid_request',
          'Bearer tokens are not accepted here; send an API key',
        )
      const payload = await this.#jwt.verify(match[1]!)
      const parts = partsFromClaims(payload, this.#claims)
      if (typeof parts === 'string')
        throw this.#challenges.invalid('invalid_token', `Invalid token: ${parts}`)
      return this.#principal(parts)
    }
    if (apiKey !== undefined && this.#apiKeys)
      return this.#principal(await this.#apiKeys.verify(apiKey, Date.now()))
    return { principal: undefined }
  }

  #principal(parts: PrincipalParts): { principal: Principal; expiresAt?: number } {
    return {
      principal: buildPrincipal(parts, this.#roles),
      ...(parts.expiresAt !== undefined ? { expiresAt: parts.expiresAt } : {}),
    }
  }

  async #custom(ctx: IxpContext): Promise<Principal | undefined> {
    let result: PrincipalInput | undefined | null
    try {
      result = await this.#settings.authenticate!(ctx)
    } catch (error) {
      if (isIxpError(error)) throw error
      throw toIxpError(error)
    }
    if (result === undefined || result === null) return undefined
    if (typeof result !== 'object' || typeof result.id !== 'string' || result.id === '') {
      throw coreError('INTERNAL_ERROR', {
        reason: 'The authenticate hook must return { id, roles?, permissions? } or nothing',
      })
    }
    const list = (value: unknown, field: string): string[] => {
      if (value === undefined) return []
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        throw coreError('INTERNAL_ERROR', {
          reason: `The authenticate hook returned ${field} that is not an array of strings`,
        })
      }
      return value
    }
    const verifiedAt = result.mfa?.verifiedAt
    return buildPrincipal(
      {
        id: result.id,
        roles: list(result.roles, 'roles'),
        permissions: list(result.permissions, 'permissions'),
        method: 'custom',
        ...(result.claims ? { claims: result.claims } : {}),
        ...(typeof verifiedAt === 'number' && Number.isFinite(verifiedAt) ? { mfa: { verifiedAt } } : {}),
      },
      this.#roles,
    )
  }
}
