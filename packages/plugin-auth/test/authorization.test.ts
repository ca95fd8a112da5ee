import { createEngine, IxpError, silentLogger, type IxpContext } from '@ixp/core'
import { describe, expect, it, vi } from 'vitest'
import { auth } from '../src/index.js'
import { attempt, authEngine, bearer, hsToken, refusal, SECRET } from './fixtures.js'

const now = () => Math.floor(Date.now() / 1000)
const as = async (claims: Record<string, unknown>) => bearer(await hsToken({ sub: 'someone', ...claims }))

describe('401 versus 403', () => {
  it('401 without credentials, 403 with valid ones lacking the role', async () => {
    const engine = await authEngine()
    expect(await refusal(engine, 'moderate_post')).toMatchObject({ code: 'UNAUTHORIZED', status: 401 })
    const forbidden = await refusal(engine, 'moderate_post', await as({ roles: ['user'] }))
    expect(forbidden).toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
      message: 'Requires one of the roles: moderator',
    })
    expect(forbidden.headers?.['WWW-Authenticate']).toContain('error="insufficient_scope"')
  })

  it('the error serialises as the IXP wire error without headers or stack', async () => {
    const error = await refusal(await authEngine(), 'order_status')
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Authentication required: send credentials (Authorization: Bearer <token>)',
      details: { reason: 'missing_credentials' },
    })
  })
})

describe('role hierarchy and permissions', () => {
  it('admin inherits moderator and user; user inherits nothing', async () => {
    const engine = await authEngine()
    const admin = await as({ roles: ['admin'] })
    expect((await attempt(engine, 'moderate_post', admin)).ok).toBe(true)
    const result = await engine.render({ intent: { name: 'order_status', parameters: {} } }, admin)
    expect(result.props.who).toBe('someone')
    expect((await refusal(engine, 'moderate_post', await as({ roles: ['user'] }))).code).toBe('FORBIDDEN')
  })

  it('exposes the effective roles and permissions on ctx.user', async () => {
    const engine = await authEngine({ rolePermissions: { moderator: ['posts:delete'], admin: ['admin:*'] } })
    let seen: IxpContext['user']
    engine.registerIntent({
      name: 'whoami',
      description: 'Who am I',
      component: 'InfoCard',
      parameters: { type: 'object' },
      handler: (_, ctx) => {
        seen = ctx.user
        return {}
      },
    })
    await engine.render(
      { intent: { name: 'whoami', parameters: {} } },
      await as({ roles: ['admin'], permissions: ['x:y'] }),
    )
    expect(seen).toMatchObject({ id: 'someone', method: 'jwt' })
    expect([...seen!.roles].sort()).toEqual(['admin', 'moderator', 'user'])
    expect([...seen!.permissions].sort()).toEqual(['admin:*', 'posts:delete', 'x:y'])
    expect(Object.isFrozen(seen)).toBe(true)
    expect(Object.isFrozen(seen!.roles)).toBe(true)
  })

  it('intentPermissions requires every listed permission; wildcards cover a prefix', async () => {
    const engine = await authEngine({ intentPermissions: { admin_dashboard: ['admin:read', 'admin:audit'] } })
    const partial = await refusal(engine, 'admin_dashboard', await as({ permissions: ['admin:read'] }))
    expect(partial.message).toBe('Missing permissions: admin:audit')
    expect(
      (await attempt(engine, 'admin_dashboard', await as({ permissions: ['admin:read', 'admin:audit'] }))).ok,
    ).toBe(true)
    expect((await attempt(engine, 'admin_dashboard', await as({ permissions: ['admin:*'] }))).ok).toBe(true)
    expect((await attempt(engine, 'admin_dashboard', await as({ permissions: ['*'] }))).ok).toBe(true)
    expect(
      (await refusal(engine, 'admin_dashboard', await as({ permissions: ['administrator:*'] }))).code,
    ).toBe('FORBIDDEN')
    expect((await refusal(engine, 'admin_dashboard', await as({ permissions: ['admin'] }))).code).toBe(
      'FORBIDDEN',
    )
  })

  it('role names that are also Object.prototype keys are plain names', async () => {
    const engine = await authEngine({ rolePermissions: { admin: ['admin:read'] } })
    for (const role of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const outcome = await attempt(engine, 'order_status', await as({ roles: [role], permissions: [role] }))
      expect(outcome.ok && outcome.result.props.who).toBe('someone')
      expect((await refusal(engine, 'admin_dashboard', await as({ roles: [role] }))).code).toBe('FORBIDDEN')
    }
  })

  it('role permissions satisfy intent permissions', async () => {
    const engine = await authEngine({ rolePermissions: { admin: ['admin:read'] } })
    expect((await attempt(engine, 'admin_dashboard', await as({ roles: ['admin'] }))).ok).toBe(true)
    expect((await refusal(engine, 'admin_dashboard', await as({ roles: ['moderator'] }))).code).toBe(
      'FORBIDDEN',
    )
  })

  it('the intent and the map combine by "and": the map can tighten an intent, never loosen it', async () => {
    const engine = await authEngine({
      intentPermissions: { moderate_post: ['posts:moderate'], public_info: { public: true } },
    })
    expect((await refusal(engine, 'moderate_post', await as({ roles: ['moderator'] }))).message).toContain(
      'posts:moderate',
    )
    expect(
      (await refusal(engine, 'moderate_post', await as({ permissions: ['posts:moderate'] }))).message,
    ).toContain('roles')
    expect(
      (
        await attempt(
          engine,
          'moderate_post',
          await as({ roles: ['moderator'], permissions: ['posts:moderate'] }),
        )
      ).ok,
    ).toBe(true)
    const loosen = await authEngine({ intentPermissions: { moderate_post: { public: true } } })
    expect((await refusal(loosen, 'moderate_post')).code).toBe('UNAUTHORIZED')
  })
})

