/**
 * The caller's user id on render spans: `'hash'` writes a keyed hash (HMAC-SHA-256, 128 bits, base64url)
 * as `enduser.pseudo.id` — stable for one key, not reversible without it; `'raw'` writes the id itself as
 * `enduser.id`; `'omit'` writes nothing. Hashes are computed once per id (Web Crypto is asynchronous) and
 * kept in a bounded map.
 */
import type { IxpContext } from '@ixp/core'
import { tracingError } from './errors.js'
import { ATTR_ENDUSER_ID, ATTR_ENDUSER_PSEUDO_ID } from './semconv.js'

export type UserIdMode = 'hash' | 'raw' | 'omit'

const MAX_REMEMBERED = 1000

/** The user id plugin-auth puts on the context (`ctx.user.id`), or a plain string `ctx.user`. */
export function userIdOf(ctx: IxpContext): string | undefined {
  const user = ctx.user
  if (typeof user === 'string') return user === '' ? undefined : user
  if (typeof user === 'object' && user !== null) {
    const id = (user as { id?: unknown }).id
    if (typeof id === 'string' && id !== '') return id
  }
  return undefined
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export class UserIds {
  readonly mode: UserIdMode
  readonly #secret: Uint8Array<ArrayBuffer>
  readonly #hashes = new Map<string, string>()
  #key: Promise<CryptoKey> | undefined

  constructor(mode: UserIdMode, key: string | undefined) {
    this.mode = mode
    if (mode === 'hash' && typeof globalThis.crypto?.subtle?.sign !== 'function') {
      throw tracingError('TRACING_INVALID_OPTIONS', {
        problem: "user: 'hash' needs Web Crypto (crypto.subtle); use 'raw' or 'omit'",
      })
    }
    this.#secret =
      key === undefined ? crypto.getRandomValues(new Uint8Array(32)) : new TextEncoder().encode(key)
  }

  /** The attribute name this mode writes. */
  get attribute(): string {
    return this.mode === 'raw' ? ATTR_ENDUSER_ID : ATTR_ENDUSER_PSEUDO_ID
  }

  /** The attribute value now when it is known, else a promise of it; `undefined` without a user. */
  valueFor(ctx: IxpContext): string | Promise<string> | undefined {
    if (this.mode === 'omit') return undefined
    const id = userIdOf(ctx)
    if (id === undefined) return undefined
    if (this.mode === 'raw') return id
    return this.#hashes.get(id) ?? this.#hash(id)
  }

  async #hash(id: string): Promise<string> {
    this.#key ??= crypto.subtle.importKey('raw', this.#secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ])
    const signature = await crypto.subtle.sign('HMAC', await this.#key, new TextEncoder().encode(id))
    const value = base64url(new Uint8Array(signature, 0, 16))
    if (this.#hashes.size >= MAX_REMEMBERED) this.#hashes.delete(this.#hashes.keys().next().value!)
    this.#hashes.set(id, value)
    return value
  }
}
