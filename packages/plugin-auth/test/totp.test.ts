import { describe, expect, it } from 'vitest'
import {
  createMemoryAttemptStore,
  createMemoryReplayStore,
  generateTotp,
  generateTotpSecret,
  totpUri,
  verifyTotp,
  type TotpAlgorithm,
  type TotpVerifyOptions,
} from '../src/index.js'
import { base32Decode, base32Encode } from '../src/mfa/base32.js'

/**
 * `verifyTotp` with a fresh attempt store per call, for the tests of everything but the attempt limit (they
 * verify one secret many times, which the process-wide store would rightly lock).
 */
const verify = (code: string, secret: string | Uint8Array, options: TotpVerifyOptions = {}) =>
  verifyTotp(code, secret, { attemptStore: createMemoryAttemptStore(), ...options })

const ascii = (text: string) => new TextEncoder().encode(text)

// RFC 6238 Appendix B: the seeds are ASCII digits, 20 / 32 / 64 bytes for SHA1 / SHA256 / SHA512.
const SEEDS: Record<TotpAlgorithm, Uint8Array> = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
}
const VECTORS: [number, string, TotpAlgorithm][] = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
]

describe('TOTP: RFC 6238 Appendix B', () => {
  it.each(VECTORS)('at T=%i the code is %s (%s)', async (time, code, algorithm) => {
    expect(await generateTotp(SEEDS[algorithm], { algorithm, digits: 8, now: time * 1000 })).toBe(code)
  })

  it.each(VECTORS)(
    'verifies the code of T=%i (%s, %s) with the seed given in base32',
    async (time, code, algorithm) => {
      const secret = base32Encode(SEEDS[algorithm])
      const outcome = await verify(code, secret, {
        algorithm,
        digits: 8,
        now: time * 1000,
        replayStore: createMemoryReplayStore(),
      })
      expect(outcome).toEqual({ valid: true, step: Math.floor(time / 30), drift: 0 })
    },
  )

  it('six-digit codes are the last six digits of the eight-digit ones', async () => {
    expect(await generateTotp(SEEDS.SHA1, { now: 59_000 })).toBe('287082')
  })
})

describe('base32', () => {
  it('round-trips and matches RFC 4648 test vectors', () => {
    expect(base32Encode(ascii('foobar'))).toBe('MZXW6YTBOI')
    expect(base32Encode(ascii('f'))).toBe('MY')
    expect(new TextDecoder().decode(base32Decode('mzxw 6ytb-oi======'))).toBe('foobar')
    const bytes = crypto.getRandomValues(new Uint8Array(37))
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes)
  })

  it('refuses characters outside the alphabet', () => {
    expect(base32Decode('MZXW1')).toBeUndefined()
  })
})

