/**
 * Bearer JWT verification with jose. The key material is checked at start-up against an explicit
 * algorithm allow-list: HMAC secrets only with HS*, public keys and key sets only with asymmetric
 * algorithms, `none` never — which rules out algorithm confusion (a public key used as an HMAC secret).
 */
import { isIxpError, type IxpError } from '@ixp/core'
import {
  createRemoteJWKSet,
  importJWK,
  importSPKI,
  importX509,
  jwtVerify,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose'
import { unavailable, type Challenges } from '../errors.js'
import { invalidOptions, type JwtOptions } from '../options.js'
import { utf8 } from '../encoding.js'

const HMAC = new Set(['HS256', 'HS384', 'HS512'])
const ASYMMETRIC = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
])
const MIN_SECRET_BYTES = 32
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export interface JwtVerifier {
  /** The verified payload; throws a 401 `IxpError` (503 when the key set is unreachable). */
  verify(token: string): Promise<JWTPayload>
  /** Settles when the keys are imported; rejects with `AUTH_INVALID_OPTIONS` for a key that cannot serve. */
  readonly ready: Promise<void>
}

type KeyResolver = (header: JWSHeaderParameters) => Promise<CryptoKey | Uint8Array>

function checkAlgorithms(algorithms: unknown, allowed: Set<string>, kind: string): string[] {
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((alg) => typeof alg === 'string')
  ) {
    throw invalidOptions('jwt.algorithms must be a non-empty array of algorithm names')
  }
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none')
      throw invalidOptions("jwt.algorithms may not contain 'none': unsigned tokens are never accepted")
    if (!allowed.has(alg)) {
      throw invalidOptions(
        `jwt.algorithms contains '${alg}', which cannot be used with ${kind} (allowed: ${[...allowed].join(', ')})`,
      )
    }
  }
  return [...new Set(algorithms as string[])]
}

/**
 * The secret as one non-extractable Web Crypto key per allowed algorithm, imported once: jose would
 * otherwise import raw bytes again on every verification.
 */
function secretResolver(
  secret: string | Uint8Array,
  algorithms: string[],
): { resolve: KeyResolver; ready: Promise<void> } {
  if (typeof secret === 'string' && /-----BEGIN |^\s*\{/.test(secret)) {
    throw invalidOptions('jwt.secret looks like a key (PEM or JWK); pass public keys as jwt.publicKey')
  }
  const bytes =
    typeof secret === 'string'
      ? utf8(secret)
      : secret instanceof Uint8Array
        ? new Uint8Array(secret)
        : undefined
  if (!bytes) throw invalidOptions('jwt.secret must be a string or a Uint8Array')
  if (bytes.length < MIN_SECRET_BYTES) {
    throw invalidOptions(`jwt.secret must be at least ${MIN_SECRET_BYTES} bytes (256 bits) long`)
  }
  const keys = new Map<string, CryptoKey>()
  const ready = (async () => {
    for (const alg of algorithms) {
      const hash = `SHA-${alg.slice(2)}`
      keys.set(alg, await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash }, false, ['verify']))
    }
  })()
  return { resolve: keyFrom(keys, ready), ready }
}

/** Resolves the key imported for the token's (already allow-listed) algorithm. */
function keyFrom(keys: Map<string, CryptoKey>, ready: Promise<void>): KeyResolver {
  return async (header) => {
    await ready
    const found = header.alg === undefined ? undefined : keys.get(header.alg)
    if (!found) throw new Error('no key for this algorithm')
    return found
  }
}

async function importPublicKey(key: string | JWK | CryptoKey, alg: string): Promise<CryptoKey> {
  if (typeof key === 'string') {
    if (key.includes('PRIVATE KEY')) throw new Error('it is a private key; configure the public key')
    if (key.includes('-----BEGIN CERTIFICATE-----')) return importX509(key, alg)
    return importSPKI(key, alg)
  }
  if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) {
    if (key.type !== 'public') throw new Error(`it is a ${key.type} CryptoKey; configure a public key`)
    return key
  }
  const jwk = key as JWK
  if (jwk.kty === 'oct' || 'd' in jwk || 'k' in jwk)
    throw new Error('it is a secret or private JWK; configure the public JWK')
  const imported = await importJWK(jwk, alg)
  if (imported instanceof Uint8Array) throw new Error('it is not a public key')
  return imported
}

/** Imports the key for every allowed algorithm now, so a key that cannot serve one is reported at start-up. */
function publicKeyResolver(
  key: string | JWK | CryptoKey,
  algorithms: string[],
): { resolve: KeyResolver; ready: Promise<void> } {
  if (typeof key !== 'string' && (typeof key !== 'object' || key === null)) {
    throw invalidOptions('jwt.publicKey must be a PEM string, a JWK or a CryptoKey')
  }
  const keys = new Map<string, CryptoKey>()
  const ready = (async () => {
    for (const alg of algorithms) {
      try {
        keys.set(alg, await importPublicKey(key, alg))
      } catch (error) {
        throw invalidOptions(`jwt.publicKey cannot verify ${alg} tokens: ${(error as Error).message}`)
      }
    }
  })()
  return { resolve: keyFrom(keys, ready), ready }
}

