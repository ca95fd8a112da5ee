/** Resolve hides what a discovery filter hides, and asks the filter about the outcome's intents only. */
import { describe, expect, it } from 'vitest'
import { createEngine, silentLogger, Stage, type IntentDefinition } from '../src/index.js'

describe('resolve visibility', () => {
  it('filters only the outcome’s intents, and hides a match the caller may not see', async () => {
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({ name: 'Card', render: () => null })
    for (let i = 0; i < 200; i++) {
      engine.registerIntent({
        name: `intent_${i}`,
        description: `Intent ${i}`,
        component: 'Card',
        parameters: { type: 'object', properties: {} },
      })
    }
    const seen: string[][] = []
    engine.hooks.discoverIntents.tapPromise(
      { name: 'test:filter', stage: Stage.AUTH },
      async (intents: IntentDefinition[], ctx, purpose) => {
        if (purpose === 'resolve') seen.push(intents.map((intent) => intent.name))
        return ctx.user ? intents : intents.filter((intent) => intent.name !== 'intent_7')
      },
    )
    const visible = await engine.resolve('intent_3')
    expect(visible).toMatchObject({ matched: true, intent: 'intent_3' })
    expect(seen).toEqual([['intent_3']])
    expect(await engine.resolve('intent_7')).toMatchObject({ matched: false, intent: null })
    expect(await engine.resolve('intent_7', { user: { id: 'u' } })).toMatchObject({ intent: 'intent_7' })
  })
})
