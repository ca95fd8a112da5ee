import { describe, expect, it } from 'vitest'
import { createEngine, silentLogger, Stage, type RenderResult } from '../src/index.js'

/** An engine with one intent (`note`, handler optional) whose component shows its props. */
async function noteEngine(handler?: () => Record<string, unknown> | undefined) {
  const engine = createEngine({ logger: silentLogger })
  engine.registerComponent({
    name: 'Note',
    render: (props) => ({ type: 'p', props: {}, children: [JSON.stringify(props)] }),
  })
  engine.registerIntent({
    name: 'note',
    description: 'A note',
    component: 'Note',
    parameters: { type: 'object', properties: { text: { type: 'string' } } },
    ...(handler ? { handler } : {}),
  })
  await engine.ready()
  return engine
}

describe('render props', () => {
  it('are the validated parameters themselves when nothing is merged into them (no copy)', async () => {
    const engine = await noteEngine()
    const parameters = { text: 'hi' }
    const result = engine.renderNow({ intent: { name: 'note', parameters } }) as RenderResult
    expect(result.props).toBe(parameters)
    expect(result.tree).toEqual({ type: 'p', props: {}, children: ['{"text":"hi"}'] })
  })

  it('are the engine copy when the parameters had something to strip, and the caller keeps its object', async () => {
    const engine = await noteEngine()
    const parameters = { text: 'hi', undeclared: 1 }
    const result = await engine.render({ intent: { name: 'note', parameters } })
    expect(result.props).toEqual({ text: 'hi' })
    expect(parameters).toEqual({ text: 'hi', undeclared: 1 })
  })

  it('are a new object when handler data or options are merged', async () => {
    const withData = await noteEngine(() => ({ extra: 2 }))
    const parameters = { text: 'hi' }
    const merged = await withData.render({ intent: { name: 'note', parameters } })
    expect(merged.props).toEqual({ text: 'hi', extra: 2 })
    expect(parameters).toEqual({ text: 'hi' })

    const plain = await noteEngine()
    const withOptions = await plain.render({
      intent: { name: 'note', parameters },
      options: { theme: 'dark' },
    })
    expect(withOptions.props).toEqual({ text: 'hi', theme: 'dark' })
    expect(parameters).toEqual({ text: 'hi' })

    const returnsNothing = await noteEngine(() => undefined)
    expect((await returnsNothing.render({ intent: { name: 'note', parameters } })).props).toBe(parameters)
  })

  it('are a new object for `handler` taps, so a tap that changes them in place changes no caller object', async () => {
    const engine = await noteEngine()
    engine.hooks.handler.tap({ name: 'test:shout', stage: Stage.DEFAULT }, (props) => {
      props.text = String(props.text).toUpperCase()
      return props
    })
    const parameters = { text: 'hi' }
    const result = await engine.render({ intent: { name: 'note', parameters } })
    expect(result.props).toEqual({ text: 'HI' })
    expect(parameters).toEqual({ text: 'hi' })
  })
})