function jwksResolver(url: string | URL, options: NonNullable<JwtOptions['jwks']>): KeyResolver {
  let parsed: URL
  try {
    parsed = new URL(String(url))
  } catch {
    throw invalidOptions(`jwt.jwksUrl is not a URL: ${String(url)}`)
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw invalidOptions('jwt.jwksUrl must use https: (http: is allowed for localhost only)')
  }
  const remote = createRemoteJWKSet(parsed, {
    cooldownDuration: options.cooldownMs ?? 30_000,
    timeoutDuration: options.timeoutMs ?? 5_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
  })
  return async (header) => {
    try {
      return await remote(header)
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error
      // The key set is unreachable or broken: the server's problem, not the caller's token.
      throw unavailable(error)
    }
  }
}

/**
 * Checks the JWT options at once (throwing `AUTH_INVALID_OPTIONS`) and builds the verifier; keys are
 * imported in the background and `ready` reports a key that cannot serve the allowed algorithms.
 */
export function createJwtVerifier(
  options: JwtOptions,
  challenges: Challenges,
  clockToleranceSeconds: number,
): JwtVerifier {
  const sources = (['secret', 'publicKey', 'jwksUrl'] as const).filter((name) => options[name] !== undefined)
  if (sources.length !== 1) {
    throw invalidOptions(
      `jwt needs exactly one of secret, publicKey or jwksUrl (got ${sources.join(', ') || 'none'})`,
    )
  }
  let resolve: KeyResolver
  let algorithms: string[]
  let ready = Promise.resolve()
  if (options.secret !== undefined) {
    algorithms = checkAlgorithms(options.algorithms ?? ['HS256'], HMAC, 'an HMAC secret')
    ;({ resolve, ready } = secretResolver(options.secret, algorithms))
  } else if (options.publicKey !== undefined) {
    algorithms = checkAlgorithms(options.algorithms ?? ['RS256'], ASYMMETRIC, 'a public key')
    ;({ resolve, ready } = publicKeyResolver(options.publicKey, algorithms))
  } else {
    algorithms = checkAlgorithms(options.algorithms ?? ['RS256'], ASYMMETRIC, 'a key set')
    resolve = jwksResolver(options.jwksUrl!, options.jwks ?? {})
  }
  if (options.maxTokenAgeSeconds !== undefined && !(options.maxTokenAgeSeconds > 0)) {
    throw invalidOptions('jwt.maxTokenAgeSeconds must be a positive number of seconds')
  }
  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    clockTolerance: clockToleranceSeconds,
    requiredClaims: options.requireExpiration === false ? [] : ['exp'],
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
    ...(options.maxTokenAgeSeconds !== undefined ? { maxTokenAge: options.maxTokenAgeSeconds } : {}),
  }

  ready.catch(() => undefined)
  return {
    ready,
    async verify(token) {
      if (!COMPACT_JWS.test(token)) {
        throw challenges.invalid(
          'invalid_token',
          'Invalid token: not a signed JWT (header.payload.signature)',
        )
      }
      try {
        const { payload } = await jwtVerify(token, (header) => resolve(header), verifyOptions)
        // jose checks `iat` only when a maximum age is set; a token issued in the future is refused here always.
        if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + clockToleranceSeconds) {
          throw challenges.invalid('invalid_token', 'Invalid token: it was issued in the future (iat)')
        }
        return payload
      } catch (error) {
        if (isIxpError(error)) throw error
        throw describe(error, challenges)
      }
    },
  }
}

/** Turns jose's failures into 401s whose description says what was wrong, never echoing the token. */
function describe(error: unknown, challenges: Challenges): IxpError {
  const code = (error as { code?: unknown }).code
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return challenges.invalid('invalid_token', 'Invalid token: it has expired')
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: unknown }).claim
      return claim === 'nbf'
        ? challenges.invalid('invalid_token', 'Invalid token: it is not valid yet (nbf)')
        : challenges.invalid(
            'invalid_token',
            `Invalid token: the '${String(claim)}' claim is missing or not accepted`,
          )
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return challenges.invalid('invalid_token', 'Invalid token: its algorithm is not accepted')
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return challenges.invalid('invalid_token', 'Invalid token: signature verification failed')
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return challenges.invalid(
        'invalid_token',
        'Invalid token: no single signing key matches its kid and alg',
      )
    default:
      return challenges.invalid('invalid_token', 'Invalid token: it is malformed or cannot be verified')
  }
}
