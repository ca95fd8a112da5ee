import type { IntentDefinition } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import {
  classifierStage,
  contextStage,
  exactStage,
  ResolverPipeline,
  type ResolverStage,
  type StageResult,
} from '../src/index.js'

function intent(name: string, examples: string[], extra: Partial<IntentDefinition> = {}): IntentDefinition {
  return { name, description: '', component: 'Card', parameters: { type: 'object' }, examples, ...extra }
}

const intents = [
  intent('order_status', ['where is my order', 'track my package', 'has my order shipped yet'], {
    tags: ['orders'],
    aliases: ['track package'],
  }),
  intent('cancel_order', ['cancel my order', 'i want to cancel the order', 'stop my order please'], {
    tags: ['orders'],
  }),
  intent('store_hours', ['when do you open', 'what are your opening hours', 'are you open on sunday']),
  intent('weather', ['what is the weather', 'will it rain tomorrow', 'weather forecast please']),
]
const lookup = new Map(intents.map((definition) => [definition.name, definition]))

/** A stage that answers one intent with a fixed confidence, and records that it ran. */
function fixedStage(name: string, answer: string, confidence: number, calls: string[]): ResolverStage {
  return {
    name,
    resolve() {
      calls.push(name)
      return { candidates: [{ intent: answer, confidence }], source: name }
    },
  }
}

