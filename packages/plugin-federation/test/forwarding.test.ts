/**
 * What reaches each service: credentials only where configured; and the gateway's own plugins (auth discovery
 * filtering, cache for queries only, rate limits) applied to remote intents as to local ones.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { auth } from '@ixp/plugin-auth'
import { cache } from '@ixp/plugin-cache'
import { rateLimit } from '@ixp/plugin-rate-limit'
import { serviceIntent, startGateway, startService, type TestService } from './helpers.js'

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)!.call(item)
})

async function twoServices(): Promise<[TestService, TestService]> {
  const trusted = await startService('trusted', [serviceIntent('trusted', 'account', 'AccountCard')])
  const other = await startService('other', [serviceIntent('other', 'weather', 'WeatherCard')])
  open.push(trusted, other)
  return [trusted, other]
}

describe('forwarded headers', () => {
  it('forwards credentials only to services configured to receive them', async () => {
    const [trusted, other] = await twoServices()
    const gateway = await startGateway({
      services: [
        { name: 'trusted', url: trusted.url, forwardCredentials: true },
        { name: 'other', url: other.url, headers: { 'x-gateway': 'g1' } },
      ],
      forwardHeaders: ['accept-language', 'x-tenant', 'authorization'],
      refreshMs: 0,
    })
    open.push(gateway)
    const caller = {
      authorization: 'Bearer secret-token',
      cookie: 'session=abc',
      'x-api-key': 'key-123',
      'x-tenant': 'acme',
      'accept-language': 'fr',
      'x-unlisted': 'no',
    }
    expect((await gateway.render('account', {}, caller)).status).toBe(200)
    expect((await gateway.render('weather', {}, caller)).status).toBe(200)
    const toTrusted = trusted.seen.at(-1)!.headers
    expect(toTrusted).toMatchObject({
      authorization: 'Bearer secret-token',
      cookie: 'session=abc',
      'x-api-key': 'key-123',
      'x-tenant': 'acme',
      'accept-language': 'fr',
    })
    expect(toTrusted['x-unlisted']).toBeUndefined()
    const toOther = other.seen.at(-1)!.headers
    // `authorization` in forwardHeaders is still a credential: not sent where credentials are not allowed.
    expect(toOther.authorization).toBeUndefined()
    expect(toOther.cookie).toBeUndefined()
    expect(toOther['x-api-key']).toBeUndefined()
    expect(toOther).toMatchObject({ 'x-tenant': 'acme', 'accept-language': 'fr', 'x-gateway': 'g1' })
  })
})

describe("the gateway's plugins on remote intents", () => {
  it('caches queries, never commands', async () => {
    const service = await startService('orders', [
      serviceIntent('orders', 'order_status', 'OrderCard'),
      serviceIntent('orders', 'cancel_order', 'OrderCard', { kind: 'command' }),
    ])
    open.push(service)
    const gateway = await startGateway(
      { services: [{ name: 'orders', url: service.url }], refreshMs: 0 },
      { plugins: [cache({ ttl: 60 })] },
    )
    open.push(gateway)
    const first = await gateway.render('order_status', { id: 'A' })
    const second = await gateway.render('order_status', { id: 'A' })
    expect(first.headers.get('x-ixp-cache')).toBe('miss')
    expect(second.headers.get('x-ixp-cache')).toBe('hit')
    expect(await second.json()).toEqual(await first.json())
    expect(service.calls.get('order_status')).toBe(1)
    await gateway.render('cancel_order', { id: 'A' })
    await gateway.render('cancel_order', { id: 'A' })
    expect(service.calls.get('cancel_order')).toBe(2)
  })

  it("tags answers with the service's cacheTags and applies a remote command's invalidates", async () => {
    const service = await startService('orders', [
      serviceIntent('orders', 'order_status', 'OrderCard', { cacheTags: ['orders'] }),
      serviceIntent('orders', 'cancel_order', 'OrderCard', { kind: 'command', invalidates: ['orders'] }),
    ])
    open.push(service)
    const gateway = await startGateway({ services: [{ name: 'orders', url: service.url }], refreshMs: 0 })
    open.push(gateway)
    const seen: unknown[] = []
    gateway.engine.events.on('invalidate', (invalidation) => seen.push(invalidation))
    const query = await gateway.engine.render({ intent: { name: 'order_status', parameters: { id: 'A' } } })
    expect(query.tags).toEqual(['orders'])
    expect(seen).toEqual([])
    await gateway.engine.render({ intent: { name: 'cancel_order', parameters: { id: 'A' } } })
    expect(seen).toEqual([{ tags: ['orders'], intents: [], remote: false }])
    // A command the service refused changes nothing: nothing to invalidate.
    service.failWith('cancel_order', 409)
    await expect(
      gateway.engine.render({ intent: { name: 'cancel_order', parameters: { id: 'B' } } }),
    ).rejects.toThrow()
    expect(seen).toHaveLength(1)
  })

  it('filters discovery and refuses renders by the gateway auth rules, and rate-limits', async () => {
    const service = await startService('hr', [
      serviceIntent('hr', 'salary', 'SalaryCard', { auth: { roles: ['hr'] } }),
      serviceIntent('hr', 'holidays', 'HolidayCard', { auth: { public: true } }),
    ])
    open.push(service)
    const gateway = await startGateway(
      { services: [{ name: 'hr', url: service.url }], refreshMs: 0 },
      {
        plugins: [
          auth({ apiKeys: { keys: [{ id: 'hr-user', key: 'hr-key-0123456789abcdef', roles: ['hr'] }] } }),
          rateLimit({ limit: 2, windowMs: 60_000 }),
        ],
      },
    )
    open.push(gateway)
    const anonymous = (await (await gateway.fetch('/intents')).json()) as { intents: { name: string }[] }
    expect(anonymous.intents.map((intent) => intent.name)).toEqual(['holidays'])
    const withKey = (await (
      await gateway.fetch('/intents', { headers: { 'x-api-key': 'hr-key-0123456789abcdef' } })
    ).json()) as { intents: { name: string }[] }
    expect(withKey.intents.map((intent) => intent.name).sort()).toEqual(['holidays', 'salary'])
    expect((await gateway.render('salary', {})).status).toBe(401)
    expect(service.calls.get('salary') ?? 0).toBe(0)
    expect((await gateway.render('holidays', {})).status).toBe(200)
    expect((await gateway.render('holidays', {})).status).toBe(200)
    const limited = await gateway.render('holidays', {})
    expect(limited.status).toBe(429)
    expect(service.calls.get('holidays')).toBe(2)
  })
})
