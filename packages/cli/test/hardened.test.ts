/**
 * The hardening "done when": `ixp serve --config` with auth, a 5/min rate limit, a cache, one trusted proxy hop,
 * a rejecting event listener and a TTL-dropping tap. Every answer is valid JSON, the server stays up, the limit
 * counts the address the trusted proxy saw (not the client-chosen left of X-Forwarded-For), and a JWT whose
 * subject equals the API key's id never gets the key's cached answer.
 */
import { createHmac } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, JWT_SECRET } from './fixtures/hardened.config.js'
import { killAll, startServe, type Served } from './helpers.js'

afterAll(killAll)

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

function hs256(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000)
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = base64url(JSON.stringify({ iat: now, exp: now + 600, ...claims }))
  const signature = createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${signature}`
}

interface Answer {
  status: number
  cache: string | null
  body: Record<string, any>
}

let server: Served

/** POST /render whoami; the body must be valid JSON whatever happened. */
async function whoami(headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${server.url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ intent: { name: 'whoami', parameters: {} } }),
  })
  const text = await response.text()
  let body: Record<string, any>
  try {
    body = JSON.parse(text) as Record<string, any>
  } catch {
    throw new Error(`status ${response.status}: not JSON: ${text}`)
  }
  return { status: response.status, cache: response.headers.get('x-ixp-cache'), body }
}

beforeAll(async () => {
  server = await startServe(['--config', 'hardened.config.ts'])
}, 30_000)

describe('ixp serve under the hardening scenario', () => {
  it('admits 5 of 10 rotating X-Forwarded-For requests from one client; another client keeps its own budget', async () => {
    const admin = { 'x-api-key': ADMIN_KEY }
    const first: Answer[] = []
    for (let i = 0; i < 10; i++) {
      first.push(await whoami({ ...admin, 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7` }))
    }
    expect(first.filter((answer) => answer.status === 200)).toHaveLength(5)
    expect(first.filter((answer) => answer.status === 429)).toHaveLength(5)
    for (const answer of first.filter((a) => a.status === 200)) {
      // The dropped TTL went out as 0, and the body is the admin's own answer.
      expect(answer.body.ttl).toBe(0)
      expect(answer.body.tree.children[0]).toBe('admin-key: admin,user')
    }
    // Every refusal is the rate limit's own JSON error (the config's plugins share the server's one core).
    for (const answer of first.filter((a) => a.status !== 200))
      expect(answer.body.error.code).toBe('RATE_LIMITED')

    const other: Answer[] = []
    for (let i = 0; i < 6; i++) {
      other.push(await whoami({ ...admin, 'x-forwarded-for': `192.0.2.${i}, 198.51.100.8` }))
    }
    expect(other.map((answer) => answer.status === 200)).toEqual([true, true, true, true, true, false])
  })

  // The cache's user scope is keyed on the principal's kind and id, not the id alone.
  it("a JWT whose sub is the API key's id never gets the key's cached answer", async () => {
    const viaKey = await whoami({ 'x-api-key': ADMIN_KEY, 'x-forwarded-for': '198.51.100.9' })
    const again = await whoami({ 'x-api-key': ADMIN_KEY, 'x-forwarded-for': '198.51.100.9' })
    expect([viaKey.status, again.status]).toEqual([200, 200])
    expect(again.cache).toBe('hit')
    const token = hs256({ sub: 'admin-key', roles: ['user'] })
    const viaJwt = await whoami({ authorization: `Bearer ${token}`, 'x-forwarded-for': '198.51.100.10' })
    expect(viaJwt.status).toBe(200)
    expect(viaJwt.cache).not.toBe('hit')
    expect(viaJwt.body.tree.children[0]).toBe('admin-key: user')
  })

  it('answers malformed requests with the JSON error body, and the server is still up', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const url = new URL(server.url)
      const socket = connect(Number(url.port), url.hostname)
      let text = ''
      socket.on('data', (chunk) => (text += chunk.toString()))
      socket.on('error', reject)
      socket.on('close', () => resolve(text))
      socket.end('GET /ixp/health HTTP/1.1\r\nHost: t\r\nBroken header line\r\n\r\n')
    })
    const [head = '', body = ''] = raw.split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.1 400/)
    expect((JSON.parse(body) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST')

    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
    expect(server.child.exitCode).toBeNull()
    // The rejecting listener was logged with its event name, and never took the process down.
    expect(server.output().stderr).toContain('an engine event listener failed')
    expect(server.output().stderr).toContain('intent:after')
  })
})
