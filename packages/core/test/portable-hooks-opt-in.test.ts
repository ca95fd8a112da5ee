/**
 * The hook interpreter is opt-in: the root entry runs tapable's compiled hooks, and an engine that needs the
 * interpreter (`codeGeneration: 'off'`, or a runtime without `new Function`) is refused with the import to
 * add until `@ixp/core/portable-hooks` is loaded. This file must not import that module statically: vitest
 * gives each test file its own module graph, so the interpreter is absent until the dynamic import below.
 */
import { AsyncSeriesHook } from 'tapable'
import { describe, expect, it } from 'vitest'
import { createEngine, IxpError, silentLogger, Stage } from '../src/index.js'

/** Whether the hook's callers are built by the interpreter rather than tapable's code generator. */
function interpreted(hook: object): boolean {
  return (
    (hook as { compile: unknown }).compile !==
    (new AsyncSeriesHook(['state']) as unknown as { compile: unknown }).compile
  )
}

describe('@ixp/core/portable-hooks', () => {
  it("refuses codeGeneration: 'off' until the interpreter is imported, naming the import", async () => {
    let thrown: unknown
    try {
      createEngine({ hooks: { codeGeneration: 'off' }, logger: silentLogger })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(IxpError)
    expect((thrown as IxpError).code).toBe('INVALID_OPTIONS')
    expect((thrown as IxpError).message).toContain("import '@ixp/core/portable-hooks'")

    // Where code generation works, 'auto' keeps tapable's compiled callers and needs no interpreter.
    const compiled = createEngine({ logger: silentLogger })
    expect(interpreted(compiled.hooks.admission)).toBe(false)

    await import('@ixp/core/portable-hooks')
    const engine = createEngine({ hooks: { codeGeneration: 'off' }, logger: silentLogger })
    expect(interpreted(engine.hooks.admission)).toBe(true)
    const seen: string[] = []
    engine.hooks.admission.tapPromise({ name: 'test:admit', stage: Stage.AUTH }, async (state) => {
      seen.push(state.intent.name)
    })
    engine.registerComponent({
      name: 'Hello',
      render: (props) => ({ type: 'p', props: {}, children: [String(props.who)] }),
    })
    engine.registerIntent({
      name: 'hello',
      description: 'Says hello',
      component: 'Hello',
      parameters: { type: 'object', properties: { who: { type: 'string' } } },
    })
    const result = await engine.render({ intent: { name: 'hello', parameters: { who: 'edge' } } })
    expect(result.tree).toEqual({ type: 'p', props: {}, children: ['edge'] })
    expect(seen).toEqual(['hello'])
  })
})
