import type { ResolveOutcome } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { authEngine, bearer, hsToken, names } from './fixtures.js'

const as = async (claims: Record<string, unknown>) => bearer(await hsToken({ sub: 'someone', ...claims }))

describe('discovery filtering', () => {
  it('anonymous callers see public intents only', async () => {
    const engine = await authEngine()
    expect(await names(engine.listIntents({}, 'list'))).toEqual(['public_info'])
  })

  it('each caller sees what it may use; intents behind a step-up stay listed', async () => {
    const engine = await authEngine()
    expect(await names(engine.listIntents(await as({ roles: ['user'] }), 'list'))).toEqual([
      'order_status',
      'public_info',
      'transfer_funds',
    ])
    expect(await names(engine.listIntents(await as({ roles: ['moderator'] }), 'list'))).toEqual([
      'moderate_post',
      'order_status',
      'public_info',
      'transfer_funds',
    ])
    expect(
      await names(engine.listIntents(await as({ roles: ['admin'], permissions: ['admin:read'] }), 'list')),
    ).toEqual(['admin_dashboard', 'moderate_post', 'order_status', 'public_info', 'transfer_funds'])
  })

  it('crawlers get public intents only, whatever credentials they present', async () => {
    const engine = await authEngine()
    const admin = await as({ roles: ['admin'], permissions: ['*'] })
    expect(await names(engine.listIntents(admin, 'crawler'))).toEqual(['public_info'])
    expect(await names(engine.listComponents(admin, 'crawler'))).toEqual(['InfoCard'])
  })

  it('components follow the intents a caller may use; unused ones need a signed-in caller', async () => {
    const engine = await authEngine()
    expect(await names(engine.listComponents({}, 'list'))).toEqual(['InfoCard'])
    expect(await names(engine.listComponents(await as({ roles: ['user'] }), 'list'))).toEqual([
      'Footer',
      'InfoCard',
      'OrderCard',
      'TransferForm',
    ])
    const publicEngine = await authEngine({ defaultAccess: 'public' })
    expect(await names(publicEngine.listComponents({}, 'list'))).toEqual(['Footer', 'InfoCard', 'OrderCard'])
  })

  it('the authorize predicate filters discovery too', async () => {
    const engine = await authEngine({ authorize: (_, intent) => intent.name !== 'order_status' })
    expect(await names(engine.listIntents(await as({ roles: ['user'] }), 'list'))).toEqual([
      'public_info',
      'transfer_funds',
    ])
  })

  it('invalid credentials are refused in discovery (401), as in a render', async () => {
    const engine = await authEngine()
    await expect(engine.listIntents(bearer('not-a-token'), 'list')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    })
  })

  it('sets ctx.user on the discovery context for later taps', async () => {
    const engine = await authEngine()
    const ctx = await as({ sub: 'ada' })
    await engine.listIntents(ctx, 'list')
    expect(ctx.user?.id).toBe('ada')
  })
})

describe('resolve filtering', () => {
  it('hides intents the caller may not use from exact-name resolution', async () => {
    const engine = await authEngine()
    const anonymous: ResolveOutcome = await engine.resolve('admin_dashboard', {})
    expect(anonymous).toMatchObject({ matched: false, intent: null })
    const admin = await engine.resolve('admin_dashboard', await as({ permissions: ['admin:read'] }))
    expect(admin).toMatchObject({ matched: true, intent: 'admin_dashboard' })
    expect(await engine.resolve('public_info', {})).toMatchObject({ matched: true, intent: 'public_info' })
  })

  it('filters alternatives offered by a resolver', async () => {
    const engine = await authEngine()
    engine.hooks.resolve.tapPromise({ name: 'test:resolver', stage: 100 }, async () => ({
      matched: true,
      intent: 'order_status',
      parameters: {},
      confidence: 0.9,
      alternatives: [
        { intent: 'admin_dashboard', confidence: 0.5 },
        { intent: 'public_info', confidence: 0.4 },
      ],
    }))
    const user = await engine.resolve('where is my order', await as({ roles: ['user'] }))
    expect(user).toMatchObject({
      matched: true,
      intent: 'order_status',
      alternatives: [{ intent: 'public_info' }],
    })
    const anonymous = await engine.resolve('where is my order', {})
    expect(anonymous).toMatchObject({ matched: false, alternatives: [{ intent: 'public_info' }] })
  })
})
