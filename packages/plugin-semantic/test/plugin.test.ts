import { createEngine, silentLogger, type Engine, type IntentDefinition } from '@ixp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { IntentClassifier, semantic, type ClassifierStage, type ResolverStage } from '../src/index.js'
import { examplesOf } from '../src/stages/classifier.js'

const orderStatus: IntentDefinition = {
  name: 'order_status',
  description: 'Shows where an order is and when it arrives',
  component: 'Card',
  parameters: {
    type: 'object',
    properties: { orderId: { type: 'string', pattern: '^[0-9]+$' } },
    required: ['orderId'],
  },
  examples: [
    'where is my order',
    "where's my order 1234?",
    'track my package',
    'has my order shipped',
    'when will my order arrive',
    'order status please',
    'is my parcel on its way',
    'what is the status of order 555',
    'did you send my order yet',
  ],
  tags: ['orders'],
}
const shipping: IntentDefinition = {
  name: 'change_shipping',
  description: 'Changes the delivery speed of an order',
  component: 'Card',
  parameters: {
    type: 'object',
    properties: {
      orderId: { type: 'string', pattern: '^[0-9]+$' },
      speed: { type: 'string', enum: ['standard', 'next_day', 'express'] },
    },
    required: ['orderId', 'speed'],
  },
  examples: [
    'ship it express',
    'change delivery to next day',
    'upgrade my shipping speed',
    'i need faster delivery',
    'switch to standard shipping',
    'can you ship order 12 next day',
    'send it with express delivery',
    'i want my order delivered faster',
  ],
  aliases: ['delivery speed'],
  tags: ['orders'],
}
const storeHours: IntentDefinition = {
  name: 'store_hours',
  description: 'Opening hours of a store',
  component: 'Card',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', enum: ['paris', 'london', 'berlin'] } },
  },
  examples: [
    'when do you open',
    'what are your opening hours',
    'are you open on sunday',
    'closing time of the store',
    'what time does the paris store close',
    'is the shop open tomorrow',
  ],
}

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

async function engineWith(plugin = semantic(), intents = [orderStatus, shipping, storeHours]) {
  const engine = createEngine({ logger: silentLogger })
  engines.push(engine)
  engine.registerComponent({ name: 'Card', render: (props) => ({ type: 'card', props, children: [] }) })
  for (const intent of intents) engine.registerIntent(intent)
  engine.use(plugin)
  await engine.ready()
  return engine
}