describe('public intents and defaultAccess', () => {
  it('public intents need no credentials and ignore broken ones', async () => {
    const engine = await authEngine()
    const anonymous = await attempt(engine, 'public_info')
    expect(anonymous.ok && anonymous.result.props.who).toBe('anonymous')
    const broken = await attempt(engine, 'public_info', bearer('garbage'))
    expect(broken.ok && broken.result.props.who).toBe('anonymous')
    const signedIn = await attempt(engine, 'public_info', await as({ sub: 'ada' }))
    expect(signedIn.ok && signedIn.result.props.who).toBe('ada')
  })

  it("defaultAccess: 'public' opens intents that declare nothing, and only those", async () => {
    const engine = await authEngine({ defaultAccess: 'public' })
    expect((await attempt(engine, 'order_status')).ok).toBe(true)
    expect((await refusal(engine, 'moderate_post')).code).toBe('UNAUTHORIZED')
    expect((await refusal(engine, 'admin_dashboard')).code).toBe('UNAUTHORIZED')
  })

  it('a ctx.user set by the caller is never trusted', async () => {
    const engine = await authEngine()
    const forged = { user: { id: 'root', roles: ['admin'], permissions: ['*'], method: 'jwt' as const } }
    expect((await refusal(engine, 'admin_dashboard', forged)).code).toBe('UNAUTHORIZED')
    const publicRender = await attempt(engine, 'public_info', forged)
    expect(publicRender.ok && publicRender.result.props.who).toBe('anonymous')
  })
})

