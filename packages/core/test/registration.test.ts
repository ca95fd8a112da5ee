// Remote components are registered below: their checks come with `@ixp/core/remote`.
import '../src/remote/index.js'
import { describe, expect, it } from 'vitest'
import { createEngine, IxpError } from '../src/index.js'
import { makeEngine, orderStatus } from './fixtures.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return (error as IxpError).code
  }
  return undefined
}

describe('registration', () => {
  it('lists, gets, finds and summarises definitions', () => {
    const engine = makeEngine()
    engine.registerIntent({
      ...orderStatus,
      name: 'old',
      deprecated: true,
      tags: ['legacy'],
      crawlable: true,
    })
    expect(engine.intents.list().map((i) => i.name)).toEqual(['order_status', 'store_map', 'old'])
    expect(engine.intents.get('order_status')?.component).toBe('OrderCard')
    expect(engine.intents.has('nope')).toBe(false)
    expect(engine.intents.find({ tag: 'legacy' }).map((i) => i.name)).toEqual(['old'])
    expect(engine.intents.find({ deprecated: false }).map((i) => i.name)).toEqual([
      'order_status',
      'store_map',
    ])
    expect(engine.intents.find({ text: 'MAP' }).map((i) => i.name)).toEqual(['store_map'])
    expect(engine.intents.find((i) => i.component === 'Map').map((i) => i.name)).toEqual(['store_map'])
    expect(engine.intents.stats()).toEqual({
      total: 3,
      deprecated: 1,
      crawlable: 1,
      withHandler: 2,
      byComponent: { OrderCard: 2, Map: 1 },
      byTag: { legacy: 1 },
    })
    expect(engine.components.stats()).toMatchObject({
      total: 2,
      server: 1,
      remote: 1,
      byFramework: { react: 1 },
    })
    expect([...engine.components].map((c) => c.name)).toEqual(['OrderCard', 'Map'])
  })

  it('refuses duplicates unless replace is set, and unregisters', () => {
    const engine = makeEngine()
    expect(codeOf(() => engine.registerIntent(orderStatus))).toBe('DUPLICATE_DEFINITION')
    const unregister = engine.registerIntent({ ...orderStatus, description: 'v2' }, { replace: true })
    expect(engine.intents.get('order_status')?.description).toBe('v2')
    unregister()
    expect(engine.intents.has('order_status')).toBe(false)
    // A stale unregister function must not remove a later registration of the same name.
    engine.registerIntent(orderStatus)
    unregister()
    expect(engine.intents.has('order_status')).toBe(true)
  })

  it('names the offending field of an invalid definition', () => {
    const engine = createEngine()
    const bad = () =>
      engine.registerIntent({
        name: '',
        description: 'x',
        component: 'C',
        parameters: { type: 'string' },
      } as never)
    let error: IxpError | undefined
    try {
      bad()
    } catch (e) {
      error = e as IxpError
    }
    expect(error?.code).toBe('INVALID_DEFINITION')
    expect(error?.status).toBe(500)
    expect(error?.details?.issues).toEqual([
      { path: 'name', message: 'must be a non-empty string' },
      { path: 'parameters.type', message: "must be 'object'" },
    ])
    expect(codeOf(() => engine.registerIntent({ ...orderStatus, ttl: -1 }))).toBe('INVALID_DEFINITION')
    expect(codeOf(() => engine.registerIntent({ ...orderStatus, handler: 'x' as never }))).toBe(
      'INVALID_DEFINITION',
    )
    expect(codeOf(() => engine.registerIntent({ ...orderStatus, name: 'x'.repeat(257) }))).toBe(
      'INVALID_DEFINITION',
    )
    expect(codeOf(() => engine.registerIntent({ ...orderStatus, name: 'a\nb' }))).toBe('INVALID_DEFINITION')
    expect(codeOf(() => engine.registerComponent({ name: 'R', remoteUrl: 'x' } as never))).toBe(
      'INVALID_DEFINITION',
    )
    expect(codeOf(() => engine.registerComponent({ name: 'S', render: 42 } as never))).toBe(
      'INVALID_DEFINITION',
    )
    expect(codeOf(() => engine.registerIntent(null as never))).toBe('INVALID_DEFINITION')
  })

  it('keeps fields the core does not know, for plugins', () => {
    const engine = makeEngine()
    engine.registerIntent({ ...orderStatus, name: 'private', auth: { roles: ['admin'] }, cache: false })
    expect(engine.intents.get('private')).toMatchObject({ auth: { roles: ['admin'] }, cache: false })
  })

  it('lets registration hooks decorate or refuse definitions', () => {
    const engine = createEngine()
    engine.hooks.registerIntent.tap('tagger', (definition) => ({ ...definition, tags: ['seen'] }))
    engine.hooks.registerComponent.tap('gate', (definition) => {
      if (definition.name.startsWith('Forbidden')) throw new IxpError('FORBIDDEN', 'no forbidden components')
      return definition
    })
    engine.registerIntent(orderStatus)
    expect(engine.intents.get('order_status')?.tags).toEqual(['seen'])
    expect(codeOf(() => engine.registerComponent({ name: 'ForbiddenCard', render: () => null }))).toBe(
      'FORBIDDEN',
    )
  })

  it('fills the reference security policy of remote components and describes components publicly', () => {
    const engine = makeEngine()
    expect(engine.components.get('Map')?.securityPolicy).toEqual({
      allowEval: false,
      sandboxed: true,
      maxBundleSize: '200KB',
    })
    expect(engine.describeComponent('OrderCard')).toEqual({
      name: 'OrderCard',
      description: 'An order',
      type: 'server',
    })
    expect(engine.describeComponent('Map')).toMatchObject({ remoteUrl: 'https://cdn.example.com/map.js' })
  })

  it('emits registry:changed', () => {
    const engine = createEngine()
    const changes: string[] = []
    engine.events.on('registry:changed', (change) =>
      changes.push(`${change.kind}:${change.action}:${change.name}`),
    )
    const off = engine.registerIntent(orderStatus)
    engine.registerIntent(orderStatus, { replace: true })
    off()
    off()
    expect(changes).toEqual(['intent:registered:order_status', 'intent:replaced:order_status'])
  })
})
