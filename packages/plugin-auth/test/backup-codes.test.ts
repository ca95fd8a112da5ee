import { describe, expect, it } from 'vitest'
import { createBackupCodes, createMemoryReplayStore, verifyBackupCode } from '../src/index.js'

describe('backup codes', () => {
  it('creates distinct grouped codes and salted digests that never contain the code', async () => {
    const { codes, hashes } = await createBackupCodes()
    expect(codes).toHaveLength(10)
    expect(hashes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/)
    for (const [i, hash] of hashes.entries()) {
      expect(hash).toMatch(/^sha256:[0-9a-f]{32}:[0-9a-f]{64}$/)
      expect(hash).not.toContain(codes[i]!.replace(/-/g, ''))
    }
    const again = await createBackupCodes({ count: 3, length: 16 })
    expect(again.codes[0]).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/)
  })

  it('verifies a code once: the used digest leaves the list and a second use is refused', async () => {
    const { codes, hashes } = await createBackupCodes()
    const store = createMemoryReplayStore()
    const first = await verifyBackupCode(codes[3]!, hashes, { replayStore: store })
    expect(first).toEqual({ valid: true, index: 3, remaining: hashes.filter((_, i) => i !== 3) })
    // Before the application persisted `remaining` (a concurrent request): the replay store refuses it.
    expect(await verifyBackupCode(codes[3]!, hashes, { replayStore: store })).toEqual({
      valid: false,
      reason: 'replayed',
    })
    // After it persisted `remaining`: the code is simply gone.
    if (!first.valid) throw new Error('unreachable')
    expect(
      await verifyBackupCode(codes[3]!, first.remaining, { replayStore: createMemoryReplayStore() }),
    ).toEqual({
      valid: false,
      reason: 'invalid',
    })
  })

  it('forgives case, spaces and Crockford look-alikes', async () => {
    const { codes, hashes } = await createBackupCodes({ count: 1 })
    const typed = codes[0]!.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l')
    expect((await verifyBackupCode(typed, hashes, { replayStore: createMemoryReplayStore() })).valid).toBe(
      true,
    )
  })

  it('refuses unknown and malformed codes', async () => {
    const { hashes } = await createBackupCodes({ count: 2 })
    expect(await verifyBackupCode('ABCD-EFGH-JKMN', hashes)).toEqual({ valid: false, reason: 'invalid' })
    expect(await verifyBackupCode('short', hashes)).toEqual({ valid: false, reason: 'malformed' })
    expect(await verifyBackupCode('ABCD-EFGH-JKM!', hashes)).toEqual({ valid: false, reason: 'malformed' })
    expect(await verifyBackupCode(undefined as unknown as string, hashes)).toEqual({
      valid: false,
      reason: 'malformed',
    })
  })

  it('refuses corrupt stored digests and bad options with AUTH_INVALID_OPTIONS', async () => {
    await expect(verifyBackupCode('ABCD-EFGH-JKMN', ['sha256:zz'])).rejects.toMatchObject({
      code: 'AUTH_INVALID_OPTIONS',
    })
    await expect(createBackupCodes({ length: 8 })).rejects.toMatchObject({ code: 'AUTH_INVALID_OPTIONS' })
    await expect(createBackupCodes({ count: 0 })).rejects.toMatchObject({ code: 'AUTH_INVALID_OPTIONS' })
  })
})