describe('authorize predicate', () => {
  it('runs after roles and permissions with ctx.user set, and refuses with 403', async () => {
    const calls: string[] = []
    const engine = await authEngine({
      authorize: (ctx, intent) => {
        calls.push(`${ctx.user?.id}:${intent.name}`)
        return ctx.user?.id !== 'suspended' && ctx.tenant === 'acme'
      },
    })
    const ok = { ...(await as({ sub: 'ada' })), tenant: 'acme' }
    expect((await attempt(engine, 'order_status', ok)).ok).toBe(true)
    const wrongTenant = { ...(await as({ sub: 'ada' })), tenant: 'other' }
    expect(await refusal(engine, 'order_status', wrongTenant)).toMatchObject({
      code: 'FORBIDDEN',
      message: "Not allowed to use intent 'order_status'",
    })
    expect(
      (await refusal(engine, 'order_status', { ...(await as({ sub: 'suspended' })), tenant: 'acme' })).code,
    ).toBe('FORBIDDEN')
    await refusal(engine, 'moderate_post', ok)
    await attempt(engine, 'public_info', ok)
    expect(calls).toEqual(['ada:order_status', 'ada:order_status', 'suspended:order_status'])
  })

  it('an IxpError thrown by the predicate reaches the caller', async () => {
    const engine = await authEngine({
      authorize: () => {
        throw new IxpError('FORBIDDEN', 'Account locked')
      },
    })
    expect(await refusal(engine, 'order_status', await as({}))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Account locked',
    })
  })
})

describe('second factor (mfa)', () => {
  it('admits a token whose amr shows a recent second factor', async () => {
    const engine = await authEngine()
    const recent = await as({ roles: ['user'], amr: ['pwd', 'otp'], mfa_time: now() - 60 })
    const outcome = await attempt(engine, 'transfer_funds', recent)
    expect(outcome.ok).toBe(true)
  })

  it('asks for a step-up (401 MFA_REQUIRED, RFC 9470 challenge) without a second factor or when it is stale', async () => {
    const engine = await authEngine()
    for (const claims of [
      { roles: ['user'] },
      { roles: ['user'], amr: ['pwd'], mfa_time: now() },
      { roles: ['user'], amr: ['otp'], mfa_time: now() - 3600 },
      { roles: ['user'], amr: ['otp'], mfa_time: now() + 3600 },
    ]) {
      const error = await refusal(engine, 'transfer_funds', await as(claims))
      expect(error).toMatchObject({ code: 'MFA_REQUIRED', status: 401, details: { maxAgeSeconds: 900 } })
      expect(error.headers?.['WWW-Authenticate']).toMatch(
        /error="insufficient_user_authentication".*max_age=900$/,
      )
    }
  })

  it('checks roles before asking for a second factor', async () => {
    const engine = await authEngine()
    expect((await refusal(engine, 'transfer_funds', await as({ roles: ['guest'] }))).code).toBe('FORBIDDEN')
  })

  it('falls back to auth_time, then iat, and honours per-intent maxAgeSeconds and custom claim names', async () => {
    const engine = await authEngine({
      mfa: { amrValues: ['hwk'], timeClaim: 'step_up_at', maxAgeSeconds: 60 },
    })
    engine.registerIntent({
      name: 'close_account',
      description: 'Close the account',
      component: 'InfoCard',
      parameters: { type: 'object' },
      auth: { mfa: { maxAgeSeconds: 5 } },
    })
    expect(
      (
        await attempt(
          engine,
          'transfer_funds',
          await as({ roles: ['user'], amr: ['hwk'], step_up_at: now() - 30 }),
        )
      ).ok,
    ).toBe(true)
    expect(
      (
        await attempt(
          engine,
          'transfer_funds',
          await as({ roles: ['user'], amr: ['hwk'], auth_time: now() - 30 }),
        )
      ).ok,
    ).toBe(true)
    expect(
      await attempt(engine, 'transfer_funds', await as({ roles: ['user'], amr: ['hwk'] })),
    ).toMatchObject({ ok: true })
    expect((await refusal(engine, 'transfer_funds', await as({ roles: ['user'], amr: ['otp'] }))).code).toBe(
      'MFA_REQUIRED',
    )
    const stale = await refusal(engine, 'close_account', await as({ amr: ['hwk'], step_up_at: now() - 30 }))
    expect(stale).toMatchObject({ code: 'MFA_REQUIRED', details: { maxAgeSeconds: 5 } })
  })
})

