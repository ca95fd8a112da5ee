import { createEngine, silentLogger } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { auth, hashApiKey } from '../src/index.js'
import { attempt, authEngine, bearer, hsToken, refusal } from './fixtures.js'

const PLAIN = 'ixp_live_0123456789abcdef'
const HASHED = 'ixp_live_fedcba9876543210'

async function keyEngine() {
  return authEngine({
    jwt: undefined,
    apiKeys: {
      keys: [
        { id: 'reporting-bot', key: PLAIN, roles: ['moderator'] },
        { id: 'billing', hash: await hashApiKey(HASHED), permissions: ['admin:read'] },
        { id: 'old-integration', key: 'ixp_live_expired_key_000', expiresAt: '2020-01-01T00:00:00Z' },
        { id: 'future', key: 'ixp_live_expires_later_00', expiresAt: new Date(Date.now() + 60_000) },
      ],
    },
  })
}

describe('hashApiKey', () => {
  it('prints sha256:<hex> of the key', async () => {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    expect(await hashApiKey('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })
})

describe('API keys', () => {
  it('admits configured keys (plain or hashed) with their roles and permissions', async () => {
    const engine = await keyEngine()
    const plain = await attempt(engine, 'moderate_post', { headers: { 'x-api-key': PLAIN } })
    expect(plain.ok && plain.result.props).toMatchObject({ who: 'reporting-bot', method: 'api-key' })
    expect((await attempt(engine, 'admin_dashboard', { headers: { 'x-api-key': HASHED } })).ok).toBe(true)
    expect(
      (await attempt(engine, 'order_status', { headers: { 'x-api-key': 'ixp_live_expires_later_00' } })).ok,
    ).toBe(true)
  })

  it('refuses unknown keys with 401 and an ApiKey challenge', async () => {
    const error = await refusal(await keyEngine(), 'order_status', {
      headers: { 'x-api-key': 'ixp_live_unknown_0000000' },
    })
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: 'Invalid API key' })
    expect(error.headers?.['WWW-Authenticate']).toBe(
      'ApiKey realm="ixp", header="x-api-key", error="invalid_token", error_description="Invalid API key"',
    )
  })

  it('refuses expired keys', async () => {
    const error = await refusal(await keyEngine(), 'order_status', {
      headers: { 'x-api-key': 'ixp_live_expired_key_000' },
    })
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'The API key has expired' })
  })

  it('answers 403 for a valid key without the needed permission', async () => {
    const error = await refusal(await keyEngine(), 'admin_dashboard', { headers: { 'x-api-key': PLAIN } })
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
      message: 'Missing permissions: admin:read',
    })
    expect(error.headers).toBeUndefined()
  })

  it('refuses malformed and oversized keys', async () => {
    const engine = await keyEngine()
    expect(
      (await refusal(engine, 'order_status', { headers: { 'x-api-key': 'has spaces in it' } })).message,
    ).toContain('malformed')
    expect(
      (await refusal(engine, 'order_status', { headers: { 'x-api-key': 'k'.repeat(9000) } })).message,
    ).toContain('longer than 8192')
  })

  it('reads a custom header, and the query only when enabled', async () => {
    const engine = await authEngine({
      jwt: undefined,
      apiKeys: { keys: [{ id: 'svc', key: PLAIN }], header: 'X-Service-Key', query: 'api_key' },
    })
    expect((await attempt(engine, 'order_status', { headers: { 'x-service-key': PLAIN } })).ok).toBe(true)
    expect((await attempt(engine, 'order_status', { query: `api_key=${PLAIN}` })).ok).toBe(true)
    expect((await attempt(engine, 'order_status', { query: { api_key: PLAIN } })).ok).toBe(true)
    expect((await attempt(engine, 'order_status', { url: `/ixp/render?api_key=${PLAIN}` })).ok).toBe(true)
    expect(
      (await refusal(engine, 'order_status', { query: `api_key=${PLAIN}&api_key=${PLAIN}` })).message,
    ).toBe('Send one api_key query parameter')
    const headerOnly = await keyEngine()
    expect(
      (await refusal(headerOnly, 'order_status', { url: `/ixp/render?api_key=${PLAIN}` })).message,
    ).toContain('Authentication required')
  })

  it('the 401 hint names the configured credentials: the key header only when only API keys are set', async () => {
    const keysOnly = await authEngine({ jwt: undefined, apiKeys: { keys: [{ id: 'svc', key: PLAIN }] } })
    expect((await refusal(keysOnly, 'order_status', {})).message).toBe(
      'Authentication required: send credentials (x-api-key: <api key>)',
    )
    const both = await authEngine({ apiKeys: { keys: [{ id: 'svc', key: PLAIN }] } })
    expect((await refusal(both, 'order_status', {})).message).toBe(
      'Authentication required: send credentials (Authorization: Bearer <token> or x-api-key: <api key>)',
    )
  })

  it('asks a lookup function for keys stored elsewhere, by hash only', async () => {
    const asked: string[] = []
    const stored = await hashApiKey('ixp_live_from_the_database')
    const engine = await authEngine({
      jwt: undefined,
      apiKeys: {
        lookup: async (hash) => {
          asked.push(hash)
          return hash === stored
            ? { id: 'db-key', roles: ['user'], expiresAt: Date.now() + 60_000 }
            : undefined
        },
      },
    })
    const outcome = await attempt(engine, 'order_status', {
      headers: { 'x-api-key': 'ixp_live_from_the_database' },
    })
    expect(outcome.ok && outcome.result.props.who).toBe('db-key')
    expect(
      (await refusal(engine, 'order_status', { headers: { 'x-api-key': 'ixp_live_not_in_the_db_00' } })).code,
    ).toBe('UNAUTHORIZED')
    expect(asked).toEqual([stored, await hashApiKey('ixp_live_not_in_the_db_00')])
  })

  it('refuses a request carrying both a Bearer token and an API key', async () => {
    const engine = await authEngine({ apiKeys: { keys: [{ id: 'svc', key: PLAIN }] } })
    const ctx = { headers: { ...bearer(await hsToken({ sub: 'ada' })).headers, 'x-api-key': PLAIN } }
    expect((await refusal(engine, 'order_status', ctx)).message).toContain('not both')
  })

  it('challenges with both schemes when both are configured; the error goes to the failed one', async () => {
    const engine = await authEngine({ apiKeys: { keys: [{ id: 'svc', key: PLAIN }] } })
    expect((await refusal(engine, 'order_status')).headers?.['WWW-Authenticate']).toBe(
      'Bearer realm="ixp", ApiKey realm="ixp", header="x-api-key"',
    )
    expect(
      (await refusal(engine, 'order_status', { headers: { 'x-api-key': 'ixp_live_unknown_0000000' } }))
        .headers,
    ).toEqual({
      'WWW-Authenticate':
        'Bearer realm="ixp", ApiKey realm="ixp", header="x-api-key", error="invalid_token", error_description="Invalid API key"',
    })
    expect((await refusal(engine, 'order_status', bearer('a.b.c'))).headers?.['WWW-Authenticate']).toMatch(
      /^Bearer realm="ixp", error="invalid_token", error_description="[^"]+", ApiKey realm="ixp", header="x-api-key"$/,
    )
  })

  it('refuses unusable key configuration where the plugin is created', async () => {
    expect(() => auth({ apiKeys: {} })).toThrow(/needs keys or a lookup/)
    expect(() => auth({ apiKeys: { keys: [{ id: 'a', key: PLAIN }], header: 'authorization' } })).toThrow(
      /header/,
    )
    const bad = (key: object) => () => auth({ apiKeys: { keys: [key as never] } })
    expect(bad({ id: 'a', key: 'short' })).toThrow('at least 16 characters')
    expect(bad({ id: 'a', hash: 'md5:abc' })).toThrow("'sha256:' followed by 64 hex digits")
    expect(bad({ id: 'a', key: PLAIN, hash: await hashApiKey(PLAIN) })).toThrow('exactly one of hash')
    expect(bad({ id: '', key: PLAIN })).toThrow('.id must be a non-empty string')
    expect(bad({ id: 'a', key: PLAIN, expiresAt: 'someday' })).toThrow('expiresAt')
    expect(bad({ id: 'a', key: PLAIN, roles: 'admin' })).toThrow('roles must be an array')
  })

  it('reports the same key configured twice when the engine starts', async () => {
    const twice = auth({
      apiKeys: {
        keys: [
          { id: 'a', key: PLAIN },
          { id: 'b', hash: await hashApiKey(PLAIN) },
        ],
      },
    })
    await expect(createEngine({ logger: silentLogger, plugins: [twice] }).ready()).rejects.toMatchObject({
      message: expect.stringContaining("the same key twice (id 'b')"),
    })
  })
})
