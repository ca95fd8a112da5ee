import { createEngine, silentLogger, type ComponentDefinition, type IntentDefinition } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { CONFIG_OWNER, DefinitionRegistrar } from '../src/serve/registrar.js'

const card: ComponentDefinition = {
  name: 'Card',
  render: (props) => ({ type: 'p', props: {}, children: [String(props.text)] }),
}

function intent(name: string, extra: Partial<IntentDefinition> = {}): IntentDefinition {
  return { name, description: `Intent ${name}`, component: 'Card', parameters: { type: 'object' }, ...extra }
}

async function setup() {
  const engine = createEngine({ logger: silentLogger })
  await engine.ready()
  const registrar = new DefinitionRegistrar(engine, '/project')
  registrar.add('components', CONFIG_OWNER, [card])
  return { engine, registrar }
}

describe('DefinitionRegistrar', () => {
  it('swaps a file: adds new names, replaces changed ones, removes vanished ones, leaves equal ones', async () => {
    const { engine, registrar } = await setup()
    registrar.add('intents', '/project/a.json', [intent('one'), intent('two'), intent('three')])
    const unchanged = engine.intents.get('one')
    const summary = registrar.swap('intents', '/project/a.json', [
      intent('one'),
      intent('two', { description: 'changed' }),
      intent('four'),
    ])
    expect(summary).toEqual({ added: ['four'], replaced: ['two'], removed: ['three'] })
    expect(
      engine.intents
        .list()
        .map((definition) => definition.name)
        .sort(),
    ).toEqual(['four', 'one', 'two'])
    expect(engine.intents.get('two')?.description).toBe('changed')
    expect(engine.intents.get('one')).toBe(unchanged)
    expect(registrar.namesOf('intents', '/project/a.json').sort()).toEqual(['four', 'one', 'two'])
  })

  it("refuses a swap that takes another source's name, changing nothing", async () => {
    const { engine, registrar } = await setup()
    registrar.add('intents', '/project/a.json', [intent('one')])
    registrar.add('intents', '/project/b.json', [intent('two')])
    expect(() =>
      registrar.swap('intents', '/project/a.json', [intent('one', { description: 'x' }), intent('two')]),
    ).toThrow(/a\.json defines intent 'two', already defined by b\.json/)
    expect(engine.intents.get('one')?.description).toBe('Intent one')
    expect(registrar.namesOf('intents', '/project/b.json')).toEqual(['two'])
  })

  it('rolls a swap back when the engine refuses one of the definitions', async () => {
    const { engine, registrar } = await setup()
    registrar.add('intents', '/project/a.json', [intent('one'), intent('two')])
    // A registerIntent tap (as plugins install) refusing one definition half-way through the swap.
    engine.hooks.registerIntent.tap('test:refuse', (definition) => {
      if (definition.name === 'refused') throw new Error('refused by a plugin')
      return definition
    })
    expect(() =>
      registrar.swap('intents', '/project/a.json', [
        intent('one', { description: 'new' }),
        intent('added'),
        intent('refused'),
      ]),
    ).toThrow('refused by a plugin')
    expect(engine.intents.get('one')?.description).toBe('Intent one')
    expect(engine.intents.has('added')).toBe(false)
    expect(engine.intents.has('two')).toBe(true)
    expect(registrar.namesOf('intents', '/project/a.json').sort()).toEqual(['one', 'two'])
  })

  it('names the config path of an invalid inline definition', async () => {
    const { registrar } = await setup()
    try {
      registrar.add('intents', CONFIG_OWNER, [
        intent('fine'),
        intent('bad', { parameters: { type: 'string' } }),
      ])
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({
        code: 'INVALID_DEFINITION',
        details: { issues: [{ path: 'intents.1.parameters.type', message: "must be 'object'" }] },
      })
    }
  })

  it('refuses the same name from two sources at start-up', async () => {
    const { registrar } = await setup()
    registrar.add('intents', '/project/a.json', [intent('one')])
    expect(() => registrar.add('intents', CONFIG_OWNER, [intent('one')])).toThrow(
      "the config defines intent 'one', already defined by a.json",
    )
  })
})
