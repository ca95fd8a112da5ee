import { describe, expect, it } from 'vitest'
import { createEngine, IxpError, silentLogger, Stage, type Engine, type IxpPlugin } from '../src/index.js'
import { makeEngine } from './fixtures.js'

const request = { intent: { name: 'order_status', parameters: { orderId: '9' } } }

async function failureOf(work: Promise<unknown>): Promise<IxpError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(IxpError)
  return error as IxpError
}

/** A plugin that taps the render path, decorates intents, registers definitions and a health check. */
function stamping(name: string, extra: Partial<IxpPlugin> = {}): IxpPlugin & { torn: number } {
  const plugin = {
    name,
    torn: 0,
    apply(engine: Engine) {
      engine.hooks.afterRender.tap({ name: 'stamp', stage: Stage.OBSERVE_LAST }, (result) => {
        result.meta.headers = { ...result.meta.headers, [`x-${name}`]: '1' }
        return result
      })
      engine.hooks.registerIntent.tap('stamp', (definition) => ({
        ...definition,
        tags: [...(definition.tags ?? []), name],
      }))
      engine.registerComponent({
        name: `${name}Card`,
        render: () => ({ type: 'card', props: {}, children: [] }),
      })
      engine.registerIntent({
        name: `${name}_intent`,
        description: 'registered by a plugin',
        component: `${name}Card`,
        parameters: { type: 'object', properties: {} },
      })
      engine.registerHealthCheck(name, () => ({ status: 'pass' }))
      return () => {
        plugin.torn++
      }
    },
    ...extra,
  }
  return plugin
}

describe('engine.unuse(name)', () => {
  it('runs the teardown and removes exactly what apply added', async () => {
    const engine = makeEngine()
    // The application's own tap has the same name as the plugin's: only the plugin's goes away.
    engine.hooks.afterRender.tap('stamp', (result) => {
      result.meta.headers = { ...result.meta.headers, 'x-app': '1' }
      return result
    })
    const plugin = stamping('alpha')
    engine.use(plugin)
    await engine.ready()
    const before = await engine.render(request)
    expect(before.meta.headers).toEqual({ 'x-app': '1', 'x-alpha': '1' })
    expect(engine.intents.get('order_status')?.tags).toContain('alpha')
    expect(engine.intents.has('alpha_intent')).toBe(true)
    expect((await engine.health()).checks.alpha).toBeDefined()

    const removed: unknown[] = []
    engine.events.on('plugin:removed', (event) => removed.push(event))
    await engine.unuse('alpha')

    expect(plugin.torn).toBe(1)
    expect(removed).toEqual([{ name: 'alpha', applied: true }])
    expect(engine.plugins).toEqual([])
    expect((await engine.render(request)).meta.headers).toEqual({ 'x-app': '1' })
    expect(engine.hooks.afterRender.taps.map((tap) => tap.name)).toEqual(['stamp'])
    expect(engine.hooks.registerIntent.taps).toEqual([])
    // Definitions pass the registration hooks again, without its decoration.
    expect(engine.intents.get('order_status')?.tags ?? []).not.toContain('alpha')
    expect(engine.intents.has('alpha_intent')).toBe(false)
    expect(engine.components.has('alphaCard')).toBe(false)
    expect((await engine.health()).checks.alpha).toBeUndefined()
    // The name is free again.
    engine.use(stamping('alpha'))
    await engine.ready()
    expect((await engine.render(request)).meta.headers).toEqual({ 'x-app': '1', 'x-alpha': '1' })
  })

  it('is refused with PLUGIN_IN_USE while another plugin depends on it, naming the dependants', async () => {
    const engine = createEngine({
      plugins: [
        stamping('base'),
        stamping('one', { dependencies: ['base'] }),
        stamping('two', { dependencies: ['base'] }),
      ],
    })
    await engine.ready()
    const refused = await failureOf(engine.unuse('base'))
    expect(refused.code).toBe('PLUGIN_IN_USE')
    expect(refused.message).toBe(
      "Plugin 'base' cannot be removed: first remove what depends on it ('one', 'two')",
    )
    expect(refused.details).toEqual({ plugin: 'base', dependants: ['one', 'two'] })
    expect(engine.plugins.map((plugin) => plugin.name)).toEqual(['base', 'one', 'two'])
    await engine.unuse('two')
    await engine.unuse('one')
    await engine.unuse('base')
    expect(engine.plugins).toEqual([])
  })

  it('drops a plugin that is only queued, and refuses an unknown name', async () => {
    const engine = createEngine()
    const queued = stamping('later')
    engine.use(queued)
    await engine.unuse('later')
    await engine.ready()
    expect(engine.plugins).toEqual([])
    expect(engine.intents.has('later_intent')).toBe(false)
    const unknown = await failureOf(engine.unuse('nope'))
    expect(unknown.code).toBe('PLUGIN_NOT_FOUND')
    expect(unknown.message).toContain("'nope'")
  })

  it('waits for a plugin still applying, and removes what it added after its first await', async () => {
    const engine = makeEngine()
    await engine.ready()
    engine.use({
      name: 'slow',
      async apply(engine) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        engine.hooks.admission.tap('slow-gate', () => {
          throw new IxpError('FORBIDDEN', 'closed')
        })
      },
    })
    await engine.unuse('slow')
    expect(engine.hooks.admission.taps).toEqual([])
    expect((await engine.render(request)).intent).toBe('order_status')
  })

  it('removes taps even when the teardown fails, then reports PLUGIN_TEARDOWN_FAILED', async () => {
    const engine = makeEngine()
    engine.use({
      name: 'broken',
      apply(engine) {
        engine.hooks.admission.tap('broken-gate', () => undefined)
        return () => {
          throw new Error('socket already closed')
        }
      },
    })
    await engine.ready()
    const failure = await failureOf(engine.unuse('broken'))
    expect(failure.code).toBe('PLUGIN_TEARDOWN_FAILED')
    expect(failure.message).toContain('socket already closed')
    expect(engine.hooks.admission.taps).toEqual([])
    expect(engine.plugins).toEqual([])
  })

  it('leaves nothing behind of a plugin whose apply failed', async () => {
    const engine = makeEngine({ logger: silentLogger })
    await engine.ready()
    engine.use({
      name: 'half',
      apply(engine) {
        engine.hooks.admission.tap('half-gate', () => undefined)
        throw new Error('missing configuration')
      },
    })
    const failure = await failureOf(engine.ready())
    expect(failure.code).toBe('PLUGIN_APPLY_FAILED')
    expect(engine.hooks.admission.taps).toEqual([])
  })

  it('refuses work after close()', async () => {
    const engine = createEngine({ plugins: [stamping('gone')] })
    await engine.ready()
    await engine.close()
    await expect(engine.unuse('gone')).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
  })
})