describe('verifyTotp', () => {
  const secret = generateTotpSecret()
  const now = 1_700_000_000_000

  it('accepts codes one step either side by default and refuses two steps away', async () => {
    const store = createMemoryReplayStore()
    const previous = await generateTotp(secret, { now: now - 30_000 })
    const next = await generateTotp(secret, { now: now + 30_000 })
    const far = await generateTotp(secret, { now: now + 60_000 })
    expect(await verify(next, secret, { now, replayStore: store })).toMatchObject({
      valid: true,
      drift: 1,
    })
    expect(await verify(far, secret, { now, replayStore: createMemoryReplayStore() })).toEqual({
      valid: false,
      reason: 'invalid',
    })
    expect(
      await verify(previous, secret, { now, window: 0, replayStore: createMemoryReplayStore() }),
    ).toEqual({
      valid: false,
      reason: 'invalid',
    })
  })

  it('refuses a code used twice in its window (replay)', async () => {
    const store = createMemoryReplayStore()
    const code = await generateTotp(secret, { now })
    expect((await verify(code, secret, { now, replayStore: store })).valid).toBe(true)
    expect(await verify(code, secret, { now: now + 10_000, replayStore: store })).toEqual({
      valid: false,
      reason: 'replayed',
    })
  })

  it('refuses an older code of the window once a newer one was accepted', async () => {
    const store = createMemoryReplayStore()
    const current = await generateTotp(secret, { now })
    const previous = await generateTotp(secret, { now: now - 30_000 })
    expect((await verify(current, secret, { now, replayStore: store })).valid).toBe(true)
    expect(await verify(previous, secret, { now, replayStore: store })).toEqual({
      valid: false,
      reason: 'replayed',
    })
  })

  it('keeps accounts apart in a shared store', async () => {
    const store = createMemoryReplayStore()
    const other = generateTotpSecret()
    expect(
      (await verify(await generateTotp(secret, { now }), secret, { now, replayStore: store })).valid,
    ).toBe(true)
    expect((await verify(await generateTotp(other, { now }), other, { now, replayStore: store })).valid).toBe(
      true,
    )
  })

  it('replays are refused by the default process-wide store too', async () => {
    const fresh = generateTotpSecret()
    const code = await generateTotp(fresh)
    expect((await verify(code, fresh)).valid).toBe(true)
    expect(await verify(code, fresh)).toEqual({ valid: false, reason: 'replayed' })
  })

  it('reports malformed codes without throwing', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 34 5x', 42 as unknown as string]) {
      expect(await verify(code, secret, { now })).toEqual({ valid: false, reason: 'malformed' })
    }
  })

  it('accepts codes typed with spaces', async () => {
    const code = await generateTotp(secret, { now })
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`
    expect((await verify(spaced, secret, { now, replayStore: createMemoryReplayStore() })).valid).toBe(true)
  })

  it('refuses unusable secrets and options with AUTH_INVALID_OPTIONS', async () => {
    await expect(verify('123456', 'JBSWY3DPEHPK3PXP', { now })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
      message: expect.stringContaining('at least 16 bytes'),
    })
    await expect(verify('123456', 'not base32!', { now })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
    await expect(verify('123456', secret, { digits: 9 })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
    await expect(verify('123456', secret, { window: 11 })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
    await expect(
      verify('123456', secret, { algorithm: 'constructor' as TotpAlgorithm }),
    ).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
    await expect(verify('123456', secret, { algorithm: 'MD5' as TotpAlgorithm })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
  })
})

describe('generateTotpSecret and totpUri', () => {
  it('generates distinct base32 secrets of the requested size', () => {
    const a = generateTotpSecret()
    expect(a).toMatch(/^[A-Z2-7]{32}$/)
    expect(base32Decode(a)).toHaveLength(20)
    expect(generateTotpSecret()).not.toBe(a)
    expect(base32Decode(generateTotpSecret({ bytes: 64 }))).toHaveLength(64)
    expect(() => generateTotpSecret({ bytes: 10 })).toThrow(/16 to 128/)
  })

  it('builds an otpauth key URI with every parameter', () => {
    const uri = totpUri({
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      accountName: 'ada@example.com',
      issuer: 'IXP Demo',
    })
    expect(uri).toBe(
      'otpauth://totp/IXP%20Demo:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=IXP%20Demo&algorithm=SHA1&digits=6&period=30',
    )
    const parsed = new URL(uri)
    expect(parsed.protocol).toBe('otpauth:')
    expect(parsed.searchParams.get('issuer')).toBe('IXP Demo')
    expect(
      totpUri({
        secret: generateTotpSecret({ bytes: 32 }),
        accountName: 'a',
        issuer: 'b',
        algorithm: 'SHA256',
        digits: 8,
      }),
    ).toMatch(/algorithm=SHA256&digits=8&period=30$/)
  })

  it('refuses colons in the label and bad secrets', () => {
    const secret = generateTotpSecret()
    expect(() => totpUri({ secret, accountName: 'a:b', issuer: 'x' })).toThrow(/accountName/)
    expect(() => totpUri({ secret, accountName: 'a', issuer: 'x:y' })).toThrow(/issuer/)
    expect(() => totpUri({ secret: 'short', accountName: 'a', issuer: 'x' })).toThrow(/TOTP secret/)
  })
})

describe('TOTP attempt limit', () => {
  it('refuses every code past maxAttempts per subject in the window, right or wrong, then lets it try again', async () => {
    const secret = generateTotpSecret()
    const now = 1_700_000_000_000
    const attemptStore = createMemoryAttemptStore()
    const options = { now, attemptStore, account: 'user-1', replayStore: createMemoryReplayStore() }
    for (let guess = 0; guess < 5; guess++) {
      expect((await verifyTotp(String(guess).padStart(6, '0'), secret, options)).valid).toBe(false)
    }
    const right = await generateTotp(secret, { now })
    const locked = await verifyTotp(right, secret, options)
    expect(locked).toEqual({ valid: false, reason: 'locked', retryAfterMs: expect.any(Number) })
    expect((locked as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(300_000)
    // Another subject is not locked by this one's guesses.
    expect((await verifyTotp(right, secret, { ...options, account: 'user-2' })).valid).toBe(true)
    // The next window counts afresh.
    const later = now + 300_000
    const fresh = await generateTotp(secret, { now: later })
    expect((await verifyTotp(fresh, secret, { ...options, now: later })).valid).toBe(true)
  })

  it('brute force gets nowhere: 1000 guesses, at most maxAttempts checked', async () => {
    const secret = generateTotpSecret()
    const now = 1_700_000_000_000
    const options = { now, attemptStore: createMemoryAttemptStore(), maxAttempts: 3 }
    const reasons = new Map<string, number>()
    for (let guess = 0; guess < 1000; guess++) {
      const outcome = await verifyTotp(String(guess).padStart(6, '0'), secret, options)
      const reason = outcome.valid ? 'valid' : outcome.reason
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    }
    expect(reasons.get('locked')).toBe(997)
  })

  it('refuses a bad maxAttempts or attemptWindowMs', async () => {
    const secret = generateTotpSecret()
    await expect(verifyTotp('123456', secret, { maxAttempts: 0 })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
    await expect(verifyTotp('123456', secret, { attemptWindowMs: 10 })).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
  })
})
