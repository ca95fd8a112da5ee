/**
 * Cache keys. A key is readable up to its last part and unique by construction:
 *
 *   <version>:<intent>:<intent version>:<component>:<component version>:<scope>:<material>
 *
 * Every segment but the last escapes `%`, `:` and `/`, so no two different inputs can produce the same key.
 * The material (canonical parameters, options and `varyBy`) is kept as is when short (`=<json>`, which costs
 * nothing and cannot collide) and replaced by its SHA-256 (`#<base64url>`) when long, so keys stay bounded.
 * A fast non-cryptographic hash is not used on purpose: its collisions can be crafted, and a crafted
 * collision in a public scope would let one caller's parameters answer another's.
 */

/** Material at most this long is kept in the key verbatim. */
export const INLINE_MATERIAL_LIMIT = 96

const ESCAPED = /[%:/]/g
const ESCAPES: Record<string, string> = { '%': '%25', ':': '%3A', '/': '%2F' }

/** Escapes the key delimiters of one segment. */
export function segment(value: string): string {
  return value.replace(ESCAPED, (char) => ESCAPES[char]!)
}

/** The fixed part of a key: everything but the scope and the material. */
export interface KeyPrefixParts {
  version: string
  intent: string
  intentVersion: string | undefined
  component: string
  componentVersion: string | undefined
}

export interface KeyParts extends KeyPrefixParts {
  /** Already encoded by {@link scopeSegment}. */
  scope: string
  /** Canonical JSON of everything the answer depends on besides the above. */
  material: string
}

const encoder = new TextEncoder()

function base64url(bytes: ArrayBuffer): string {
  let binary = ''
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** SHA-256 of a string as base64url (43 characters), through Web Crypto so it runs on every runtime. */
export async function sha256(text: string): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
}

/** The fixed part of a key; computed once per intent and component definition. */
export function keyPrefix(parts: KeyPrefixParts): string {
  return [
    segment(parts.version),
    segment(parts.intent),
    segment(parts.intentVersion ?? ''),
    segment(parts.component),
    segment(parts.componentVersion ?? ''),
  ].join(':')
}

/** Completes a key; synchronous for short material (the common case), hashing only long material. */
export function finishKey(prefix: string, scope: string, material: string): string | Promise<string> {
  if (material.length <= INLINE_MATERIAL_LIMIT) return `${prefix}:${scope}:=${material}`
  return sha256(material).then((digest) => `${prefix}:${scope}:#${digest}`)
}

/** Builds a whole key. */
export function buildKey(parts: KeyParts): string | Promise<string> {
  return finishKey(keyPrefix(parts), parts.scope, parts.material)
}

/** Who may share an entry. */
export type CacheScope = 'public' | 'tenant' | 'user'

/** The caller as the cache sees it. */
export interface CacheIdentity {
  user?: string | undefined
  /**
   * What kind of principal `user` names (`jwt`, `api-key`, … — plugin-auth's `method`): ids are only unique
   * within a kind, so a token whose subject equals an API key's id is another caller.
   */
  kind?: string | undefined
  tenant?: string | undefined
}

/**
 * The scope segment of a key, or `undefined` when the scope needs an identity the request does not have
 * (such a render is not cached: a private answer must never be stored where another caller could read it).
 */
export function scopeSegment(scope: CacheScope, identity: CacheIdentity): string | undefined {
  if (scope === 'public') return 'pub'
  const tenant = identity.tenant === undefined ? '' : segment(identity.tenant)
  if (scope === 'tenant') return identity.tenant === undefined ? undefined : `t=${tenant}`
  if (identity.user === undefined) return undefined
  // With a kind the segment has three parts, without it two: segments escape `/`, so neither form can
  // spell the other.
  const kind = identity.kind === undefined ? '' : `${segment(identity.kind)}/`
  return `u=${tenant}/${kind}${segment(identity.user)}`
}
