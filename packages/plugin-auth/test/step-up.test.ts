/** The step-up flow the README documents, end to end through a real engine. */
import { createEngine, IxpError, silentLogger, type IntentDefinition } from '@ixp/core'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { auth, createMemoryReplayStore, generateTotp, generateTotpSecret, verifyTotp } from '../src/index.js'
import { bearer, hsToken, refusal, SECRET, secretBytes } from './fixtures.js'

const totpSecrets = new Map<string, string>()
const replayStore = createMemoryReplayStore()
const jwtSecret = secretBytes

const verifySecondFactor: IntentDefinition<{ code: string }> = {
  name: 'verify_second_factor',
  description: 'Checks a one-time code and returns a token valid for sensitive intents for 10 minutes',
  component: 'StepUpResult',
  parameters: {
    type: 'object',
    properties: { code: { type: 'string', pattern: '^\\d{6}$' } },
    required: ['code'],
  },
  auth: {},
  ttl: 0,
  handler: async ({ code }, ctx) => {
    const user = ctx.user!
    const secret = totpSecrets.get(user.id)!
    const outcome = await verifyTotp(code, secret, { account: user.id, replayStore })
    if (!outcome.valid)
      throw new IxpError('MFA_INVALID', 'That code is not valid; enter the current code', { status: 401 })
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({
      roles: user.claims?.roles,
      permissions: user.claims?.permissions,
      amr: ['pwd', 'otp'],
      mfa_time: now,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(jwtSecret)
    return { token, expiresIn: 600 }
  },
}

describe('step-up to a second factor', () => {
  it('MFA_REQUIRED, then a verified code yields a token that unlocks the intent', async () => {
    const engine = createEngine({ logger: silentLogger, plugins: [auth({ jwt: { secret: SECRET } })] })
    engine.registerComponent({ name: 'StepUpResult', render: () => null })
    engine.registerComponent({ name: 'TransferForm', render: (_, ctx) => `transfer by ${ctx.user?.id}` })
    engine.registerIntent(verifySecondFactor)
    engine.registerIntent({
      name: 'transfer_funds',
      description: 'Moves money',
      component: 'TransferForm',
      parameters: { type: 'object' },
      auth: { roles: ['customer'], mfa: true },
    })
    totpSecrets.set('ada', generateTotpSecret())

    const session = bearer(await hsToken({ sub: 'ada', roles: ['customer'], amr: ['pwd'] }))
    const challenge = await refusal(engine, 'transfer_funds', session)
    expect(challenge).toMatchObject({ code: 'MFA_REQUIRED', status: 401 })

    const wrong = await engine
      .render({ intent: { name: 'verify_second_factor', parameters: { code: '000000' } } }, session)
      .catch((error: IxpError) => error)
    expect(wrong).toMatchObject({ code: 'MFA_INVALID' })

    const code = await generateTotp(totpSecrets.get('ada')!)
    const stepUp = await engine.render(
      { intent: { name: 'verify_second_factor', parameters: { code } } },
      session,
    )
    expect(stepUp.ttl).toBe(0)
    const stepped = bearer(String(stepUp.props.token))
    const result = await engine.render({ intent: { name: 'transfer_funds', parameters: {} } }, stepped)
    expect(result.tree).toBe('transfer by ada')

    // The same code cannot mint a second token.
    const replay = await engine
      .render({ intent: { name: 'verify_second_factor', parameters: { code } } }, session)
      .catch((error: IxpError) => error)
    expect(replay).toMatchObject({ code: 'MFA_INVALID' })
  })
})