describe('custom authenticate hook', () => {
  it('authenticates what the built-in methods do not, e.g. a session cookie', async () => {
    const sessions = new Map([
      ['s3cr3t', { id: 'carol', roles: ['moderator'], mfa: { verifiedAt: Date.now() } }],
    ])
    const engine = await authEngine({
      authenticate: (ctx) => {
        const cookie = /(?:^|;\s*)sid=([^;]+)/.exec(ctx.headers?.cookie ?? '')
        return cookie ? sessions.get(cookie[1]!) : undefined
      },
    })
    const outcome = await attempt(engine, 'moderate_post', { headers: { cookie: 'theme=dark; sid=s3cr3t' } })
    expect(outcome.ok && outcome.result.props).toMatchObject({ who: 'carol', method: 'custom' })
    expect((await attempt(engine, 'transfer_funds', { headers: { cookie: 'sid=s3cr3t' } })).ok).toBe(true)
    expect((await refusal(engine, 'moderate_post', { headers: { cookie: 'sid=unknown' } })).code).toBe(
      'UNAUTHORIZED',
    )
    // Bearer tokens still go to the JWT verifier, never to the hook.
    expect(
      (
        await refusal(engine, 'moderate_post', {
          headers: { authorization: 'Bearer x.y.z', cookie: 'sid=s3cr3t' },
        })
      ).code,
    ).toBe('UNAUTHORIZED')
  })

  it('receives non-Bearer schemes, and its IxpErrors reach the caller', async () => {
    const engine = await authEngine({
      authenticate: (ctx) => {
        const header = ctx.headers?.authorization ?? ''
        if (header.startsWith('Basic ')) throw new IxpError('UNAUTHORIZED', 'Basic credentials are disabled')
        return undefined
      },
    })
    expect(await refusal(engine, 'order_status', { headers: { authorization: 'Basic YTpi' } })).toMatchObject(
      {
        code: 'UNAUTHORIZED',
        message: 'Basic credentials are disabled',
      },
    )
  })

  it('a hook that returns nonsense fails closed with an internal error', async () => {
    const engine = await authEngine({ jwt: undefined, authenticate: () => ({ id: 42 }) as never })
    expect(await refusal(engine, 'order_status')).toMatchObject({ code: 'INTERNAL_ERROR', expose: false })
  })
})

