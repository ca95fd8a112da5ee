/** Building principals: effective roles and permissions, and the mapping from verified JWT claims. */
import type { JWTPayload } from 'jose'
import type { RoleModel } from './roles.js'
import type { AuthMethod, Principal } from './types.js'

/** Principals this module built: a `ctx.user` that is not one of them was not set by the plugin. */
const issued = new WeakSet<Principal>()

export function isIssued(value: unknown): value is Principal {
  return typeof value === 'object' && value !== null && issued.has(value as Principal)
}

export interface PrincipalParts {
  id: string
  roles: readonly string[]
  permissions: readonly string[]
  method: AuthMethod
  claims?: Record<string, unknown>
  mfa?: { verifiedAt: number }
  /** When the credential stops being valid (ms since the epoch); bounds how long the result is reused. */
  expiresAt?: number
}

/** A frozen principal with the hierarchy applied, so later plugins cannot widen it by mutation. */
export function buildPrincipal(parts: PrincipalParts, model: RoleModel): Principal {
  const roles = Object.freeze(model.effectiveRoles(parts.roles))
  const principal: Principal = {
    id: parts.id,
    roles,
    permissions: Object.freeze(model.effectivePermissions(parts.permissions, roles)),
    method: parts.method,
    ...(parts.claims ? { claims: Object.freeze({ ...parts.claims }) } : {}),
    ...(parts.mfa ? { mfa: Object.freeze({ verifiedAt: parts.mfa.verifiedAt }) } : {}),
  }
  Object.freeze(principal)
  issued.add(principal)
  return principal
}

/** Reads a claim by a dotted path (`realm_access.roles`); own properties only. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** A list claim: an array of strings or a space-separated string (like `scope`); `undefined` when malformed. */
export function listClaim(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return value.split(' ').filter((item) => item !== '')
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.filter((item) => item !== '')
  return undefined
}

export interface ClaimMapping {
  id: string
  roles: string
  permissions: string
  mfa: { amrValues: readonly string[]; timeClaim: string }
}

/**
 * The principal parts of a verified payload, or the reason it cannot be one. A second factor counts when
 * `amr` names one of `amrValues`; its time is the `timeClaim`, else `auth_time`, else `iat`.
 */
export function partsFromClaims(payload: JWTPayload, mapping: ClaimMapping): PrincipalParts | string {
  const id = claimAt(payload, mapping.id)
  if (typeof id !== 'string' || id === '') return `the token has no '${mapping.id}' claim naming the caller`
  const roles = listClaim(claimAt(payload, mapping.roles))
  if (!roles) return `the '${mapping.roles}' claim must be an array of strings or a space-separated string`
  const permissions = listClaim(claimAt(payload, mapping.permissions))
  if (!permissions)
    return `the '${mapping.permissions}' claim must be an array of strings or a space-separated string`
  const parts: PrincipalParts = { id, roles, permissions, method: 'jwt', claims: payload }
  if (typeof payload.exp === 'number') parts.expiresAt = payload.exp * 1000
  const amr = listClaim(payload.amr) ?? []
  if (amr.some((value) => mapping.mfa.amrValues.includes(value))) {
    const time = [claimAt(payload, mapping.mfa.timeClaim), payload.auth_time, payload.iat].find(
      (value): value is number => typeof value === 'number' && Number.isFinite(value),
    )
    if (time !== undefined) parts.mfa = { verifiedAt: time * 1000 }
  }
  return parts
}
