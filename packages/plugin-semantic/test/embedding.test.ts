import { createEngine, silentLogger, type IntentDefinition } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import {
  embeddingStage,
  semantic,
  transformersEmbeddings,
  type EmbeddingProvider,
  type StageResult,
} from '../src/index.js'

/**
 * A small real embedding: character trigrams hashed into 512 dimensions. Texts sharing word parts are
 * close, unrelated texts are nearly orthogonal — enough to exercise the stage deterministically.
 */
function trigramEmbeddings(): EmbeddingProvider & { calls: number; closed: number } {
  return {
    name: 'trigrams',
    calls: 0,
    closed: 0,
    embed(texts) {
      this.calls++
      return texts.map((text) => {
        const vector = new Float32Array(512)
        const padded = ` ${text.toLowerCase().replace(/[^a-z0-9 ]/g, '')} `
        for (let i = 0; i + 3 <= padded.length; i++) {
          let h = 2166136261
          for (let k = i; k < i + 3; k++) h = Math.imul(h ^ padded.charCodeAt(k), 16777619)
          vector[(h >>> 0) % 512]! += 1
        }
        return vector
      })
    },
    close() {
      this.closed++
    },
  }
}

function intent(name: string, examples: string[]): IntentDefinition {
  return {
    name,
    description: name.replace('_', ' '),
    component: 'Card',
    parameters: { type: 'object' },
    examples,
  }
}
const intents = [
  intent('order_status', ['where is my parcel', 'track my parcel delivery']),
  intent('store_hours', ['opening hours of the shop', 'when does the shop open']),
]
const lookup = new Map(intents.map((definition) => [definition.name, definition]))
const input = (text: string) => ({ text, query: { text }, context: {}, intents: lookup, limit: 3 })

describe('embeddingStage', () => {
  it('answers with the intent of the most similar example when no stage answered before', async () => {
    const stage = embeddingStage({ provider: trigramEmbeddings(), slope: 10, offset: 0.3 })
    await stage.prepare!(intents)
    const result = await stage.resolve(input('tracking my parcel'), undefined)
    expect(result?.source).toBe('embedding')
    expect(result?.candidates[0]?.intent).toBe('order_status')
    expect(result?.candidates[0]!.confidence).toBeGreaterThan(result!.candidates[1]!.confidence)
    expect(result?.details?.similarity).toBeGreaterThan(0.3)
    expect(result?.threshold).toBe(0.5)
  })

  it('blends with the current result by weight, and may lift a rejection when confident', async () => {
    const stage = embeddingStage({ provider: trigramEmbeddings(), weight: 0.5, slope: 10, offset: 0.3 })
    await stage.prepare!(intents)
    const current: StageResult = {
      candidates: [
        { intent: 'store_hours', confidence: 0.6 },
        { intent: 'order_status', confidence: 0.4 },
      ],
      threshold: 0.45,
      rejected: true,
      source: 'classifier',
    }
    const result = await stage.resolve(input('where is my parcel now'), current)
    expect(result?.source).toBe('classifier+embedding')
    expect(result?.threshold).toBe(0.45)
    expect(result?.candidates[0]?.intent).toBe('order_status')
    const own = (result!.candidates[0]!.confidence - 0.5 * 0.4) / 0.5
    expect(own).toBeGreaterThan(0.5)
    expect(own).toBeLessThanOrEqual(1)
    expect(result?.rejected).toBe(false)
    const unrelated = await stage.resolve(input('zzz qqq'), current)
    expect(unrelated?.rejected).toBe(true)
  })

  it('refuses a provider that fails or answers the wrong shape', async () => {
    const failing: EmbeddingProvider = {
      name: 'down',
      embed: () => {
        throw new Error('connection refused')
      },
    }
    await expect(embeddingStage({ provider: failing }).prepare!(intents)).rejects.toMatchObject({
      code: 'SEMANTIC_EMBEDDING_FAILED',
      message: expect.stringMatching(/'down' failed: connection refused/),
    })
    const short: EmbeddingProvider = {
      name: 'short',
      embed: (texts) => texts.slice(1).map(() => new Float32Array(4)),
    }
    await expect(embeddingStage({ provider: short }).prepare!(intents)).rejects.toMatchObject({
      code: 'SEMANTIC_EMBEDDING_FAILED',
      message: expect.stringMatching(/returned \d+ vectors for \d+ texts/),
    })
    const ragged: EmbeddingProvider = {
      name: 'ragged',
      embed: (texts) => texts.map((_, i) => new Float32Array(i + 1)),
    }
    await expect(embeddingStage({ provider: ragged }).prepare!(intents)).rejects.toMatchObject({
      code: 'SEMANTIC_EMBEDDING_FAILED',
    })
    expect(() => embeddingStage({ provider: {} as never })).toThrow(/embed\(texts\)/)
    expect(() => embeddingStage({ provider: trigramEmbeddings(), weight: 2 })).toThrow(/weight/)
  })

  it('runs inside semantic() after the classifier, and closes the provider with the engine', async () => {
    const provider = trigramEmbeddings()
    const plugin = semantic({ embeddings: provider, embedding: { slope: 10, offset: 0.3 } })
    expect(plugin.pipeline.stages.map((stage) => stage.name)).toEqual([
      'exact',
      'classifier',
      'embedding',
      'context',
    ])
    const engine = createEngine({ logger: silentLogger })
    engine.registerComponent({ name: 'Card', render: () => null })
    for (const definition of intents) engine.registerIntent(definition)
    engine.use(plugin)
    await engine.ready()
    const outcome = await engine.resolve('track the parcel')
    expect(outcome).toMatchObject({ matched: true, intent: 'order_status', source: 'classifier+embedding' })
    expect(provider.calls).toBeGreaterThanOrEqual(2)
    await engine.close()
    expect(provider.closed).toBe(1)
  })
})

describe('transformersEmbeddings', () => {
  it('reports the missing optional package with a typed error, on first use', async () => {
    const provider = transformersEmbeddings({ modelPath: '/models/all-MiniLM-L6-v2' })
    expect(provider.name).toBe('transformers:all-MiniLM-L6-v2')
    await expect(provider.embed(['hello'])).rejects.toMatchObject({
      code: 'SEMANTIC_EMBEDDINGS_UNAVAILABLE',
      message: expect.stringContaining('@huggingface/transformers'),
    })
    await provider.close?.()
  })

  it('refuses bad options', () => {
    expect(() => transformersEmbeddings({ modelPath: '' })).toThrow(/modelPath/)
    expect(() => transformersEmbeddings({ modelPath: './m', batchSize: 0 })).toThrow(/batchSize/)
  })
})
