import { describe, expect, it } from 'vitest'
import { classifierStage, type IntentExample } from '../src/index.js'
import { intentsOf } from '../src/eval/resolve-eval.js'
import { sampleShots } from '../src/eval/shots.js'
import { NAME_PLACEHOLDER, NameMasker } from '../src/slots/name-masker.js'
import type { StageInput } from '../src/stages/types.js'
import { loadSplit } from './helpers.js'

const snips = loadSplit('snips', 'train')
const split = sampleShots(snips, 70, 1)
const annotated = split.train.map((example) => ({ text: example.text, entities: example.entities ?? [] }))
const test = split.rest.filter((_, i) => i % 20 === 0)

describe('NameMasker', () => {
  const masker = NameMasker.train(annotated)!

  it('treats as names the entities whose values hardly repeat, not closed sets', () => {
    expect(masker.entities).toEqual(
      expect.arrayContaining(['object_name', 'artist', 'playlist', 'movie_name']),
    )
    for (const closed of ['object_type', 'rating_value', 'music_item', 'best_rating'])
      expect(masker.entities).not.toContain(closed)
  })

  it('masks the names of sentences it never saw, whatever their intent', () => {
    let names = 0
    let found = 0
    for (const example of test)
      for (const span of example.entities ?? []) {
        if (!masker.entities.includes(span.entity)) continue
        names++
        const before = example.text.slice(0, span.start)
        if (masker.mask(example.text).startsWith(`${before}${NAME_PLACEHOLDER}`)) found++
      }
    expect(names).toBeGreaterThan(200)
    expect(found / names).toBeGreaterThan(0.6)
    expect(masker.mask('Play The Last Mile album')).toBe(`Play ${NAME_PLACEHOLDER} album`)
    expect(masker.mask('what will the weather be')).toBe('what will the weather be')
    // A huge query is read up to the classifier's 1,000 characters, not tagged whole.
    const huge = 'play The Last Mile album '.repeat(4000)
    const started = performance.now()
    expect(masker.mask(huge).length).toBeLessThan(1000)
    expect(performance.now() - started).toBeLessThan(200)
  })

  it('masks annotated names only, and learns nothing from too few of them', () => {
    const text = 'rate The Hobbit five stars'
    const entities = [
      { start: 5, end: 15, entity: 'object_name' },
      { start: 16, end: 20, entity: 'rating_value' },
    ]
    expect(masker.maskAnnotated(text, entities)).toBe(`rate ${NAME_PLACEHOLDER} five stars`)
    expect(NameMasker.train(annotated.slice(0, 5))).toBeUndefined()
  })
})

describe('classifierStage with masked names', () => {
  const intents = intentsOf(split.train)
  const lookup = new Map(intents.map((intent) => [intent.name, intent]))
  const top1 = (stage: ReturnType<typeof classifierStage>, rows: readonly IntentExample[]) => {
    let right = 0
    for (const example of rows) {
      const input = { text: example.text, intents: lookup, limit: 3 } as unknown as StageInput
      const result = stage.resolve(input, undefined) as { candidates: { intent: string }[] }
      if (result.candidates[0]!.intent === example.intent) right++
    }
    return right / rows.length
  }

  it('votes with a classifier of masked sentences, which ranks SNIPS better', () => {
    const plain = classifierStage({ maskNames: false, training: { seed: 1 } })
    const masked = classifierStage({ training: { seed: 1 } })
    plain.prepare!(intents)
    masked.prepare!(intents)
    expect(plain.names).toBeUndefined()
    expect(masked.names?.masker.entities).toContain('object_name')
    expect(masked.names?.classifier.intents).toEqual(masked.classifier?.intents)
    const rows = split.rest.filter((_, i) => i % 5 === 0)
    expect(top1(masked, rows)).toBeGreaterThan(top1(plain, rows))
  })
})
