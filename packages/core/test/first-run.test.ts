/**
 * First-run mistakes are caught where they are made, with the fix in the message: a misspelt option of
 * createEngine, an intent whose component is not registered, a mistyped intent name.
 */
import { describe, expect, it } from 'vitest'
import { createEngine, IxpError, silentLogger, type EngineOptions } from '../src/index.js'
import { boundedDistance, closestName } from '../src/suggest.js'
import '../src/portable-hooks/index.js'
import { thrown } from './thrown.js'

describe('createEngine refuses unknown options', () => {
  it('names the nearest valid option', () => {
    const error = thrown(() => createEngine({ plugin: [] } as EngineOptions))
    expect(error).toBeInstanceOf(IxpError)
    expect(error.code).toBe('INVALID_OPTIONS')
    expect(error.message).toBe('`plugin` is not an option of createEngine; did you mean `plugins`?')
    expect(error.details).toEqual({ option: 'plugin', suggestion: 'plugins' })
  })

  it('checks the nested groups too', () => {
    const error = thrown(() => createEngine({ limits: { renderTimeout: 5 } } as EngineOptions))
    expect(error.message).toBe(
      '`limits.renderTimeout` is not an option of createEngine; did you mean `limits.renderTimeoutMs`?',
    )
    const hooks = thrown(() => createEngine({ hooks: { codegen: 'off' } } as EngineOptions))
    expect(hooks.message).toContain('`hooks.codegen` is not an option')
  })

  it('lists the options when nothing is close, and bounds what it echoes', () => {
    const error = thrown(() => createEngine({ ['x'.repeat(500)]: 1 } as EngineOptions))
    expect(error.message).toMatch(/^`x{80}…` is not an option of createEngine; the options are plugins, /)
    expect(error.message.length).toBeLessThan(200)
  })

  it('refuses an options value that is not an object', () => {
    expect(thrown(() => createEngine([] as EngineOptions)).message).toMatch(
      /^createEngine takes an options object .*got an array$/,
    )
    expect(thrown(() => createEngine({ limits: 5 } as unknown as EngineOptions)).message).toBe(
      '`limits` must be an object, got number',
    )
  })

  it('accepts every documented option', () => {
    const engine = createEngine({
      plugins: [],
      validation: { additionalProperties: 'reject', maxDepth: 8, missingComponents: 'warn' },
      limits: {
        maxIntentNameLength: 64,
        renderTimeoutMs: 1000,
        pluginTimeoutMs: 1000,
        maxTreeDepth: 8,
        maxTreeNodes: 100,
      },
      hooks: { codeGeneration: 'off' },
    })
    expect(engine.isReady).toBe(false)
  })
})

describe('ready() refuses an intent whose component is not registered', () => {
  it('names the intent, the component and the nearest registered component', async () => {
    const engine = createEngine()
    engine.registerComponent({ name: 'OrderCard', render: () => 'card' })
    engine.registerIntent({
      name: 'order_status',
      description: 'Shows an order',
      component: 'OrderCrad',
      parameters: { type: 'object' },
    })
    const error = (await engine.ready().catch((caught: unknown) => caught)) as IxpError
    expect(error).toBeInstanceOf(IxpError)
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toContain(
      "intent 'order_status' renders component 'OrderCrad', which is not registered; did you mean 'OrderCard'?",
    )
    expect(error.details?.issues).toEqual([
      { path: 'component', intent: 'order_status', message: "component 'OrderCrad' is not registered" },
    ])
    expect(engine.isReady).toBe(false)
  })

  it("only logs with validation.missingComponents 'warn', and the render fails with COMPONENT_NOT_FOUND", async () => {
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) }
    const engine = createEngine({ logger, validation: { missingComponents: 'warn' } })
    engine.registerIntent({ name: 'a', description: 'd', component: 'Ghost', parameters: { type: 'object' } })
    await engine.ready()
    expect(warnings).toEqual([
      "intent 'a' renders component 'Ghost', which is not registered; rendering them fails with COMPONENT_NOT_FOUND",
    ])
    const error = (await engine
      .render({ intent: { name: 'a', parameters: {} } })
      .catch((caught: unknown) => caught)) as IxpError
    expect(error.code).toBe('COMPONENT_NOT_FOUND')
    expect(() => createEngine({ validation: { missingComponents: 'ignore' as 'warn' } })).toThrow(
      `validation.missingComponents must be 'error' or 'warn', got "ignore"`,
    )
    await engine.close()
  })

  it('is ready once the component is registered', async () => {
    const engine = createEngine()
    engine.registerIntent({ name: 'a', description: 'd', component: 'A', parameters: { type: 'object' } })
    engine.registerComponent({ name: 'A', render: () => 'a' })
    await engine.ready()
    expect(engine.isReady).toBe(true)
    await engine.close()
  })
})

describe('an unknown intent name', () => {
  async function notFound(engine: ReturnType<typeof createEngine>, name: string): Promise<IxpError> {
    return (await engine.render({ intent: { name } }).catch((caught: unknown) => caught)) as IxpError
  }

  it('gets the nearest registered name in the 404', async () => {
    const engine = createEngine()
    engine.registerComponent({ name: 'C', render: () => 'c' })
    engine.registerIntent({
      name: 'order_status',
      description: 'd',
      component: 'C',
      parameters: { type: 'object' },
    })
    const error = await notFound(engine, 'order_stauts')
    expect([error.code, error.status, error.message]).toEqual([
      'INTENT_NOT_SUPPORTED',
      404,
      "Intent 'order_stauts' not found; did you mean 'order_status'?",
    ])
    expect((await notFound(engine, 'weather')).message).toBe("Intent 'weather' not found")
    const long = await notFound(engine, `order_status${'x'.repeat(200)}`)
    expect(long.message).toBe(`Intent 'order_status${'x'.repeat(52)}…' not found`)
    await engine.close()
  })

  it('suggests nothing when a discovery filter may hide intents from the caller', async () => {
    const engine = createEngine()
    engine.registerComponent({ name: 'C', render: () => 'c' })
    engine.registerIntent({
      name: 'admin_report',
      description: 'd',
      component: 'C',
      parameters: { type: 'object' },
    })
    engine.hooks.discoverIntents.tapPromise('hide-all', async () => [])
    expect((await notFound(engine, 'admin_reprt')).message).toBe("Intent 'admin_reprt' not found")
    await engine.close()
  })
})

describe('closestName', () => {
  it('finds a near name within a third of its length, case-insensitively', () => {
    expect(closestName('Plugin', ['plugins', 'limits'])).toBe('plugins')
    expect(closestName('abc', ['xyz'])).toBeUndefined()
    expect(closestName('', ['a'])).toBeUndefined()
  })

  it('gives up early on distant candidates', () => {
    expect(boundedDistance('kitten', 'sitting', 3)).toBe(3)
    expect(boundedDistance('kitten', 'sitting', 2)).toBe(3)
    expect(boundedDistance('a', 'abcdefgh', 2)).toBe(3)
  })
})