describe('semantic() through a real engine', () => {
  it('resolves free text to an intent, with parameters from the text and the missing ones', async () => {
    const engine = await engineWith()
    const outcome = await engine.resolve("hi, where's my order 98765?")
    expect(outcome).toMatchObject({
      matched: true,
      intent: 'order_status',
      parameters: { orderId: '98765' },
      source: 'classifier',
    })
    expect(outcome.alternatives.length).toBeGreaterThan(0)
    expect(outcome.confidence).toBeGreaterThan(outcome.alternatives[0]!.confidence)
    expect(outcome.alternatives.map((a) => a.intent)).not.toContain('order_status')
    expect(await engine.resolve('please ship order 42 next day')).toMatchObject({
      matched: true,
      intent: 'change_shipping',
      parameters: { orderId: '42', speed: 'next_day' },
    })
    const missing = await engine.resolve('i need faster delivery')
    expect(missing).toMatchObject({ matched: true, intent: 'change_shipping', missing: ['orderId', 'speed'] })
  })

  it('answers out of scope instead of a wrong intent', async () => {
    const engine = await engineWith()
    for (const text of ['what is the capital of peru', 'qwzx vbnm']) {
      const outcome = await engine.resolve(text)
      expect(outcome).toMatchObject({ matched: false, intent: null, reason: 'out-of-scope' })
    }
  })

  it('refuses text close to the out-of-scope examples it was given', async () => {
    const chitChat = [
      'tell me a joke',
      'say something funny',
      'who won the game last night',
      'sing me a song',
      'how old are you',
    ]
    const guarded = await engineWith(semantic({ outOfScopeExamples: chitChat }))
    expect(await guarded.resolve('tell me a funny joke please')).toMatchObject({
      matched: false,
      reason: 'out-of-scope',
    })
    expect(await guarded.resolve("where's my order 1234?")).toMatchObject({
      matched: true,
      intent: 'order_status',
    })
    const outcome = await guarded.resolve('tell me a funny joke please')
    expect(outcome.alternatives.map((a) => a.intent).every((name) => !name.includes('out-of-scope'))).toBe(
      true,
    )
    expect(() => semantic({ outOfScopeExamples: [3] as never })).toThrow(/outOfScopeExamples/)
  })

  it('keeps the core exact-name resolver first, and adds spaced names and aliases', async () => {
    const engine = await engineWith()
    expect(await engine.resolve('store_hours')).toMatchObject({ intent: 'store_hours', source: 'exact-name' })
    expect(await engine.resolve('Store hours')).toMatchObject({
      intent: 'store_hours',
      source: 'exact',
      confidence: 1,
    })
    expect(await engine.resolve('delivery speed')).toMatchObject({
      intent: 'change_shipping',
      source: 'exact',
    })
  })

  it('boosts the previous intent of the conversation', async () => {
    const engine = await engineWith(semantic({ context: { previousBoost: 0.6 }, earlyExit: 1 }))
    const text = 'and my order'
    const plain = await engine.resolve({ text, limit: 3 })
    const candidates = [plain.intent, ...plain.alternatives.map((a) => a.intent)].filter(Boolean)
    const target = candidates.find((name) => name !== plain.intent) ?? 'store_hours'
    const boosted = await engine.resolve({ text, previousIntent: target })
    expect(boosted).toMatchObject({ matched: true, intent: target })
  })

  it('retrains when intents change (debounced), and forgets removed ones', async () => {
    const plugin = semantic({ retrainDelayMs: 20 })
    const engine = await engineWith(plugin)
    const before = await engine.resolve('i want my money back for this purchase')
    expect([before.intent, ...before.alternatives.map((a) => a.intent)]).not.toContain('refund')
    const unregister = engine.registerIntent({
      name: 'refund',
      description: 'Refunds a purchase',
      component: 'Card',
      parameters: { type: 'object' },
      examples: [
        'i want a refund',
        'give me my money back',
        'refund my purchase',
        'return this for a refund',
      ],
    })
    await plugin.whenTrained()
    expect(await engine.resolve('i want my money back for this purchase')).toMatchObject({
      matched: true,
      intent: 'refund',
    })
    unregister()
    await new Promise((resolve) => setTimeout(resolve, 60))
    await plugin.whenTrained()
    const after = await engine.resolve('i want my money back for this purchase')
    expect([after.intent, ...after.alternatives.map((a) => a.intent)]).not.toContain('refund')
    const stage = plugin.pipeline.stages.find((s) => s.name === 'classifier') as ClassifierStage
    expect(stage.classifier?.intents).toEqual(['change_shipping', 'order_status', 'store_hours'])
  })

  it('serves a pre-trained model without training at ready()', async () => {
    const model = IntentClassifier.train(examplesOf([orderStatus, shipping, storeHours]))
    const trainedAgain: string[] = []
    const plugin = semantic({ model: model.toJSON() })
    const engine = await engineWith(plugin)
    expect(await engine.resolve('when does the store open')).toMatchObject({
      matched: true,
      intent: 'store_hours',
    })
    const stage = plugin.pipeline.stages.find((s) => s.name === 'classifier') as {
      classifier?: IntentClassifier
    }
    expect(stage.classifier).toBeInstanceOf(IntentClassifier)
    expect(trainedAgain).toEqual([])
  })

  it('runs custom stages, which see the engine context', async () => {
    const seen: unknown[] = []
    const keywords: ResolverStage = {
      name: 'keywords',
      resolve(input) {
        seen.push(input.context.tenant)
        return input.text.includes('hours')
          ? { candidates: [{ intent: 'store_hours', confidence: 0.9 }], source: 'keywords' }
          : undefined
      },
    }
    const engine = await engineWith(semantic({ stages: [keywords] }))
    expect(await engine.resolve('hours in paris', { tenant: 't1' })).toMatchObject({
      matched: true,
      intent: 'store_hours',
      source: 'keywords',
      parameters: { city: 'paris' },
    })
    expect(seen).toEqual(['t1'])
    // No stage answered: the plugin stays silent and the engine reports no match.
    expect(await engine.resolve('something else')).toMatchObject({ matched: false, reason: 'no-match' })
  })

  it('keeps answering with the previous state when retraining fails, and logs the failure', async () => {
    const errors: string[] = []
    let prepared = 0
    const flaky: ResolverStage = {
      name: 'flaky',
      prepare(intents) {
        prepared++
        if (intents.length > 3) throw new Error('model server down')
      },
      resolve: () => ({ candidates: [{ intent: 'store_hours', confidence: 0.9 }], source: 'flaky' }),
    }
    const plugin = semantic({ stages: [flaky], retrainDelayMs: 5 })
    const engine = createEngine({
      logger: {
        ...silentLogger,
        error: (message, fields) => errors.push(`${message} ${String(fields?.error)}`),
      },
    })
    engines.push(engine)
    engine.registerComponent({ name: 'Card', render: () => null })
    for (const intent of [orderStatus, shipping, storeHours]) engine.registerIntent(intent)
    engine.use(plugin)
    await engine.ready()
    engine.registerIntent({ ...storeHours, name: 'store_hours_2' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(prepared).toBe(2)
    expect(errors).toEqual(['semantic retraining failed model server down'])
    expect(await engine.resolve('opening hours')).toMatchObject({ matched: true, intent: 'store_hours' })
  })

  it('can leave parameters alone', async () => {
    const engine = await engineWith(semantic({ extractParameters: false }))
    expect(await engine.resolve("where's my order 1234?")).toMatchObject({
      intent: 'order_status',
      parameters: {},
    })
  })

  it('stops answering after close and releases its stages', async () => {
    let closed = 0
    const stage: ResolverStage = {
      name: 'closing',
      resolve: () => ({ candidates: [{ intent: 'store_hours', confidence: 0.9 }], source: 'closing' }),
      close: () => {
        closed++
      },
    }
    const engine = await engineWith(semantic({ stages: [stage] }))
    await engine.close()
    expect(closed).toBe(1)
  })

  it('refuses bad options at creation, and a second engine', async () => {
    expect(() => semantic({ retrainDelayMs: -1 })).toThrow(/retrainDelayMs/)
    expect(() => semantic({ earlyExit: 3 })).toThrow(/earlyExit/)
    expect(() => semantic({ embeddings: {} as never })).toThrow(/embed/)
    expect(() => semantic({ stages: [], classifier: {} })).toThrow(/replaces the default pipeline/)
    expect(() => semantic({ stages: [], maskNames: false })).toThrow(/maskNames/)
    expect(() => semantic({ maskNames: 'no' as never })).toThrow(
      '\'maskNames\' must be true or false (got "no")',
    )
    try {
      semantic({ threshold: -1 })
    } catch (error) {
      expect(error).toMatchObject({ code: 'SEMANTIC_INVALID_OPTIONS', status: 500 })
    }
    const plugin = semantic()
    await engineWith(plugin)
    const other = createEngine({ logger: silentLogger })
    engines.push(other)
    other.use(plugin)
    await expect(other.ready()).rejects.toMatchObject({ code: 'PLUGIN_APPLY_FAILED' })
  })
})
