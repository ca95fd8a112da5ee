/**
 * The plugin on runtimes without Node built-ins or code generation (workerd): JWT verification, API keys,
 * TOTP vectors, backup codes, and 401 / 403 / discovery through a real engine. Uses the core's
 * dependency-free harness, since vitest cannot run there.
 */
import { createEngine, silentLogger, type Engine, type IxpContext } from '@ixp/core'
import { base64url, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import {
  assert,
  describe,
  equal,
  matches,
  rejects,
  test,
  throws,
} from '../../../core/test/portable/harness.js'
import {
  auth,
  createBackupCodes,
  createMemoryReplayStore,
  generateTotp,
  generateTotpSecret,
  hashApiKey,
  totpUri,
  verifyBackupCode,
  verifyTotp,
  type AuthOptions,
  type TotpAlgorithm,
} from '../../src/index.js'

const SECRET = 'a-portable-secret-that-is-long-enough-for-hs256'
const secretBytes = new TextEncoder().encode(SECRET)
const API_KEY = 'ixp_edge_0123456789abcdef'
const now = () => Math.floor(Date.now() / 1000)

async function hsToken(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ exp: now() + 600, ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(secretBytes)
}

const bearer = (token: string): IxpContext => ({ headers: { authorization: `Bearer ${token}` } })

async function engineWith(options: AuthOptions): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger })
  engine.registerComponent({
    name: 'Card',
    render: (_, ctx) => ({ type: 'card', props: {}, children: [ctx.user?.id ?? 'anonymous'] }),
  })
  const parameters = { type: 'object' }
  engine.registerIntent({
    name: 'hours',
    description: 'Public',
    component: 'Card',
    parameters,
    auth: { public: true },
  })
  engine.registerIntent({ name: 'orders', description: 'Signed-in', component: 'Card', parameters })
  engine.registerIntent({
    name: 'admin',
    description: 'Admins',
    component: 'Card',
    parameters,
    auth: { roles: ['admin'] },
  })
  engine.registerIntent({
    name: 'pay',
    description: 'Step-up',
    component: 'Card',
    parameters,
    auth: { mfa: true },
  })
  engine.use(auth({ roles: { admin: ['user'] }, ...options }))
  await engine.ready()
  return engine
}

function render(engine: Engine, name: string, ctx: IxpContext = {}) {
  return engine.render({ intent: { name, parameters: {} } }, ctx)
}

describe('JWT', () => {
  test('a valid HS256 token renders with the principal on the context', async () => {
    const engine = await engineWith({ jwt: { secret: SECRET } })
    const result = await render(engine, 'orders', bearer(await hsToken({ sub: 'ada' })))
    equal(result.tree, { type: 'card', props: {}, children: ['ada'] })
  })

  test('expired, tampered and alg:none tokens get 401', async () => {
    const engine = await engineWith({ jwt: { secret: SECRET } })
    await rejects(render(engine, 'orders', bearer(await hsToken({ sub: 'ada', exp: now() - 60 }))), {
      fields: { code: 'UNAUTHORIZED', status: 401 },
      message: 'expired',
    })
    const [header, , signature] = (await hsToken({ sub: 'ada' })).split('.')
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value))
    const tampered = `${header}.${encode({ sub: 'root', roles: ['admin'], exp: now() + 600 })}.${signature}`
    await rejects(render(engine, 'admin', bearer(tampered)), { message: 'signature verification failed' })
    const unsigned = `${encode({ alg: 'none' })}.${encode({ sub: 'root', exp: now() + 600 })}.`
    await rejects(render(engine, 'orders', bearer(unsigned)), { fields: { code: 'UNAUTHORIZED' } })
  })

  test('RS256 with an SPKI key verifies, and HS/RS confusion is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
    const pem = await exportSPKI(publicKey)
    const engine = await engineWith({ jwt: { publicKey: pem } })
    const good = await new SignJWT({ sub: 'grace', exp: now() + 60 })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey)
    equal((await render(engine, 'orders', bearer(good))).tree, {
      type: 'card',
      props: {},
      children: ['grace'],
    })
    const confused = await new SignJWT({ sub: 'mallory', exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pem))
    await rejects(render(engine, 'orders', bearer(confused)), { message: 'algorithm is not accepted' })
    throws(() => auth({ jwt: { publicKey: pem, algorithms: ['HS256'] } }), {
      fields: { code: 'AUTH_INVALID_OPTIONS' },
    })
  })

  test('an oversized Authorization header gets 401 before any verification', async () => {
    const engine = await engineWith({ jwt: { secret: SECRET } })
    await rejects(render(engine, 'orders', { headers: { authorization: `Bearer ${'a'.repeat(9000)}` } }), {
      message: 'longer than 8192',
    })
  })
})

