/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) with Web Crypto HMAC: secret generation,
 * `otpauth://` URIs for authenticator apps, code generation and replay-safe verification.
 */
import { invalidOptions } from '../options.js'
import { randomBytes, sha256, timingSafeEqual, toHex, utf8 } from '../encoding.js'
import { base32Decode, base32Encode } from './base32.js'
import { defaultAttemptStore, type AttemptStore } from './attempts.js'
import { defaultReplayStore, type ReplayStore } from './replay.js'

/** HMAC hash of a TOTP, as `otpauth://` URIs name it. */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512'

const HASHES: Record<TotpAlgorithm, string> = { SHA1: 'SHA-1', SHA256: 'SHA-256', SHA512: 'SHA-512' }

/** The parameters a code is computed with; the authenticator app must use the same ones. */
export interface TotpOptions {
  /** HMAC hash. Most authenticator apps only support SHA1. @default 'SHA1' */
  algorithm?: TotpAlgorithm
  /** Code length, 6 to 8. @default 6 */
  digits?: number
  /** Seconds a code is current. @default 30 */
  period?: number
  /** The time to compute for, in milliseconds since the epoch. @default Date.now() */
  now?: number
}

export interface TotpVerifyOptions extends TotpOptions {
  /** Codes accepted either side of the current one, for clock drift (0 to 10). @default 1 */
  window?: number
  /** Where accepted codes are remembered so they cannot be replayed. @default a process-wide in-memory store */
  replayStore?: ReplayStore
  /**
   * Names the secret's owner in the replay store (a user id). Without it the key is a digest of the secret,
   * so the store never holds secrets. @default SHA-256 of the secret
   */
  account?: string
  /**
   * Most verifications per account (`account`, else the secret) in one attempt window; past it every code is
   * refused with `reason: 'locked'` until the window ends, right or wrong. @default 5
   */
  maxAttempts?: number
  /** Milliseconds of one attempt window (fixed windows, aligned on the clock). @default 300000 (5 minutes) */
  attemptWindowMs?: number
  /** Where attempts are counted. @default a process-wide in-memory store */
  attemptStore?: AttemptStore
}

export type TotpVerification =
  | {
      valid: true
      /** The accepted time step. */ step: number
      /** Steps between the code and now. */ drift: number
    }
  | { valid: false; reason: 'malformed' | 'invalid' | 'replayed' }
  | {
      valid: false
      reason: 'locked'
      /** Milliseconds until the attempt window ends and codes are checked again. */ retryAfterMs: number
    }

export interface GenerateTotpSecretOptions {
  /** Secret length in bytes (16 to 128; RFC 4226 recommends 20, use 32 for SHA256 and 64 for SHA512). @default 20 */
  bytes?: number
}

export interface TotpUriOptions extends Omit<TotpOptions, 'now'> {
  /** The base32 secret. */
  secret: string
  /** Who the code is for, shown in the app (an e-mail or user name). */
  accountName: string
  /** Who issues it, shown in the app (your product's name). */
  issuer: string
}

const DEFAULTS = { algorithm: 'SHA1' as TotpAlgorithm, digits: 6, period: 30, window: 1 }
const MIN_SECRET_BYTES = 16

function settings(options: TotpOptions) {
  const merged = { ...DEFAULTS, ...options }
  if (!Object.hasOwn(HASHES, merged.algorithm))
    throw invalidOptions(`TOTP algorithm must be SHA1, SHA256 or SHA512`)
  if (!Number.isInteger(merged.digits) || merged.digits < 6 || merged.digits > 8) {
    throw invalidOptions('TOTP digits must be an integer from 6 to 8')
  }
  if (!Number.isInteger(merged.period) || merged.period < 1 || merged.period > 3600) {
    throw invalidOptions('TOTP period must be an integer number of seconds from 1 to 3600')
  }
  return merged
}

function secretBytes(secret: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = typeof secret === 'string' ? base32Decode(secret) : new Uint8Array(secret)
  if (!bytes) throw invalidOptions('TOTP secret must be base32 (A–Z, 2–7)')
  if (bytes.length < MIN_SECRET_BYTES) {
    throw invalidOptions(
      `TOTP secret must be at least ${MIN_SECRET_BYTES} bytes (128 bits); generate one with generateTotpSecret()`,
    )
  }
  return bytes
}

function hmacKey(secret: Uint8Array<ArrayBuffer>, algorithm: TotpAlgorithm): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: HASHES[algorithm] }, false, ['sign'])
}

/** RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamically truncated to `digits` digits. */
async function hotp(key: CryptoKey, counter: number, digits: number): Promise<string> {
  const message = new Uint8Array(8)
  const view = new DataView(message.buffer)
  view.setUint32(0, Math.floor(counter / 2 ** 32))
  view.setUint32(4, counter >>> 0)
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message))
  const offset = mac[mac.length - 1]! & 0x0f
  const binary =
    ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!
  return String(binary % 10 ** digits).padStart(digits, '0')
}

