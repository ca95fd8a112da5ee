import { describe, expect, it } from 'vitest'
import { createEngine, IxpError, type IxpPlugin } from '../src/index.js'

function recorder() {
  const log: string[] = []
  const plugin = (name: string, extra: Partial<IxpPlugin> = {}): IxpPlugin => ({
    name,
    apply: async () => {
      log.push(`apply:${name}`)
      return () => {
        log.push(`teardown:${name}`)
      }
    },
    ...extra,
  })
  return { log, plugin }
}

describe('plugins', () => {
  it('applies in order at ready(), runs ready/close hooks, tears down in reverse', async () => {
    const { log, plugin } = recorder()
    const engine = createEngine({
      plugins: [plugin('a'), () => plugin('b', { dependencies: ['a'], version: '2.0.0' })],
    })
    engine.hooks.ready.tap('ready-probe', () => {
      log.push('ready-hook')
    })
    engine.hooks.close.tap('close-probe', () => {
      log.push('close-hook')
    })
    const installed: string[] = []
    engine.events.on('plugin:installed', (event) => installed.push(event.name))
    await engine.ready()
    await engine.ready()
    expect(engine.plugins.map((p) => p.name)).toEqual(['a', 'b'])
    expect(engine.printPlugins()).toBe('1. a\n2. b@2.0.0  ← after a')
    await engine.close()
    await engine.close()
    expect(log).toEqual(['apply:a', 'apply:b', 'ready-hook', 'close-hook', 'teardown:b', 'teardown:a'])
    expect(installed).toEqual(['a', 'b'])
  })

  it('refuses malformed and duplicate plugins at use()', () => {
    const engine = createEngine()
    const codeOf = (input: unknown) => {
      try {
        engine.use(input as IxpPlugin)
      } catch (error) {
        return (error as IxpError).code
      }
    }
    expect(codeOf({ apply() {} })).toBe('PLUGIN_INVALID')
    expect(codeOf({ name: 'x' })).toBe('PLUGIN_INVALID')
    expect(codeOf(null)).toBe('PLUGIN_INVALID')
    expect(codeOf({ name: 'x', apply() {}, dependencies: 'a' })).toBe('PLUGIN_INVALID')
    expect(
      codeOf(() => {
        throw new Error('factory bug')
      }),
    ).toBe('PLUGIN_INVALID')
    engine.use({ name: 'x', apply() {} })
    expect(codeOf({ name: 'x', apply() {} })).toBe('PLUGIN_DUPLICATE')
  })

  it('names a missing dependency, and one registered too late', async () => {
    const missing = createEngine({ plugins: [{ name: 'cache', dependencies: ['redis'], apply() {} }] })
    await expect(missing.ready()).rejects.toMatchObject({
      code: 'PLUGIN_DEPENDENCY_MISSING',
      message: "Plugin 'cache' depends on 'redis', which is not registered",
    })
    const late = createEngine({
      plugins: [
        { name: 'cache', dependencies: ['auth'], apply() {} },
        { name: 'auth', apply() {} },
      ],
    })
    await expect(late.ready()).rejects.toThrow("register 'auth' first")
  })

  it('reports a failing or hanging apply as PLUGIN_APPLY_FAILED and keeps reporting it', async () => {
    const failing = createEngine({
      plugins: [{ name: 'bad', apply: () => Promise.reject(new Error('no config')) }],
    })
    await expect(failing.ready()).rejects.toMatchObject({
      code: 'PLUGIN_APPLY_FAILED',
      message: "Plugin 'bad' failed to apply: no config",
    })
    await expect(failing.ready()).rejects.toMatchObject({ code: 'PLUGIN_APPLY_FAILED' })
    const hanging = createEngine({
      limits: { pluginTimeoutMs: 20 },
      plugins: [{ name: 'slow', apply: () => new Promise(() => {}) }],
    })
    await expect(hanging.ready()).rejects.toThrow(
      "Plugin 'slow' failed to apply: apply() did not finish within 20 ms",
    )
  })

  it('applies a plugin added after ready() at once; ready() waits for it', async () => {
    const { log, plugin } = recorder()
    const engine = createEngine()
    await engine.ready()
    engine.use(plugin('late'))
    await engine.ready()
    expect(log).toEqual(['apply:late'])
    expect(engine.plugins.map((p) => p.name)).toEqual(['late'])
  })

  it('runs every teardown even when one fails, then reports the failures', async () => {
    const { log, plugin } = recorder()
    const engine = createEngine({
      plugins: [
        plugin('a'),
        { name: 'b', apply: () => () => Promise.reject(new Error('socket stuck')) },
        plugin('c'),
      ],
    })
    await engine.ready()
    await expect(engine.close()).rejects.toMatchObject({
      code: 'PLUGIN_TEARDOWN_FAILED',
      details: { plugins: ['b'] },
    })
    expect(log).toEqual(['apply:a', 'apply:c', 'teardown:c', 'teardown:a'])
  })

  it('supports await using (Symbol.asyncDispose)', async () => {
    const { log, plugin } = recorder()
    {
      const engine = createEngine({ plugins: [plugin('a')] })
      await engine.ready()
      await engine[Symbol.asyncDispose]()
    }
    expect(log).toEqual(['apply:a', 'teardown:a'])
  })
})