describe('API keys', () => {
  test('hashed and plain keys authenticate; unknown and expired keys get 401', async () => {
    equal(await hashApiKey('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    const engine = await engineWith({
      apiKeys: {
        keys: [
          { id: 'bot', hash: await hashApiKey(API_KEY), roles: ['admin'] },
          { id: 'old', key: 'ixp_edge_expired_000000', expiresAt: 0 },
        ],
      },
    })
    equal((await render(engine, 'admin', { headers: { 'x-api-key': API_KEY } })).tree, {
      type: 'card',
      props: {},
      children: ['bot'],
    })
    await rejects(render(engine, 'orders', { headers: { 'x-api-key': 'ixp_edge_unknown_00000' } }), {
      message: 'Invalid API key',
    })
    await rejects(render(engine, 'orders', { headers: { 'x-api-key': 'ixp_edge_expired_000000' } }), {
      message: 'expired',
    })
  })
})

describe('authorization through a real engine', () => {
  test('401 without credentials, 403 without the role, MFA_REQUIRED without a second factor', async () => {
    const engine = await engineWith({ jwt: { secret: SECRET } })
    const missing = await rejects(render(engine, 'orders'), { fields: { code: 'UNAUTHORIZED', status: 401 } })
    matches(missing, { headers: { 'WWW-Authenticate': 'Bearer realm="ixp"' } })
    await rejects(render(engine, 'admin', bearer(await hsToken({ sub: 'ada', roles: ['user'] }))), {
      fields: { code: 'FORBIDDEN', status: 403 },
    })
    await rejects(render(engine, 'pay', bearer(await hsToken({ sub: 'ada' }))), {
      fields: { code: 'MFA_REQUIRED' },
    })
    const stepped = bearer(await hsToken({ sub: 'ada', amr: ['otp'], mfa_time: now() }))
    equal((await render(engine, 'pay', stepped)).tree, { type: 'card', props: {}, children: ['ada'] })
    equal((await render(engine, 'hours')).tree, { type: 'card', props: {}, children: ['anonymous'] })
  })

  test('discovery shows each caller what it may use; crawlers see public intents', async () => {
    const engine = await engineWith({ jwt: { secret: SECRET } })
    const names = async (ctx: IxpContext, purpose: 'list' | 'crawler') =>
      (await engine.listIntents(ctx, purpose)).map((intent) => intent.name).sort()
    equal(await names({}, 'list'), ['hours'])
    equal(await names(bearer(await hsToken({ sub: 'ada', roles: ['admin'] })), 'list'), [
      'admin',
      'hours',
      'orders',
      'pay',
    ])
    equal(await names(bearer(await hsToken({ sub: 'ada', roles: ['admin'] })), 'crawler'), ['hours'])
    matches(await engine.resolve('admin', {}), { matched: false })
  })
})

describe('second factors', () => {
  const ascii = (text: string) => new TextEncoder().encode(text)
  const seeds: Record<TotpAlgorithm, Uint8Array> = {
    SHA1: ascii('12345678901234567890'),
    SHA256: ascii('12345678901234567890123456789012'),
    SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
  }
  const vectors: [number, string, TotpAlgorithm][] = [
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

  test('RFC 6238 Appendix B vectors', async () => {
    for (const [time, code, algorithm] of vectors) {
      equal(
        await generateTotp(seeds[algorithm], { algorithm, digits: 8, now: time * 1000 }),
        code,
        `T=${time} ${algorithm}`,
      )
    }
  })

  test('verification accepts a current code once and refuses its replay', async () => {
    const secret = generateTotpSecret()
    const store = createMemoryReplayStore()
    const code = await generateTotp(secret)
    matches(await verifyTotp(code, secret, { replayStore: store }), { valid: true, drift: 0 })
    equal(await verifyTotp(code, secret, { replayStore: store }), { valid: false, reason: 'replayed' })
    assert(
      totpUri({ secret, accountName: 'ada', issuer: 'IXP' }).startsWith('otpauth://totp/IXP:ada?secret='),
      'otpauth URI',
    )
  })

  test('backup codes are single use', async () => {
    const { codes, hashes } = await createBackupCodes({ count: 3 })
    const first = await verifyBackupCode(codes[1]!, hashes, { replayStore: createMemoryReplayStore() })
    matches(first, { valid: true, index: 1 })
    assert(first.valid && first.remaining.length === 2, 'the used code leaves the list')
    if (first.valid)
      matches(await verifyBackupCode(codes[1]!, first.remaining), { valid: false, reason: 'invalid' })
  })
})