describe('ResolverPipeline', () => {
  it('runs stages in order, each replacing the result, and decides on the last one', async () => {
    const calls: string[] = []
    const pipeline = new ResolverPipeline([
      fixedStage('first', 'weather', 0.6, calls),
      fixedStage('second', 'store_hours', 0.7, calls),
    ])
    const decision = await pipeline.resolve({ text: 'anything' }, {}, lookup)
    expect(calls).toEqual(['first', 'second'])
    expect(decision).toMatchObject({
      matched: true,
      intent: 'store_hours',
      confidence: 0.7,
      source: 'second',
    })
    expect(decision.stages).toEqual(['first', 'second'])
  })

  it('exits early once a stage is confident enough', async () => {
    const calls: string[] = []
    const pipeline = new ResolverPipeline(
      [fixedStage('sure', 'weather', 0.97, calls), fixedStage('never', 'store_hours', 0.99, calls)],
      { earlyExit: 0.95 },
    )
    expect(await pipeline.resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      intent: 'weather',
      stages: ['sure'],
    })
    expect(calls).toEqual(['sure'])
    const patient = new ResolverPipeline(
      [fixedStage('sure', 'weather', 0.97, calls), fixedStage('later', 'store_hours', 0.99, calls)],
      { earlyExit: 1 },
    )
    expect(await patient.resolve({ text: 'x' }, {}, lookup)).toMatchObject({ intent: 'store_hours' })
  })

  it('answers out of scope under the threshold, or when a stage rejects, and no-match when no stage answers', async () => {
    const low = new ResolverPipeline([fixedStage('low', 'weather', 0.3, [])])
    expect(await low.resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      matched: false,
      intent: null,
      reason: 'out-of-scope',
      confidence: 0.3,
      alternatives: [{ intent: 'weather', confidence: 0.3 }],
    })
    const lenient = new ResolverPipeline([fixedStage('low', 'weather', 0.3, [])], { threshold: 0.2 })
    expect(await lenient.resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      matched: true,
      intent: 'weather',
    })
    const rejecting: ResolverStage = {
      name: 'rejecting',
      resolve: () => ({
        candidates: [{ intent: 'weather', confidence: 0.9 }],
        rejected: true,
        source: 'rejecting',
      }),
    }
    expect(await new ResolverPipeline([rejecting]).resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      matched: false,
      reason: 'out-of-scope',
    })
    const silent: ResolverStage = { name: 'silent', resolve: () => undefined }
    expect(await new ResolverPipeline([silent]).resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      matched: false,
      reason: 'no-match',
      confidence: 0,
    })
  })

  it('answers ambiguous, with the alternatives, just under the threshold (clarifyBand of it)', async () => {
    const close = new ResolverPipeline([fixedStage('close', 'weather', 0.47, [])])
    expect(await close.resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      matched: false,
      intent: null,
      reason: 'ambiguous',
      alternatives: [{ intent: 'weather', confidence: 0.47 }],
    })
    const off = new ResolverPipeline([fixedStage('close', 'weather', 0.47, [])], { clarifyBand: 0 })
    expect(await off.resolve({ text: 'x' }, {}, lookup)).toMatchObject({ reason: 'out-of-scope' })
    const wide = new ResolverPipeline([fixedStage('low', 'weather', 0.3, [])], { clarifyBand: 0.5 })
    expect(await wide.resolve({ text: 'x' }, {}, lookup)).toMatchObject({ reason: 'ambiguous' })
    expect(() => new ResolverPipeline([], { clarifyBand: 2 })).toThrow(/clarifyBand/)
  })

  it("uses the deciding stage's threshold unless the pipeline sets one", async () => {
    const calibrated: ResolverStage = {
      name: 'calibrated',
      resolve: () => ({
        candidates: [{ intent: 'weather', confidence: 0.4 }],
        threshold: 0.35,
        source: 'calibrated',
      }),
    }
    expect(await new ResolverPipeline([calibrated]).resolve({ text: 'x' }, {}, lookup)).toMatchObject({
      matched: true,
    })
    expect(
      await new ResolverPipeline([calibrated], { threshold: 0.5 }).resolve({ text: 'x' }, {}, lookup),
    ).toMatchObject({
      matched: false,
    })
  })

  it('hands a custom stage the query, context, intents and the current result', async () => {
    const seen: unknown[] = []
    const llm: ResolverStage = {
      name: 'llm',
      async resolve(input, current) {
        seen.push({
          text: input.text,
          user: input.context.user,
          has: input.intents.has('weather'),
          current: current?.source,
        })
        if (current && current.candidates[0]!.confidence > 0.8) return undefined
        return { candidates: [{ intent: 'store_hours', confidence: 0.88 }], source: 'llm' }
      },
    }
    const pipeline = new ResolverPipeline([fixedStage('guess', 'weather', 0.55, []), llm])
    const decision = await pipeline.resolve({ text: 'are you open late' }, { user: 'ada' }, lookup)
    expect(seen).toEqual([{ text: 'are you open late', user: 'ada', has: true, current: 'guess' }])
    expect(decision).toMatchObject({ intent: 'store_hours', source: 'llm' })
  })

  it('returns at most `limit` alternatives, from the query or the options', async () => {
    const many: ResolverStage = {
      name: 'many',
      resolve: (input) => ({
        candidates: ['weather', 'store_hours', 'order_status', 'cancel_order']
          .slice(0, input.limit)
          .map((name, i) => ({ intent: name, confidence: 0.9 - i * 0.1 })),
        source: 'many',
      }),
    }
    expect((await new ResolverPipeline([many]).resolve({ text: 'x' }, {}, lookup)).alternatives).toHaveLength(
      3,
    )
    expect(
      (await new ResolverPipeline([many], { limit: 1 }).resolve({ text: 'x' }, {}, lookup)).alternatives,
    ).toEqual([{ intent: 'store_hours', confidence: 0.8 }])
    expect(
      (await new ResolverPipeline([many]).resolve({ text: 'x', limit: 0 }, {}, lookup)).alternatives,
    ).toEqual([])
  })

  it('refuses malformed stages and options', () => {
    expect(() => new ResolverPipeline([{ name: 'x' } as never])).toThrow(/Stage 0/)
    expect(
      () =>
        new ResolverPipeline([
          { name: 'a', resolve: () => undefined },
          { name: 'a', resolve: () => undefined },
        ]),
    ).toThrow(/Two stages are named 'a'/)
    expect(() => new ResolverPipeline([], { earlyExit: 2 })).toThrow(/earlyExit/)
    expect(() => new ResolverPipeline([], { limit: -1 })).toThrow(/limit/)
  })
})

