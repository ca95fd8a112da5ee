/**
 * Listing documents (`/intents`, `/components`, `/openapi.json`) carry a weak ETag per registry version and
 * caller visibility: a client with the current copy gets `304 Not Modified`, a registry change or another
 * visibility gets a new tag.
 */
import { Stage, type IntentDefinition } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { createHttpHandler } from '@ixp/plugin-http'
import { createTestEngine } from './engine.js'

function get(
  handler: ReturnType<typeof createHttpHandler>,
  path: string,
  headers: Record<string, string> = {},
) {
  return handler.fetch(new Request(`http://ixp.test${path}`, { headers }))
}

describe('listing ETags', () => {
  it.each(['/ixp/intents', '/ixp/components', '/ixp/openapi.json'])(
    '%s answers 304 to its own tag and 200 with a new tag after a registry change',
    async (path) => {
      const engine = createTestEngine()
      const handler = createHttpHandler(engine, { openapi: { title: 'Test', version: '1.0.0' } })
      const first = await get(handler, path)
      expect(first.status).toBe(200)
      const tag = first.headers.get('etag')!
      expect(tag).toMatch(/^W\/".+"$/)
      expect(first.headers.get('cache-control')).toBeNull()

      const again = await get(handler, path, { 'if-none-match': tag })
      expect(again.status).toBe(304)
      expect(await again.text()).toBe('')
      expect(again.headers.get('etag')).toBe(tag)
      // The strong form and a list of tags match as well (weak comparison).
      expect((await get(handler, path, { 'if-none-match': `"x", ${tag.slice(2)}` })).status).toBe(304)
      expect((await get(handler, path, { 'if-none-match': 'W/"other"' })).status).toBe(200)

      engine.registerComponent({ name: 'Late', render: () => null })
      engine.registerIntent({
        name: 'late_intent',
        description: 'Registered later',
        component: 'Late',
        parameters: { type: 'object', properties: {} },
      })
      const changed = await get(handler, path, { 'if-none-match': tag })
      expect(changed.status).toBe(200)
      expect(changed.headers.get('etag')).not.toBe(tag)
      expect(await changed.text()).toContain(path.endsWith('components') ? 'Late' : 'late_intent')
    },
  )

  it('gives each visibility its own tag and document when a discovery filter is installed', async () => {
    const engine = createTestEngine()
    engine.hooks.discoverIntents.tapPromise({ name: 'test:auth', stage: Stage.AUTH }, async (intents, ctx) =>
      ctx.headers?.authorization ? intents : intents.filter((i: IntentDefinition) => i.name !== 'greet'),
    )
    const handler = createHttpHandler(engine)
    const anonymous = await get(handler, '/ixp/intents')
    const signedIn = await get(handler, '/ixp/intents', { authorization: 'Bearer x' })
    const anonymousTag = anonymous.headers.get('etag')!
    const signedInTag = signedIn.headers.get('etag')!
    expect(anonymousTag).not.toBe(signedInTag)
    expect(await anonymous.text()).not.toContain('"greet"')
    expect(await signedIn.text()).toContain('"greet"')
    // A tag is only good for the visibility it was made for.
    expect((await get(handler, '/ixp/intents', { 'if-none-match': anonymousTag })).status).toBe(304)
    const other = await get(handler, '/ixp/intents', {
      authorization: 'Bearer x',
      'if-none-match': anonymousTag,
    })
    expect(other.status).toBe(200)
    expect(await other.text()).toContain('"greet"')
  })
})
