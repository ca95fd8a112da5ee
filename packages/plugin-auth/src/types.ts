/**
 * The plugin's public data model: the principal it puts on the context and the requirements an intent
 * declares. Both are added to the core's types by declaration merging.
 */
/** How a caller proved who it is. */
export type AuthMethod = 'jwt' | 'api-key' | 'custom'

/** The authenticated caller, as handlers, components and later plugins see it on `ctx.user`. */
export interface Principal {
  /** Stable id: the token's subject, the API key's id, or what `authenticate` returned. */
  readonly id: string
  /** Effective roles: the granted ones and every role they inherit through the hierarchy. */
  readonly roles: readonly string[]
  /** Effective permissions: the granted ones and those of every effective role (`rolePermissions`). */
  readonly permissions: readonly string[]
  readonly method: AuthMethod
  /** The verified JWT claims (JWT only). */
  readonly claims?: Readonly<Record<string, unknown>>
  /** When the caller last passed a second factor (milliseconds since the epoch). */
  readonly mfa?: { readonly verifiedAt: number }
}

/** What a custom `authenticate` hook returns for a caller it recognises. */
export interface PrincipalInput {
  id: string
  roles?: readonly string[]
  permissions?: readonly string[]
  claims?: Record<string, unknown>
  mfa?: { verifiedAt: number }
}

/** A recent-second-factor requirement: `true` uses the plugin's `mfa.maxAgeSeconds`. */
export type MfaRequirement = boolean | { maxAgeSeconds: number }

/**
 * Who may use an intent. `public: true` admits everyone (no other field may be set then). Otherwise the
 * caller must be authenticated, hold at least one of `roles` (inherited roles count), every one of
 * `permissions`, and have passed a second factor recently when `mfa` is set.
 */
export interface AuthRequirement {
  public?: boolean
  roles?: readonly string[]
  permissions?: readonly string[]
  mfa?: MfaRequirement
}

declare module '@ixp/core' {
  interface IxpContext {
    /** The authenticated caller, set by `@ixp/plugin-auth`; absent for anonymous callers. */
    user?: Principal
  }
  interface IntentDefinition<Params = Record<string, unknown>> {
    /** Who may use the intent (`@ixp/plugin-auth`). */
    auth?: AuthRequirement
  }
}