describe('memoisation', () => {
  it('verifies a request once, also across the nested renders it starts with its context', async () => {
    let verified = 0
    const engine = await authEngine({
      jwt: undefined,
      apiKeys: {
        lookup: (hash) => {
          verified++
          return hash ? { id: 'svc', roles: ['moderator'] } : undefined
        },
      },
    })
    engine.registerIntent({
      name: 'workflow',
      description: 'Runs two steps',
      component: 'InfoCard',
      parameters: { type: 'object' },
      handler: async (_, ctx) => {
        const step = await ctx.engine!.render({ intent: { name: 'moderate_post', parameters: {} } }, ctx)
        const again = await ctx.engine!.render({ intent: { name: 'order_status', parameters: {} } }, ctx)
        return { steps: [step.props.who, again.props.who] }
      },
    })
    const ctx = { headers: { 'x-api-key': 'ixp_live_some_database_key' } }
    const result = await engine.render({ intent: { name: 'workflow', parameters: {} } }, ctx)
    expect(result.props.steps).toEqual(['svc', 'svc'])
    expect(verified).toBe(1)
    // A different key on the same headers object is verified again, not served from memory.
    ctx.headers['x-api-key'] = 'ixp_live_another_database_k'
    await engine.render({ intent: { name: 'order_status', parameters: {} } }, ctx)
    expect(verified).toBe(2)
  })

  it('does not reuse a principal past its token expiry', async () => {
    const engine = await authEngine({ jwt: { secret: SECRET, clockToleranceSeconds: 0 } })
    const ctx = bearer(await hsToken({ sub: 'ada', exp: now() + 30 }))
    expect((await attempt(engine, 'order_status', ctx)).ok).toBe(true)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 })
    try {
      expect((await refusal(engine, 'order_status', ctx)).message).toContain('expired')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('intent definitions', () => {
  it('refuses malformed auth declarations at registration with INVALID_DEFINITION', async () => {
    const engine = await authEngine()
    const register = (auth: unknown) => () =>
      engine.registerIntent({
        name: `x${Math.random()}`,
        description: 'x',
        component: 'InfoCard',
        parameters: { type: 'object' },
        auth: auth as never,
      })
    expect(register({ roles: 'admin' })).toThrow(/auth.roles must be an array of non-empty strings/)
    expect(register({ public: true, roles: ['admin'] })).toThrow(/cannot be combined/)
    expect(register({ mfa: { maxAgeSeconds: -1 } })).toThrow(/auth.mfa/)
    expect(register({ permision: ['x'] })).toThrow(/auth.permision is not a known field/)
    expect(register('admin')).toThrow(/auth must be an object/)
    try {
      register({ roles: [1] })()
    } catch (error) {
      expect(error).toMatchObject({
        code: 'INVALID_DEFINITION',
        details: { issues: [{ path: 'auth.roles' }] },
      })
    }
  })

  it('refuses malformed declarations of intents registered before the plugin, when the engine starts', async () => {
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({ name: 'C', render: () => null })
    engine.registerIntent({
      name: 'early',
      description: 'x',
      component: 'C',
      parameters: { type: 'object' },
      auth: { roles: 'admin' } as never,
    })
    engine.use(auth({ jwt: { secret: SECRET } }))
    await expect(engine.ready()).rejects.toMatchObject({
      message: expect.stringContaining("Invalid intent 'early'"),
    })
  })

  it('warns about intentPermissions naming intents that do not exist', async () => {
    const warnings: string[] = []
    const engine = createEngine({
      logger: { ...silentLogger, warn: (message: string) => warnings.push(message) },
    })
    engine.use(auth({ jwt: { secret: SECRET }, intentPermissions: { typo_intent: ['a:b'] } }))
    await engine.ready()
    expect(warnings).toEqual([
      "@ixp/plugin-auth: intentPermissions names 'typo_intent', which is not registered",
    ])
  })
})

describe('public intents without credentials', () => {
  const render = (engine: Awaited<ReturnType<typeof authEngine>>, ctx: IxpContext) =>
    engine.render({ intent: { name: 'public_info', parameters: {} } }, ctx)

  it('admit the caller as anonymous, even when the context claims a user it never proved', async () => {
    const engine = await authEngine()
    const forged = { headers: {}, user: { id: 'root', roles: ['admin'] } } as unknown as IxpContext
    expect((await render(engine, forged)).props).toMatchObject({ who: 'anonymous', method: null })
    expect((await render(engine, {})).props).toMatchObject({ who: 'anonymous' })
  })

  it('still identify a caller who does send valid credentials', async () => {
    const engine = await authEngine()
    expect((await render(engine, await as({ roles: ['user'] }))).props).toMatchObject({
      who: 'someone',
      method: 'jwt',
    })
  })
})

describe('admission without waiting', () => {
  it('admits a public intent asked without credentials synchronously (renderNow gives the result itself)', async () => {
    const engine = await authEngine()
    const result = engine.renderNow({ intent: { name: 'public_info', parameters: {} } }, { headers: {} })
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toMatchObject({ tree: { props: { viewer: null } } })
  })

  it('waits for the credentials a public intent was asked with, and still identifies the caller', async () => {
    const engine = await authEngine()
    const token = await hsToken({ sub: 'ada', roles: ['user'] })
    const pending = engine.renderNow({ intent: { name: 'public_info', parameters: {} } }, bearer(token))
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).resolves.toMatchObject({ tree: { props: { viewer: 'ada' } } })
  })

  it('refuses a protected intent without credentials (through the same maybe-synchronous tap)', async () => {
    const engine = await authEngine()
    await expect(
      engine.renderNow({ intent: { name: 'order_status', parameters: {} } }, {}),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    })
  })
})
