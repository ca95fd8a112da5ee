import { createEngine, silentLogger } from '@ixp/core'
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { auth } from '../src/index.js'
import { attempt, authEngine, bearer, hsToken, refusal, SECRET, secretBytes } from './fixtures.js'

const now = () => Math.floor(Date.now() / 1000)
const encode = (value: unknown) => base64url.encode(JSON.stringify(value))

describe('Bearer JWT (HS256 secret)', () => {
  it('admits a valid token and puts the principal on the handler and component context', async () => {
    const engine = await authEngine()
    const result = await engine.render(
      { intent: { name: 'order_status', parameters: {} } },
      bearer(await hsToken({ sub: 'ada', roles: ['user'] })),
    )
    expect(result.props).toMatchObject({ who: 'ada', method: 'jwt' })
    expect(result.tree).toEqual({ type: 'card', props: { viewer: 'ada' }, children: ['ada'] })
  })

  it('refuses a request without credentials: 401 UNAUTHORIZED with a bare Bearer challenge', async () => {
    const error = await refusal(await authEngine(), 'order_status')
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="ixp"' })
  })

  it.each([
    ['expired', { exp: now() - 60 }, 'it has expired'],
    ['not yet valid', { nbf: now() + 600 }, 'not valid yet'],
    ['without exp', { exp: undefined }, "'exp' claim"],
  ])('refuses a token that is %s', async (_, claims, description) => {
    const error = await refusal(
      await authEngine(),
      'order_status',
      bearer(await hsToken({ sub: 'ada', ...claims })),
    )
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    expect(error.headers?.['WWW-Authenticate']).toMatch(
      /^Bearer realm="ixp", error="invalid_token", error_description="/,
    )
    expect(error.message).toContain(description)
  })

  it('tolerates clock skew within clockToleranceSeconds', async () => {
    const engine = await authEngine({ jwt: { secret: SECRET, clockToleranceSeconds: 30 } })
    const outcome = await attempt(
      engine,
      'order_status',
      bearer(await hsToken({ sub: 'ada', exp: now() - 10 })),
    )
    expect(outcome.ok).toBe(true)
  })

  it('checks issuer and audience when configured', async () => {
    const engine = await authEngine({
      jwt: { secret: SECRET, issuer: 'https://id.example.com', audience: 'ixp-api' },
    })
    const good = await hsToken({ sub: 'ada', iss: 'https://id.example.com', aud: 'ixp-api' })
    expect((await attempt(engine, 'order_status', bearer(good))).ok).toBe(true)
    const wrongIssuer = await refusal(
      engine,
      'order_status',
      bearer(await hsToken({ sub: 'ada', iss: 'https://evil.example.com', aud: 'ixp-api' })),
    )
    expect(wrongIssuer.message).toContain("'iss' claim")
    const wrongAudience = await refusal(
      engine,
      'order_status',
      bearer(await hsToken({ sub: 'ada', iss: 'https://id.example.com', aud: 'other' })),
    )
    expect(wrongAudience.message).toContain("'aud' claim")
    const noAudience = await refusal(
      engine,
      'order_status',
      bearer(await hsToken({ sub: 'ada', iss: 'https://id.example.com' })),
    )
    expect(noAudience.code).toBe('UNAUTHORIZED')
  })

  it('refuses a tampered payload and a token signed with another secret', async () => {
    const engine = await authEngine()
    const [header, , signature] = (await hsToken({ sub: 'ada', roles: ['user'] })).split('.')
    const forged = `${header}.${encode({ sub: 'ada', roles: ['admin'], exp: now() + 3600 })}.${signature}`
    const tampered = await refusal(engine, 'admin_dashboard', bearer(forged))
    expect(tampered).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Invalid token: signature verification failed',
    })
    const otherSecret = new TextEncoder().encode('another-secret-that-is-also-long-enough!!')
    expect(
      (await refusal(engine, 'order_status', bearer(await hsToken({ sub: 'ada' }, otherSecret)))).code,
    ).toBe('UNAUTHORIZED')
  })

  it('refuses alg: none tokens, whatever their claims', async () => {
    const engine = await authEngine()
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${encode({ alg, typ: 'JWT' })}.${encode({ sub: 'root', roles: ['admin'], exp: now() + 3600 })}.`
      expect((await refusal(engine, 'order_status', bearer(unsigned))).code).toBe('UNAUTHORIZED')
      const withSignature = `${unsigned}AAAA`
      expect((await refusal(engine, 'order_status', bearer(withSignature))).code).toBe('UNAUTHORIZED')
    }
  })

  it('refuses a token without a subject, and malformed role claims', async () => {
    const engine = await authEngine()
    expect(
      (await refusal(engine, 'order_status', bearer(await hsToken({ roles: ['user'] })))).message,
    ).toContain("'sub' claim")
    expect(
      (await refusal(engine, 'order_status', bearer(await hsToken({ sub: 'a', roles: [1, 2] })))).message,
    ).toContain("'roles' claim")
  })

  it('refuses tokens older than maxTokenAgeSeconds', async () => {
    const engine = await authEngine({ jwt: { secret: SECRET, maxTokenAgeSeconds: 60 } })
    const old = await hsToken({ sub: 'ada', iat: now() - 600 })
    expect((await refusal(engine, 'order_status', bearer(old))).code).toBe('UNAUTHORIZED')
  })

  it('refuses a token issued in the future beyond the clock tolerance, without maxTokenAgeSeconds', async () => {
    const engine = await authEngine()
    const future = await hsToken({ sub: 'ada', iat: now() + 86_400 })
    const refused = await refusal(engine, 'order_status', bearer(future))
    expect(refused.code).toBe('UNAUTHORIZED')
    expect(refused.message).toContain('issued in the future (iat)')
    // Within the tolerance (5 s by default) it passes: clocks drift.
    const skewed = await hsToken({ sub: 'ada', iat: now() + 3 })
    const result = await engine.render(
      { intent: { name: 'order_status', parameters: { orderId: '1' } } },
      bearer(skewed),
    )
    expect(result.intent).toBe('order_status')
  })

  it('maps configurable and nested claim names, and space-separated permission strings', async () => {
    const engine = await authEngine({
      jwt: { secret: SECRET, claims: { id: 'uid', roles: 'realm_access.roles', permissions: 'scope' } },
    })
    const token = await hsToken({
      uid: 'grace',
      realm_access: { roles: ['moderator'] },
      scope: 'admin:read profile',
    })
    const result = await engine.render({ intent: { name: 'admin_dashboard', parameters: {} } }, bearer(token))
    expect(result.props.who).toBe('grace')
    expect((await attempt(engine, 'moderate_post', bearer(token))).ok).toBe(true)
  })
})

describe('malformed and oversized Authorization headers', () => {
  it.each([['Basic YWRhOnNlY3JldA=='], ['Bearer'], ['Bearer '], ['Bearer a b'], ['Token abc'], ['']])(
    'refuses %j with 401 invalid_request',
    async (value) => {
      const error = await refusal(await authEngine(), 'order_status', { headers: { authorization: value } })
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
      expect(error.headers?.['WWW-Authenticate']).toContain('error="invalid_request"')
    },
  )

  it('refuses a token that is not a compact JWS with invalid_token', async () => {
    const error = await refusal(await authEngine(), 'order_status', bearer('not.a.jwt!'))
    expect(error.headers?.['WWW-Authenticate']).toContain('error="invalid_token"')
    expect((await refusal(await authEngine(), 'order_status', bearer('abc'))).code).toBe('UNAUTHORIZED')
  })

  it('refuses an oversized header before verifying anything', async () => {
    const huge = `Bearer ${'a'.repeat(9000)}`
    const error = await refusal(await authEngine(), 'order_status', { headers: { authorization: huge } })
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'The Authorization header is longer than 8192 characters',
    })
    const small = await authEngine({ maxCredentialLength: 100 })
    expect((await refusal(small, 'order_status', bearer(await hsToken({ sub: 'ada' })))).message).toContain(
      'longer than 100',
    )
  })

  it('refuses repeated and non-string header values', async () => {
    const engine = await authEngine()
    const token = await hsToken({ sub: 'ada' })
    const twice = { headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] as unknown as string } }
    expect((await refusal(engine, 'order_status', twice)).message).toBe(
      'Send one Authorization header, not 2',
    )
    const numeric = { headers: { authorization: 42 as unknown as string } }
    expect((await refusal(engine, 'order_status', numeric)).code).toBe('UNAUTHORIZED')
  })

  it('accepts the scheme in any case (RFC 7235)', async () => {
    const token = await hsToken({ sub: 'ada' })
    expect(
      (await attempt(await authEngine(), 'order_status', { headers: { authorization: `bearer ${token}` } }))
        .ok,
    ).toBe(true)
  })
})

describe('asymmetric keys and algorithm confusion', () => {
  it('verifies RS256 tokens with an SPKI public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
    const engine = await authEngine({ jwt: { publicKey: await exportSPKI(publicKey) } })
    const token = await new SignJWT({ sub: 'ada', exp: now() + 60 })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey)
    expect((await attempt(engine, 'order_status', bearer(token))).ok).toBe(true)
  })

  it('refuses an HS256 token signed with the public key as the HMAC secret (HS/RS confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true })
    const pem = await exportSPKI(publicKey)
    const engine = await authEngine({ jwt: { publicKey: pem } })
    const confused = await new SignJWT({ sub: 'mallory', roles: ['admin'], exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pem))
    const error = await refusal(engine, 'order_status', bearer(confused))
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Invalid token: its algorithm is not accepted',
    })
    // A JWK of the key, and a public CryptoKey, are refused the same way.
    for (const key of [await exportJWK(publicKey), publicKey]) {
      const other = await authEngine({ jwt: { publicKey: key } })
      expect((await refusal(other, 'order_status', bearer(confused))).code).toBe('UNAUTHORIZED')
    }
  })

  it('refuses at start-up to mix HMAC and asymmetric algorithms, or to allow none', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true })
    const pem = await exportSPKI(publicKey)
    expect(() => auth({ jwt: { publicKey: pem, algorithms: ['ES256', 'HS256'] } })).toThrow(
      /'HS256', which cannot be used with a public key/,
    )
    expect(() => auth({ jwt: { secret: SECRET, algorithms: ['RS256'] } })).toThrow(
      /'RS256', which cannot be used with an HMAC secret/,
    )
    expect(() => auth({ jwt: { secret: SECRET, algorithms: ['none'] } })).toThrow(/may not contain 'none'/)
    expect(() => auth({ jwt: { secret: pem } })).toThrow(/looks like a key/)
    expect(() => auth({ jwt: { secret: 'short' } })).toThrow(/at least 32 bytes/)
    expect(() => auth({ jwt: { secret: SECRET, publicKey: pem } })).toThrow(
      /exactly one of secret, publicKey or jwksUrl/,
    )
  })

  it('reports a public key that cannot verify the allowed algorithms when the engine starts', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true })
    const engine = createEngine({
      logger: silentLogger,
      plugins: [auth({ jwt: { publicKey: await exportSPKI(publicKey) } })],
    })
    await expect(engine.ready()).rejects.toMatchObject({
      message: expect.stringContaining('cannot verify RS256 tokens'),
    })
  })

  it('refuses a private key or a secret JWK configured as the public key', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true })
    const jwk = await exportJWK(privateKey)
    const engine = createEngine({ logger: silentLogger, plugins: [auth({ jwt: { publicKey: jwk } })] })
    await expect(engine.ready()).rejects.toMatchObject({
      message: expect.stringContaining('secret or private JWK'),
    })
    const octJwk = { kty: 'oct', k: base64url.encode(secretBytes) }
    const other = createEngine({
      logger: silentLogger,
      plugins: [auth({ jwt: { publicKey: octJwk, algorithms: ['RS256'] } })],
    })
    await expect(other.ready()).rejects.toMatchObject({
      message: expect.stringContaining('secret or private JWK'),
    })
  })
})
