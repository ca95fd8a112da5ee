/**
 * Intent requirements: checking what an intent or the `intentPermissions` map declares, combining both
 * sources, and deciding whether a principal meets them.
 */
import type { IntentDefinition } from '@ixp/core'
import { permits } from './roles.js'
import type { AuthRequirement, Principal } from './types.js'

export interface RequirementIssue {
  path: string
  message: string
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')
}

/** Problems with one declared requirement, each located under `path` (empty when it is usable). */
export function checkRequirement(value: unknown, path: string): RequirementIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, message: 'must be an object { public?, roles?, permissions?, mfa? }' }]
  }
  const issues: RequirementIssue[] = []
  const requirement = value as Record<string, unknown>
  for (const key of Object.keys(requirement)) {
    if (!['public', 'roles', 'permissions', 'mfa'].includes(key)) {
      issues.push({
        path: `${path}.${key}`,
        message: 'is not a known field (public, roles, permissions, mfa)',
      })
    }
  }
  if (requirement.public !== undefined && typeof requirement.public !== 'boolean') {
    issues.push({ path: `${path}.public`, message: 'must be a boolean' })
  }
  for (const key of ['roles', 'permissions'] as const) {
    if (requirement[key] !== undefined && !isStringList(requirement[key])) {
      issues.push({ path: `${path}.${key}`, message: 'must be an array of non-empty strings' })
    }
  }
  const mfa = requirement.mfa
  if (mfa !== undefined && typeof mfa !== 'boolean') {
    const maxAge = (mfa as { maxAgeSeconds?: unknown } | null)?.maxAgeSeconds
    if (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge <= 0) {
      issues.push({
        path: `${path}.mfa`,
        message: 'must be a boolean or { maxAgeSeconds: <positive number> }',
      })
    }
  }
  const restricts =
    (isStringList(requirement.roles) && requirement.roles.length > 0) ||
    (isStringList(requirement.permissions) && requirement.permissions.length > 0) ||
    (mfa !== undefined && mfa !== false)
  if (requirement.public === true && restricts) {
    issues.push({ path: `${path}.public`, message: 'cannot be combined with roles, permissions or mfa' })
  }
  return issues
}

/** An intent's requirements, with both sources combined: every non-public source must be met. */
export interface Policy {
  /** No authentication needed. */
  readonly public: boolean
  readonly rules: readonly AuthRequirement[]
}

/**
 * Combines the intent's `auth` and its `intentPermissions` entry. A source that says `public` imposes
 * nothing, any other imposes authentication plus its checks; with no source, `defaultAccess` decides.
 * Combining by "and" means adding a source can only tighten access, never loosen it.
 */
export function policyOf(
  declared: AuthRequirement | undefined,
  configured: AuthRequirement | undefined,
  defaultAccess: 'authenticated' | 'public',
): Policy {
  const sources = [declared, configured].filter((source): source is AuthRequirement => source !== undefined)
  if (sources.length === 0) return { public: defaultAccess === 'public', rules: [] }
  const rules = sources.filter((source) => source.public !== true)
  return { public: rules.length === 0, rules }
}

export type Decision =
  | { allowed: true }
  | { allowed: false; reason: 'unauthenticated' }
  | { allowed: false; reason: 'forbidden'; message: string }
  | { allowed: false; reason: 'mfa'; maxAgeSeconds: number }

/**
 * Whether `principal` meets `policy` (the `authorize` predicate aside). Roles and permissions are checked
 * before the second factor: asking for a step-up the caller could never use would only waste its time.
 */
export function decide(
  policy: Policy,
  principal: Principal | undefined,
  options: { now: number; mfaMaxAgeSeconds: number; clockToleranceSeconds: number },
): Decision {
  if (policy.public) return { allowed: true }
  if (!principal) return { allowed: false, reason: 'unauthenticated' }
  for (const rule of policy.rules) {
    if (rule.roles && rule.roles.length > 0 && !rule.roles.some((role) => principal.roles.includes(role))) {
      return {
        allowed: false,
        reason: 'forbidden',
        message: `Requires one of the roles: ${rule.roles.join(', ')}`,
      }
    }
    const missing = (rule.permissions ?? []).filter(
      (permission) => !permits(principal.permissions, permission),
    )
    if (missing.length > 0) {
      return { allowed: false, reason: 'forbidden', message: `Missing permissions: ${missing.join(', ')}` }
    }
  }
  let maxAgeSeconds = Infinity
  for (const rule of policy.rules) {
    if (rule.mfa === true) maxAgeSeconds = Math.min(maxAgeSeconds, options.mfaMaxAgeSeconds)
    else if (typeof rule.mfa === 'object') maxAgeSeconds = Math.min(maxAgeSeconds, rule.mfa.maxAgeSeconds)
  }
  if (maxAgeSeconds !== Infinity) {
    const verifiedAt = principal.mfa?.verifiedAt
    const toleranceMs = options.clockToleranceSeconds * 1000
    const recent =
      typeof verifiedAt === 'number' &&
      verifiedAt <= options.now + toleranceMs &&
      options.now - verifiedAt <= maxAgeSeconds * 1000 + toleranceMs
    if (!recent) return { allowed: false, reason: 'mfa', maxAgeSeconds }
  }
  return { allowed: true }
}

/** The intent's own declaration, when it is an object (its shape is checked at registration). */
export function declaredRequirement(intent: IntentDefinition): AuthRequirement | undefined {
  const declared = intent.auth
  return typeof declared === 'object' && declared !== null ? declared : undefined
}