describe('default stages', () => {
  it('exact stage: names, spaced names, aliases and examples, with confidence 1', async () => {
    const stage = exactStage()
    stage.prepare!(intents)
    const input = (text: string) => ({ text, query: { text }, context: {}, intents: lookup, limit: 3 })
    expect(await stage.resolve(input('Order Status?'), undefined)).toEqual({
      candidates: [{ intent: 'order_status', confidence: 1 }],
      source: 'exact',
    })
    expect((await stage.resolve(input('track package'), undefined))?.candidates[0]?.intent).toBe(
      'order_status',
    )
    expect((await stage.resolve(input('Will it rain tomorrow?'), undefined))?.candidates[0]?.intent).toBe(
      'weather',
    )
    expect(await stage.resolve(input('will it snow'), undefined)).toBeUndefined()
    expect(await stage.resolve(input('weather'), undefined)).toMatchObject({
      candidates: [{ intent: 'weather' }],
    })
    const without = exactStage({ examples: false })
    without.prepare!(intents)
    expect(await without.resolve(input('will it rain tomorrow'), undefined)).toBeUndefined()
  })

  it('context stage: the previous intent and related intents gain confidence and can win', async () => {
    const classifier = classifierStage()
    const context = contextStage({ previousBoost: 0.5, relatedBoost: 0 })
    const pipeline = new ResolverPipeline([classifier, context], { earlyExit: 1 })
    await pipeline.prepare(intents)
    const text = 'my order'
    const plain = await pipeline.resolve({ text, limit: 4 }, {}, lookup)
    const ranked = plain.result!.candidates.map((candidate) => candidate.intent)
    expect(ranked.slice(0, 2).sort()).toEqual(['cancel_order', 'order_status'])
    const other = ranked[0] === 'order_status' ? 'cancel_order' : 'order_status'
    const boosted = await pipeline.resolve({ text, limit: 4, previousIntent: other }, {}, lookup)
    expect(boosted).toMatchObject({ matched: true, intent: other })
    expect(boosted.result?.details?.contextBoost).toEqual({ [other]: 0.5 })
    const fromContext = await pipeline.resolve({ text, limit: 4 }, { previousIntent: other }, lookup)
    expect(fromContext.result?.details?.contextBoost).toEqual({ [other]: 0.5 })
    // Related by tag: the previous intent is not a candidate itself, its tag-mates gain the related boost.
    const related = contextStage({ relatedBoost: 0.1 })
    const current: StageResult = {
      candidates: [
        { intent: 'weather', confidence: 0.5 },
        { intent: 'cancel_order', confidence: 0.45 },
      ],
      source: 'test',
    }
    const result = await related.resolve(
      { text, query: { text, previousIntent: 'order_status' }, context: {}, intents: lookup, limit: 3 },
      current,
    )
    expect(result?.candidates).toEqual([
      { intent: 'cancel_order', confidence: 0.55 },
      { intent: 'weather', confidence: 0.5 },
    ])
  })

  it('context stage: a user-profile hook adjusts candidates, within 0–1', async () => {
    const stage = contextStage({
      profile: (candidate, context) => (context.vip && candidate.name === 'weather' ? 0.9 : undefined),
    })
    const current: StageResult = { candidates: [{ intent: 'weather', confidence: 0.5 }], source: 'test' }
    const input = { text: 'x', query: { text: 'x' }, context: { vip: true }, intents: lookup, limit: 3 }
    expect((await stage.resolve(input, current))?.candidates).toEqual([{ intent: 'weather', confidence: 1 }])
    expect(await stage.resolve({ ...input, context: {} }, current)).toBeUndefined()
  })

  it('classifier stage: answers from examples and descriptions, and never names an unknown intent', async () => {
    const stage = classifierStage()
    await stage.prepare!([
      ...intents,
      intent('refund', [], { description: 'Ask for a refund of a purchase' }),
    ])
    expect(stage.classifier?.intents).toContain('refund')
    const input = (text: string, known = lookup) => ({
      text,
      query: { text },
      context: {},
      intents: known,
      limit: 3,
    })
    const withRefund = new Map(lookup).set('refund', intent('refund', []))
    expect(
      (await stage.resolve(input('i would like a refund for my purchase', withRefund), undefined))
        ?.candidates[0]?.intent,
    ).toBe('refund')
    const result = await stage.resolve(input('i would like a refund for my purchase'), undefined)
    expect(result?.candidates.map((c) => c.intent)).not.toContain('refund')
  })
})
