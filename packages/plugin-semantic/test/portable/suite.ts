/**
 * The plugin where there are no Node built-ins and no code generation from strings (workerd): training,
 * classification, a JSON round trip, parameter extraction (TypeBox falls back to its interpreter) and
 * resolution through a real engine. Uses the core's dependency-free harness, since vitest cannot run there.
 */
import { createEngine, silentLogger } from '@ixp/core'
import { assert, describe, equal, matches, test, throws } from '../../../core/test/portable/harness.js'
import { extractParameters, IntentClassifier, semantic, type IntentExample } from '../../src/index.js'

const examples: IntentExample[] = [
  ...[
    'where is my order',
    'track my package',
    'has my order shipped',
    'when will my parcel arrive',
    'order status',
  ].map((text) => ({ text, intent: 'order_status' })),
  ...[
    'cancel my order',
    'i want to cancel',
    'stop the order please',
    'cancel the purchase',
    'call off my order',
  ].map((text) => ({ text, intent: 'cancel_order' })),
  ...[
    'when do you open',
    'opening hours',
    'are you open on sunday',
    'what time do you close',
    'store hours',
  ].map((text) => ({ text, intent: 'store_hours' })),
]

describe('classifier', () => {
  test('trains, classifies and round-trips through JSON with the same answers', () => {
    const classifier = IntentClassifier.train(examples)
    equal(classifier.intents, ['cancel_order', 'order_status', 'store_hours'])
    equal(classifier.classify('please cancel my order').ranking[0]?.intent, 'cancel_order')
    equal(classifier.classify('when are you open').ranking[0]?.intent, 'store_hours')
    const copy = IntentClassifier.fromJSON(JSON.parse(JSON.stringify(classifier)))
    for (const text of ['track my order', 'cancel it', 'open sunday?', 'xyz'])
      equal(copy.classify(text), classifier.classify(text), `prediction for "${text}"`)
  })

  test('refuses a corrupt model with a typed error', () => {
    throws(() => IntentClassifier.fromJSON({ format: 'ixp-semantic-classifier', version: 1 }), {
      fields: { code: 'SEMANTIC_INVALID_MODEL' },
    })
  })
})

describe('parameters', () => {
  test('extracts enum values, numbers and identifiers, validated by TypeBox without code generation', () => {
    const schema = {
      type: 'object',
      properties: {
        orderId: { type: 'string', pattern: '^[0-9]+$' },
        speed: { type: 'string', enum: ['standard', 'next_day'] },
        quantity: { type: 'integer', minimum: 1, maximum: 5 },
      },
      required: ['orderId', 'speed'],
    }
    equal(extractParameters('ship order 77 next day, 3 boxes', schema), {
      parameters: { orderId: '77', speed: 'next_day', quantity: 3 },
      missing: [],
    })
    equal(extractParameters('order 77 with 9 boxes', schema), {
      parameters: { orderId: '77' },
      missing: ['speed'],
    })
  })
})

describe('plugin', () => {
  test('resolves free text through a real engine', async () => {
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({ name: 'Card', render: () => null })
    for (const name of ['order_status', 'cancel_order', 'store_hours'])
      engine.registerIntent({
        name,
        description: name.replace('_', ' '),
        component: 'Card',
        parameters: { type: 'object' },
        examples: examples.filter((example) => example.intent === name).map((example) => example.text),
      })
    engine.use(semantic())
    await engine.ready()
    matches(await engine.resolve('I would like to cancel my order'), {
      matched: true,
      intent: 'cancel_order',
    })
    matches(await engine.resolve('Store hours'), { matched: true, intent: 'store_hours', source: 'exact' })
    const outcome = await engine.resolve('qqq zzz')
    assert(!outcome.matched, 'unknown words are out of scope')
    await engine.close()
  })
})