function stepAt(now: number, period: number): number {
  return Math.floor(now / 1000 / period)
}

/** A new random TOTP secret, base32-encoded, from the platform CSPRNG. */
export function generateTotpSecret(options: GenerateTotpSecretOptions = {}): string {
  const { bytes } = { bytes: 20, ...options }
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > 128) {
    throw invalidOptions(`TOTP secret length must be an integer from ${MIN_SECRET_BYTES} to 128 bytes`)
  }
  return base32Encode(randomBytes(bytes))
}

/** The code current at `options.now` (what an authenticator app shows). */
export async function generateTotp(secret: string | Uint8Array, options: TotpOptions = {}): Promise<string> {
  const { algorithm, digits, period, now } = { now: Date.now(), ...settings(options) }
  return hotp(await hmacKey(secretBytes(secret), algorithm), stepAt(now, period), digits)
}

/**
 * The `otpauth://totp/…` key URI authenticator apps import (render it as a QR code). Parameters at their
 * defaults are still written, since some apps ignore what is missing.
 */
export function totpUri(options: TotpUriOptions): string {
  const { algorithm, digits, period } = settings(options)
  const { secret, accountName, issuer } = options
  secretBytes(secret)
  if (typeof accountName !== 'string' || accountName === '' || accountName.includes(':')) {
    throw invalidOptions('totpUri accountName must be a non-empty string without ":"')
  }
  if (typeof issuer !== 'string' || issuer === '' || issuer.includes(':')) {
    throw invalidOptions('totpUri issuer must be a non-empty string without ":"')
  }
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`
  const query = new URLSearchParams({
    secret: secret.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase(),
    issuer,
    algorithm,
    digits: String(digits),
    period: String(period),
  })
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`
}

/**
 * Checks a code against the secret, accepting `window` steps of drift either side. A code that was accepted
 * once is refused afterwards, and so is every older code of the window (RFC 6238 §5.2), through the replay
 * store. Malformed input is reported, never thrown; a bad secret or option throws `AUTH_INVALID_OPTIONS`.
 */
export async function verifyTotp(
  code: string,
  secret: string | Uint8Array,
  options: TotpVerifyOptions = {},
): Promise<TotpVerification> {
  const { algorithm, digits, period, window } = settings(options)
  const now = options.now ?? Date.now()
  if (!Number.isInteger(window) || window < 0 || window > 10)
    throw invalidOptions('TOTP window must be an integer from 0 to 10')
  const maxAttempts = options.maxAttempts ?? 5
  const attemptWindowMs = options.attemptWindowMs ?? 300_000
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)
    throw invalidOptions('TOTP maxAttempts must be a positive integer')
  if (!Number.isSafeInteger(attemptWindowMs) || attemptWindowMs < 1000)
    throw invalidOptions('TOTP attemptWindowMs must be an integer of milliseconds ≥ 1000')
  const bytes = secretBytes(secret)
  const account =
    options.account === undefined ? `sha256:${toHex(await sha256(bytes)).slice(0, 32)}` : options.account
  // Counted before anything is checked, malformed codes included: every guess costs an attempt.
  const windowIndex = Math.floor(now / attemptWindowMs)
  const attempts = await (options.attemptStore ?? defaultAttemptStore()).increment(
    `totp-attempts:${account}:${windowIndex}`,
    attemptWindowMs,
  )
  if (attempts > maxAttempts) {
    return { valid: false, reason: 'locked', retryAfterMs: (windowIndex + 1) * attemptWindowMs - now }
  }
  const candidate = typeof code === 'string' ? code.replace(/\s/g, '') : ''
  if (candidate.length !== digits || !/^\d+$/.test(candidate)) return { valid: false, reason: 'malformed' }

  const key = await hmacKey(bytes, algorithm)
  const current = stepAt(now, period)
  const presented = utf8(candidate)
  let matched: number | undefined
  // Every step of the window is computed and compared, so the time taken does not say which one matched.
  for (const drift of driftOrder(window)) {
    const expected = utf8(await hotp(key, current + drift, digits))
    if (timingSafeEqual(expected, presented) && matched === undefined) matched = drift
  }
  if (matched === undefined) return { valid: false, reason: 'invalid' }

  const step = current + matched
  const store = options.replayStore ?? defaultReplayStore()
  const ttlMs = (2 * window + 2) * period * 1000
  if (!(await store.add(`totp:${account}:${step}`, ttlMs))) return { valid: false, reason: 'replayed' }
  for (let earlier = step - 1; earlier >= current - window; earlier--) {
    await store.add(`totp:${account}:${earlier}`, ttlMs)
  }
  return { valid: true, step, drift: matched }
}

/** 0, -1, 1, -2, 2, …: the current step first, so an exact clock wins over drift. */
function driftOrder(window: number): number[] {
  const order = [0]
  for (let i = 1; i <= window; i++) order.push(-i, i)
  return order
}
