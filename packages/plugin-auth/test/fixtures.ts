import { createEngine, silentLogger, type Engine, type IxpContext, type IxpError } from '@ixp/core'
import { SignJWT, type JWTPayload } from 'jose'
import { auth, type AuthOptions } from '../src/index.js'

export const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!'
export const secretBytes = new TextEncoder().encode(SECRET)

/** Signs an HS256 token with {@link SECRET}; `exp` one hour ahead unless the claims say otherwise. */
export async function hsToken(
  claims: JWTPayload & Record<string, unknown>,
  secret: Uint8Array = secretBytes,
) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ iat: now, exp: now + 3600, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(secret)
}

export const bearer = (token: string): IxpContext => ({ headers: { authorization: `Bearer ${token}` } })

const echo = (_: unknown, ctx: IxpContext) => ({
  who: ctx.user?.id ?? 'anonymous',
  method: ctx.user?.method ?? null,
})

/**
 * An engine with the auth plugin and intents covering every kind of requirement:
 * public, default (authenticated), a role, a permission (from the plugin's map), a second factor.
 */
export async function authEngine(options: Partial<AuthOptions> = {}): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger })
  for (const name of ['InfoCard', 'OrderCard', 'AdminPanel', 'ModerationQueue', 'TransferForm', 'Footer']) {
    engine.registerComponent({
      name,
      render: (props, ctx) => ({
        type: 'card',
        props: { viewer: ctx.user?.id ?? null },
        children: [String(props.who)],
      }),
    })
  }
  const parameters = { type: 'object', properties: {} }
  engine.registerIntent({
    name: 'public_info',
    description: 'Opening hours',
    component: 'InfoCard',
    parameters,
    auth: { public: true },
    handler: echo,
  })
  engine.registerIntent({
    name: 'order_status',
    description: 'An order',
    component: 'OrderCard',
    parameters,
    handler: echo,
  })
  engine.registerIntent({
    name: 'admin_dashboard',
    description: 'Admin',
    component: 'AdminPanel',
    parameters,
    handler: echo,
  })
  engine.registerIntent({
    name: 'moderate_post',
    description: 'Moderation',
    component: 'ModerationQueue',
    parameters,
    auth: { roles: ['moderator'] },
    handler: echo,
  })
  engine.registerIntent({
    name: 'transfer_funds',
    description: 'Money transfer',
    component: 'TransferForm',
    parameters,
    auth: { roles: ['user'], mfa: true },
    handler: echo,
  })
  engine.use(
    auth({
      jwt: { secret: SECRET },
      roles: { admin: ['moderator'], moderator: ['user'] },
      intentPermissions: { admin_dashboard: ['admin:read'] },
      ...options,
    }),
  )
  await engine.ready()
  return engine
}

/** Renders an intent and returns the result, or the IxpError it failed with. */
export async function attempt(engine: Engine, intent: string, ctx: IxpContext = {}) {
  try {
    return {
      ok: true as const,
      result: await engine.render({ intent: { name: intent, parameters: {} } }, ctx),
    }
  } catch (error) {
    return { ok: false as const, error: error as IxpError }
  }
}

/** Renders an intent, expecting it to fail, and returns the error. */
export async function refusal(engine: Engine, intent: string, ctx: IxpContext = {}): Promise<IxpError> {
  const outcome = await attempt(engine, intent, ctx)
  if (outcome.ok) throw new Error(`expected '${intent}' to be refused, but it rendered`)
  return outcome.error
}

export async function names(list: Promise<{ name: string }[]>): Promise<string[]> {
  return (await list).map((item) => item.name).sort()
}
