/** The plugin behind the real HTTP transport: status codes, challenges as headers, filtered listings. */
import { createHttpHandler } from '@ixp/plugin-http'
import { describe, expect, it } from 'vitest'
import { authEngine, hsToken } from './fixtures.js'

async function handler() {
  const engine = await authEngine()
  engine.registerIntent({
    name: 'store_hours',
    description: 'Opening hours',
    component: 'InfoCard',
    parameters: { type: 'object' },
    crawlable: true,
    auth: { public: true },
  })
  engine.registerIntent({
    name: 'staff_notes',
    description: 'Internal notes',
    component: 'OrderCard',
    parameters: { type: 'object' },
    crawlable: true,
    auth: { roles: ['moderator'] },
  })
  return createHttpHandler(engine)
}

const render = (name: string, headers: Record<string, string> = {}) =>
  new Request('http://ixp.test/ixp/render', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ intent: { name, parameters: {} } }),
  })

describe('over HTTP (plugin-http)', () => {
  it('answers 401 with WWW-Authenticate, 403 for a missing role, 200 when allowed', async () => {
    const { fetch } = await handler()
    const anonymous = await fetch(render('moderate_post'))
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="ixp"')
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } })

    const expired = await fetch(
      render('moderate_post', { authorization: `Bearer ${await hsToken({ sub: 'a', exp: 1 })}` }),
    )
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"')

    const user = { authorization: `Bearer ${await hsToken({ sub: 'ada', roles: ['user'] })}` }
    const forbidden = await fetch(render('moderate_post', user))
    expect(forbidden.status).toBe(403)
    expect(await forbidden.json()).toMatchObject({ error: { code: 'FORBIDDEN' } })

    const moderator = { authorization: `Bearer ${await hsToken({ sub: 'ada', roles: ['moderator'] })}` }
    const allowed = await fetch(render('moderate_post', moderator))
    expect(allowed.status).toBe(200)
    expect(await allowed.json()).toMatchObject({ tree: { props: { viewer: 'ada' } } })
  })

  it('lists intents per caller, crawler content public only, and health without credentials', async () => {
    const { fetch } = await handler()
    const listed = async (headers: Record<string, string> = {}) => {
      const response = await fetch(new Request('http://ixp.test/ixp/intents', { headers }))
      const body = (await response.json()) as { intents: { name: string }[] }
      return body.intents.map((intent) => intent.name).sort()
    }
    expect(await listed()).toEqual(['public_info', 'store_hours'])
    const moderator = { authorization: `Bearer ${await hsToken({ sub: 'ada', roles: ['moderator'] })}` }
    expect(await listed(moderator)).toContain('staff_notes')

    const crawler = await fetch(new Request('http://ixp.test/ixp/crawler_content', { headers: moderator }))
    const content = (await crawler.json()) as { contents: { id: string }[] }
    expect(content.contents.map((item) => item.id)).toEqual(['store_hours'])

    const health = await fetch(new Request('http://ixp.test/ixp/health'))
    expect(health.status).toBe(200)
  })
})
