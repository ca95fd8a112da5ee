import { AsyncSeriesWaterfallHook, SyncWaterfallHook } from 'tapable'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createEngine, defineExtension, IxpError, type Engine, type IxpPlugin } from '../src/index.js'
import '../src/portable-hooks/index.js'

/** What a "greetings" plugin offers other plugins: a hook to decorate greetings and a function to greet. */
interface Greetings {
  readonly greeting: SyncWaterfallHook<[string, { name: string }]>
  readonly signature: AsyncSeriesWaterfallHook<[string]>
  greet(name: string): Promise<string>
}

const greetings = defineExtension('greetings', (engine: Engine): Greetings => {
  const hooks = {
    greeting: new SyncWaterfallHook<[string, { name: string }]>(['text', 'person']),
    signature: new AsyncSeriesWaterfallHook<[string]>(['text']),
  }
  return {
    ...hooks,
    async greet(name) {
      const text = hooks.greeting.call(`Hello ${name}`, { name })
      return hooks.signature.promise(`${text} (${engine.plugins.length} plugins)`)
    },
  }
})

const greetingsPlugin: IxpPlugin = {
  name: 'greetings',
  apply(engine) {
    engine.extension(greetings)
  },
}

const shouting: IxpPlugin = {
  name: 'shouting',
  dependencies: ['greetings'],
  apply(engine) {
    engine.extension(greetings).greeting.tap('shouting', (text) => `${text.toUpperCase()}!`)
  },
}

describe('typed extensions', () => {
  it('gives each engine its own instance, created once, typed by its key', () => {
    const first = createEngine()
    const second = createEngine()
    expectTypeOf(first.extension(greetings)).toEqualTypeOf<Greetings>()
    expect(first.extension(greetings)).toBe(first.extension(greetings))
    expect(first.extension(greetings)).not.toBe(second.extension(greetings))
  })

  it('lets one plugin tap the hook another plugin offers', async () => {
    const engine = createEngine({ plugins: [greetingsPlugin, shouting] })
    await engine.ready()
    expect(await engine.extension(greetings).greet('Ada')).toBe('HELLO ADA! (2 plugins)')
  })

  it("removes a plugin's taps on extension hooks at unuse()", async () => {
    const engine = createEngine({ plugins: [greetingsPlugin, shouting] })
    engine.extension(greetings).greeting.tap('shouting', (text) => `${text} :)`)
    await engine.ready()
    expect(await engine.extension(greetings).greet('Ada')).toBe('HELLO ADA :)! (2 plugins)')
    await engine.unuse('shouting')
    // The application's tap of the same name stays.
    expect(await engine.extension(greetings).greet('Ada')).toBe('Hello Ada :) (1 plugins)')
  })

  it('runs extension hooks without code generation when the engine is told so', async () => {
    const engine = createEngine({ hooks: { codeGeneration: 'off' }, plugins: [greetingsPlugin, shouting] })
    await engine.ready()
    const original = globalThis.Function
    globalThis.Function = function () {
      throw new EvalError('code generation from strings disallowed')
    } as unknown as FunctionConstructor
    try {
      engine.extension(greetings).signature.tapPromise('sign', async (text) => `${text} — Bob`)
      expect(await engine.extension(greetings).greet('Ada')).toBe('HELLO ADA! (2 plugins) — Bob')
    } finally {
      globalThis.Function = original
    }
  })

  it('reports a malformed definition or key, and an extension asking for itself', () => {
    expect(() => defineExtension('', () => 1)).toThrow(IxpError)
    expect(() => defineExtension('x', 'nope' as never)).toThrow(/create must be a function/)
    const engine = createEngine()
    expect(() => engine.extension({} as never)).toThrow(/a key made by defineExtension/)
    const loop = defineExtension('loop', (engine: Engine): number => engine.extension(loop) + 1)
    expect(() => engine.extension(loop)).toThrow("Extension 'loop' asked for itself while being created")
    // A failed creation is not remembered.
    let attempts = 0
    const flaky = defineExtension('flaky', () => {
      if (attempts++ === 0) throw new Error('not yet')
      return 'ok'
    })
    expect(() => engine.extension(flaky)).toThrow('not yet')
    expect(engine.extension(flaky)).toBe('ok')
  })
})
