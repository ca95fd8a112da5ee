/**
 * Backup codes: single-use recovery codes shown once at enrolment. Only salted SHA-256 digests are stored;
 * a code has 5 bits of CSPRNG entropy per character (60 bits at the default length), which keeps a leaked
 * digest list out of reach of brute force.
 */
import { invalidOptions } from '../options.js'
import { fromHex, randomBytes, sha256, timingSafeEqual, toHex, utf8 } from '../encoding.js'
import { defaultReplayStore, type ReplayStore } from './replay.js'

// Crockford's base32: no I, L, O or U, so codes read aloud or copied by hand survive.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const SALT_BYTES = 16
const PREFIX = 'sha256'

export interface BackupCodesOptions {
  /** How many codes. @default 10 */
  count?: number
  /** Characters per code (10 to 32), shown in groups of four. @default 12 */
  length?: number
}

export interface BackupCodes {
  /** Show these to the user once; never store them. */
  codes: string[]
  /** Store these (`sha256:<salt>:<digest>`), in the same order as `codes`. */
  hashes: string[]
}

export interface VerifyBackupCodeOptions {
  /**
   * Refuses a code presented twice before the application persisted `remaining` (two concurrent requests).
   * @default a process-wide in-memory store
   */
  replayStore?: ReplayStore
}

export type BackupCodeVerification =
  | {
      valid: true
      /** Position of the used code in the stored list. */
      index: number
      /** The stored list without the used code: persist it to make the code single-use. */
      remaining: string[]
    }
  | { valid: false; reason: 'malformed' | 'invalid' | 'replayed' }

const REPLAY_TTL_MS = 10 * 60 * 1000

/** Upper-cases and drops separators; maps the letters Crockford's base32 reads as digits. */
function normalise(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1')
}

async function digest(salt: Uint8Array, normalised: string): Promise<Uint8Array> {
  const text = utf8(normalised)
  const input = new Uint8Array(salt.length + text.length)
  input.set(salt)
  input.set(text, salt.length)
  return sha256(input)
}

function parseHash(stored: unknown, index: number): { salt: Uint8Array; digest: Uint8Array } {
  const parts = typeof stored === 'string' ? stored.split(':') : []
  const salt = parts.length === 3 && parts[0] === PREFIX ? fromHex(parts[1]!) : undefined
  const value = parts.length === 3 && parts[0] === PREFIX ? fromHex(parts[2]!) : undefined
  if (!salt || salt.length !== SALT_BYTES || !value || value.length !== 32) {
    throw invalidOptions(
      `Backup code hash ${index} is not of the form 'sha256:<32 hex salt>:<64 hex digest>' made by createBackupCodes()`,
    )
  }
  return { salt, digest: value }
}

/** Creates `count` random backup codes and their salted digests. */
export async function createBackupCodes(options: BackupCodesOptions = {}): Promise<BackupCodes> {
  const { count, length } = { count: 10, length: 12, ...options }
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw invalidOptions('Backup code count must be an integer from 1 to 100')
  }
  if (!Number.isInteger(length) || length < 10 || length > 32) {
    throw invalidOptions('Backup code length must be an integer from 10 to 32 characters')
  }
  const codes: string[] = []
  const hashes: string[] = []
  for (let i = 0; i < count; i++) {
    // 256 is a multiple of 32, so masking a random byte picks every character with equal probability.
    const raw = Array.from(randomBytes(length), (byte) => ALPHABET[byte & 31]).join('')
    const salt = randomBytes(SALT_BYTES)
    codes.push(raw.match(/.{1,4}/g)!.join('-'))
    hashes.push(`${PREFIX}:${toHex(salt)}:${toHex(await digest(salt, raw))}`)
  }
  return { codes, hashes }
}

/**
 * Checks a backup code against the stored digests. Every digest is computed and compared, whatever matches,
 * so the time taken does not reveal a position. Persist `remaining` on success: that is what makes the code
 * single-use.
 */
export async function verifyBackupCode(
  code: string,
  hashes: readonly string[],
  options: VerifyBackupCodeOptions = {},
): Promise<BackupCodeVerification> {
  if (!Array.isArray(hashes)) throw invalidOptions('verifyBackupCode needs the stored list of hashes')
  const parsed = hashes.map(parseHash)
  const candidate = typeof code === 'string' ? normalise(code) : ''
  if (
    candidate.length < 10 ||
    candidate.length > 32 ||
    ![...candidate].every((char) => ALPHABET.includes(char))
  ) {
    return { valid: false, reason: 'malformed' }
  }
  let index = -1
  for (let i = 0; i < parsed.length; i++) {
    const entry = parsed[i]!
    if (timingSafeEqual(await digest(entry.salt, candidate), entry.digest) && index === -1) index = i
  }
  if (index === -1) return { valid: false, reason: 'invalid' }
  const store = options.replayStore ?? defaultReplayStore()
  if (!(await store.add(`backup:${hashes[index]}`, REPLAY_TTL_MS)))
    return { valid: false, reason: 'replayed' }
  return { valid: true, index, remaining: hashes.filter((_, i) => i !== index) }
}
