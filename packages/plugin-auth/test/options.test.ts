import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'
import { auth, type AuthOptions } from '../src/index.js'
import { SECRET } from './fixtures.js'

describe('options', () => {
  it.each<[string, AuthOptions, RegExp]>([
    ['nothing to sign in with', {}, /configure at least one of jwt, apiKeys or authenticate/],
    ['a jwt without key material', { jwt: {} }, /exactly one of secret, publicKey or jwksUrl \(got none\)/],
    ['a non-function authenticate', { authenticate: 'yes' as never }, /authenticate must be a function/],
    [
      'a non-function authorize',
      { jwt: { secret: SECRET }, authorize: true as never },
      /authorize must be a function/,
    ],
    [
      'an unknown defaultAccess',
      { jwt: { secret: SECRET }, defaultAccess: 'open' as never },
      /defaultAccess/,
    ],
    ['a realm with quotes', { jwt: { secret: SECRET }, realm: 'a"b' }, /realm/],
    ['a tiny credential limit', { jwt: { secret: SECRET }, maxCredentialLength: 10 }, /maxCredentialLength/],
    [
      'roles that are not lists',
      { jwt: { secret: SECRET }, roles: { admin: 'user' as never } },
      /roles.admin must be an array/,
    ],
    [
      'a contradictory requirement',
      { jwt: { secret: SECRET }, intentPermissions: { x: { public: true, roles: ['a'] } } },
      /cannot be combined/,
    ],
    [
      'a requirement typo',
      { jwt: { secret: SECRET }, intentPermissions: { x: { role: ['a'] } as never } },
      /intentPermissions.x.role is not a known field/,
    ],
    [
      'a negative clock tolerance',
      { jwt: { secret: SECRET, clockToleranceSeconds: -1 } },
      /clockToleranceSeconds/,
    ],
    [
      'the old name of the clock tolerance',
      { jwt: { secret: SECRET, clockTolerance: 5 } as never },
      /clockTolerance was renamed 'clockToleranceSeconds'/,
    ],
    ['a zero mfa max age', { jwt: { secret: SECRET }, mfa: { maxAgeSeconds: 0 } }, /mfa.maxAgeSeconds/],
  ])('refuses %s with AUTH_INVALID_OPTIONS', (_, options, message) => {
    expect(() => auth(options)).toThrow(message)
    try {
      auth(options)
    } catch (error) {
      expect(error).toMatchObject({ code: 'AUTH_INVALID_OPTIONS', status: 500 })
    }
  })

  it('builds a named, versioned plugin', () => {
    const plugin = auth({ jwt: { secret: SECRET } })
    expect(plugin).toMatchObject({ name: '@ixp/plugin-auth', version: expect.any(String) })
    expect(typeof plugin.authenticate).toBe('function')
  })

  it('authenticates a context outside a render (for transports)', async () => {
    const plugin = auth({
      apiKeys: { keys: [{ id: 'svc', key: 'ixp_live_0123456789abcdef', roles: ['user'] }] },
    })
    expect(await plugin.authenticate({})).toBeUndefined()
    expect(
      await plugin.authenticate({ headers: { 'x-api-key': 'ixp_live_0123456789abcdef' } }),
    ).toMatchObject({
      id: 'svc',
      method: 'api-key',
      roles: ['user'],
    })
    await expect(
      plugin.authenticate({ headers: { 'x-api-key': 'ixp_live_wrong_wrong_wrong' } }),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    })
  })
})

describe('public surface', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AuthErrorCodes',
      'auth',
      'createBackupCodes',
      'createMemoryAttemptStore',
      'createMemoryReplayStore',
      'generateTotp',
      'generateTotpSecret',
      'hashApiKey',
      'totpUri',
      'verifyBackupCode',
      'verifyTotp',
    ])
  })

  it('lists every code the plugin raises with its status', () => {
    expect(api.AuthErrorCodes).toEqual({
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      MFA_REQUIRED: 401,
      AUTH_UNAVAILABLE: 503,
      AUTH_INVALID_OPTIONS: 500,
    })
  })
})