describe('engine options', () => {
  it('refuses invalid options at creation, naming the option', () => {
    const cases: [Parameters<typeof createEngine>[0], string][] = [
      [{ validation: { additionalProperties: 'drop' as never } }, 'validation.additionalProperties'],
      [{ validation: { maxDepth: 0 } }, 'validation.maxDepth'],
      [{ limits: { renderTimeoutMs: -1 } }, 'limits.renderTimeoutMs'],
      [{ limits: { maxTreeNodes: Number.NaN } }, 'limits.maxTreeNodes'],
      [{ hooks: { codeGeneration: 'never' as never } }, 'hooks.codeGeneration'],
    ]
    for (const [options, name] of cases) {
      let error: IxpError | undefined
      try {
        createEngine(options)
      } catch (e) {
        error = e as IxpError
      }
      expect(error?.code, name).toBe('INVALID_OPTIONS')
      expect(error?.message).toContain(name)
    }
  })
})

describe('plugins and definitions registered in any order', () => {
  const intent = { name: 'i', description: 'd', component: 'C', parameters: { type: 'object' } }
  const tagger = (tag: string): IxpPlugin => ({
    name: `tagger-${tag}`,
    apply(engine) {
      engine.hooks.registerIntent.tap(`tagger-${tag}`, (definition) => ({
        ...definition,
        tags: [...(definition.tags ?? []), tag],
      }))
    },
  })

  it('passes definitions registered before ready() through the plugins applied by ready()', async () => {
    const engine = createEngine({ plugins: [tagger('a')] })
    engine.registerComponent({ name: 'C', render: () => null })
    const off = engine.registerIntent(intent)
    expect(engine.intents.get('i')?.tags).toBeUndefined()
    await engine.ready()
    expect(engine.intents.get('i')?.tags).toEqual(['a'])
    // A late plugin sees the existing definitions too, decorating the registered originals (not twice).
    engine.use(tagger('b'))
    await engine.ready()
    expect(engine.intents.get('i')?.tags).toEqual(['a', 'b'])
    off()
    expect(engine.intents.has('i')).toBe(false)
  })

  it('fails ready() when a plugin refuses a definition registered earlier, and refuses renaming taps', async () => {
    const strict = createEngine({
      plugins: [
        {
          name: 'strict',
          apply(engine) {
            engine.hooks.registerIntent.tap('strict', (definition) => {
              if (!definition.examples)
                throw new IxpError('INVALID_DEFINITION', `intent '${definition.name}' needs examples`)
              return definition
            })
          },
        },
      ],
    })
    strict.registerIntent(intent)
    await expect(strict.ready()).rejects.toThrow("intent 'i' needs examples")
    const renaming = createEngine()
    renaming.hooks.registerIntent.tap('rename', (definition) => ({ ...definition, name: 'other' }))
    expect(() => renaming.registerIntent(intent)).toThrow('must not be changed by a registerIntent tap')
  })
})
