import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auth } from '../src/index.js'
import { attempt, authEngine, bearer, refusal } from './fixtures.js'

/** A real key-set server on 127.0.0.1 whose keys, status and delay the tests change. */
interface KeySetServer {
  url: string
  fetches: number
  keys: JWK[]
  status: number
  delayMs: number
}

let server: Server
const jwks: KeySetServer = { url: '', fetches: 0, keys: [], status: 200, delayMs: 0 }
const signers = new Map<string, CryptoKey>()

async function addKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<JWK> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  signers.set(kid, privateKey)
  return { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
}

async function token(kid: string, alg: 'RS256' | 'ES256' = 'RS256', claims: Record<string, unknown> = {}) {
  return new SignJWT({ sub: `user-of-${kid}`, ...claims })
    .setProtectedHeader({ alg, kid })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signers.get(kid)!)
}

beforeAll(async () => {
  server = createServer((request, response) => {
    jwks.fetches++
    setTimeout(() => {
      response.writeHead(jwks.status, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ keys: jwks.keys }))
    }, jwks.delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  jwks.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

function reset(keys: JWK[]) {
  Object.assign(jwks, { fetches: 0, keys, status: 200, delayMs: 0 })
}

describe('remote key set (jwksUrl)', () => {
  it('verifies tokens with keys fetched from the key set, fetching once for many requests', async () => {
    reset([await addKey('k1')])
    const engine = await authEngine({ jwt: { jwksUrl: jwks.url } })
    for (let i = 0; i < 3; i++) {
      const outcome = await attempt(engine, 'order_status', bearer(await token('k1')))
      expect(outcome.ok && outcome.result.props.who).toBe('user-of-k1')
    }
    expect(jwks.fetches).toBe(1)
  })

  it('picks up a rotated key once the cooldown has passed, and not before', async () => {
    reset([await addKey('r1')])
    const patient = await authEngine({ jwt: { jwksUrl: jwks.url, jwks: { cooldownMs: 60_000 } } })
    const eager = await authEngine({ jwt: { jwksUrl: jwks.url, jwks: { cooldownMs: 0 } } })
    expect((await attempt(patient, 'order_status', bearer(await token('r1')))).ok).toBe(true)
    expect((await attempt(eager, 'order_status', bearer(await token('r1')))).ok).toBe(true)
    expect(jwks.fetches).toBe(2)

    jwks.keys = [...jwks.keys, await addKey('r2')]
    const rotated = await token('r2')
    const refused = await refusal(patient, 'order_status', bearer(rotated))
    expect(refused).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('no single signing key matches'),
    })
    expect(jwks.fetches).toBe(2)
    expect((await attempt(eager, 'order_status', bearer(rotated))).ok).toBe(true)
    expect(jwks.fetches).toBe(3)
  })

  it('only accepts the allowed algorithms of the set', async () => {
    reset([await addKey('e1', 'ES256'), await addKey('r3')])
    const engine = await authEngine({ jwt: { jwksUrl: jwks.url, algorithms: ['ES256'] } })
    expect((await attempt(engine, 'order_status', bearer(await token('e1', 'ES256')))).ok).toBe(true)
    const rsa = await refusal(engine, 'order_status', bearer(await token('r3')))
    expect(rsa.message).toBe('Invalid token: its algorithm is not accepted')
  })

  it('answers 503 AUTH_UNAVAILABLE when the key set times out or fails, not 401', async () => {
    reset([await addKey('t1')])
    jwks.delayMs = 1_000
    const slow = await authEngine({ jwt: { jwksUrl: jwks.url, jwks: { timeoutMs: 100 } } })
    const timedOut = await refusal(slow, 'order_status', bearer(await token('t1')))
    expect(timedOut).toMatchObject({ code: 'AUTH_UNAVAILABLE', status: 503 })
    expect(timedOut.headers).toEqual({ 'Retry-After': '5' })

    jwks.delayMs = 0
    jwks.status = 500
    const broken = await authEngine({ jwt: { jwksUrl: jwks.url } })
    expect(await refusal(broken, 'order_status', bearer(await token('t1')))).toMatchObject({
      code: 'AUTH_UNAVAILABLE',
    })

    // The failure is not remembered: the same engine verifies again once the key set answers.
    jwks.status = 200
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await attempt(broken, 'order_status', bearer(await token('t1')))).ok).toBe(true)
  })

  it('still serves public intents anonymously while the key set is down', async () => {
    reset([await addKey('p1')])
    jwks.status = 503
    const engine = await authEngine({ jwt: { jwksUrl: jwks.url } })
    const outcome = await attempt(engine, 'public_info', bearer(await token('p1')))
    expect(outcome.ok && outcome.result.props.who).toBe('anonymous')
  })

  it('refuses plain-http key sets on other hosts, and URLs that are not URLs', () => {
    expect(() => auth({ jwt: { jwksUrl: 'http://id.example.com/jwks.json' } })).toThrow(/must use https/)
    expect(() => auth({ jwt: { jwksUrl: 'not a url' } })).toThrow(/not a URL/)
    expect(() =>
      auth({ jwt: { jwksUrl: 'https://id.example.com/jwks.json', algorithms: ['HS256'] } }),
    ).toThrow(/a key set/)
  })
})
