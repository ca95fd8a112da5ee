import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { IntentClassifier, MODEL_VERSION, type IntentExample } from '../src/index.js'
import { encodeArray } from '../src/model/base64.js'
import { thresholdTurningAway } from '../src/classifier/calibration.js'
import { accuracy, slice } from './helpers.js'

const train = slice('clinc150', 'train', { intents: 25, perIntent: 40, oos: 60 })
const val = slice('clinc150', 'val', { intents: 25, perIntent: 20, oos: 60 })
const inScopeVal = val.filter((example) => example.intent !== 'oos')
const trained = IntentClassifier.train(train, { outOfScopeLabel: 'oos' })

describe('IntentClassifier: training and prediction', () => {
  it('learns a slice of CLINC150 well enough to answer held-out queries', () => {
    expect(trained.intents).toHaveLength(25)
    expect(trained.intents).not.toContain('oos')
    const top1 = accuracy((text) => trained.classify(text).ranking[0]!.intent, inScopeVal)
    expect(top1).toBeGreaterThan(0.9)
  })

  it('ranks intents with confidences between 0 and 1, best first, up to the limit', () => {
    const result = trained.classify('please tell me my account balance', 4)
    expect(result.ranking).toHaveLength(4)
    for (let i = 1; i < result.ranking.length; i++)
      expect(result.ranking[i - 1]!.confidence).toBeGreaterThanOrEqual(result.ranking[i]!.confidence)
    for (const entry of result.ranking) {
      expect(entry.confidence).toBeGreaterThanOrEqual(0)
      expect(entry.confidence).toBeLessThanOrEqual(1)
    }
    expect(result.intent).toBe('balance')
    expect(result.confidence).toBe(result.ranking[0]!.confidence)
  })

  it('is deterministic for a seed, and the seed matters', () => {
    const again = IntentClassifier.train(train, { outOfScopeLabel: 'oos' })
    expect(JSON.stringify(again.toJSON().arrays)).toBe(JSON.stringify(trained.toJSON().arrays))
    const other = IntentClassifier.train(train, { outOfScopeLabel: 'oos', seed: 7 })
    expect(JSON.stringify(other.toJSON().arrays.weights)).not.toBe(
      JSON.stringify(trained.toJSON().arrays.weights),
    )
  })

  it('reports its size and training time', () => {
    expect(trained.stats).toMatchObject({ intents: 25, examples: train.length })
    expect(trained.stats.features).toBeGreaterThan(1000)
    expect(trained.stats.weights).toBeGreaterThan(trained.stats.features)
    expect(trained.stats.trainMs).toBeGreaterThan(0)
  })

  it('reports training progress', () => {
    const phases = new Set<string>()
    let last = 0
    IntentClassifier.train(train.slice(0, 200), {
      onProgress: (progress) => {
        phases.add(progress.phase)
        if (progress.phase === 'train') last = progress.done / progress.total
      },
    })
    expect([...phases]).toEqual(['features', 'train', 'calibration'])
    expect(last).toBe(1)
  })

  it('weighs character n-grams more when intents have few examples, unless told otherwise', () => {
    const few = slice('clinc150', 'train', { intents: 5, perIntent: 10 })
    const charWeight = (classifier: IntentClassifier) => classifier.toJSON().blockWeights.char
    expect(charWeight(IntentClassifier.train(few, { calibrationFolds: 0 }))).toBe(1.5)
    expect(charWeight(IntentClassifier.train(few, { calibrationFolds: 0, charWeight: 1 }))).toBe(1)
    const many = slice('clinc150', 'train', { intents: 5, perIntent: 40 })
    expect(charWeight(IntentClassifier.train(many, { calibrationFolds: 0 }))).toBe(1)
  })

  it('trains on a single intent without failing', () => {
    const single = IntentClassifier.train([
      { text: 'where is my order', intent: 'order_status' },
      { text: 'track my package', intent: 'order_status' },
    ])
    expect(single.classify('where is my package').intent).toBe('order_status')
  })
})

describe('IntentClassifier: out of scope', () => {
  it('rejects text with no known word or word part', () => {
    const result = trained.classify('ʘʘʘ ʘʘ')
    expect(result).toMatchObject({ intent: null, outOfScope: true, rejectedBy: 'unknown-words' })
    expect(trained.classify('').rejectedBy).toBe('unknown-words')
  })

  it('rejects text closer to the out-of-scope examples than to any intent', () => {
    const oosVal = val.filter((example) => example.intent === 'oos')
    const rejected = oosVal.filter((example) => trained.classify(example.text).outOfScope).length
    expect(rejected / oosVal.length).toBeGreaterThan(0.5)
    const reasons = new Set(oosVal.map((example) => trained.classify(example.text).rejectedBy))
    expect(reasons.has('out-of-scope-examples')).toBe(true)
  })

  it("keeps a closed domain's own sentences: the cross-validated threshold turns away few right answers", () => {
    // SNIPS: 7 distinct intents; each calibration fold leaves one out as a stand-in for out-of-scope text,
    // and those stand-ins alone would put the threshold where it turns away about 5% of the domain's sentences.
    // Three stand-in intents are little evidence: the bound shrinks to 3/20 of 2%.
    const snips = slice('snips', 'train', { intents: 7, perIntent: 140 })
    const seen = new Map<string, number>()
    const rank = (example: IntentExample) => {
      const k = seen.get(example.intent) ?? 0
      seen.set(example.intent, k + 1)
      return k
    }
    const ranks = snips.map(rank)
    const closedTrain = snips.filter((_, i) => ranks[i]! < 50)
    const closedTest = snips.filter((_, i) => ranks[i]! >= 50)
    const turnedAway = (classifier: IntentClassifier) => {
      const right = closedTest.filter((e) => classifier.classify(e.text).ranking[0]!.intent === e.intent)
      return right.filter((e) => classifier.classify(e.text).outOfScope).length / right.length
    }
    const bounded = IntentClassifier.train(closedTrain)
    const unbounded = IntentClassifier.train(closedTrain, { maxTurnedAway: 1 })
    expect(bounded.calibration.threshold).toBeLessThan(unbounded.calibration.threshold)
    expect(turnedAway(bounded)).toBeLessThanOrEqual(0.01)
    expect(turnedAway(unbounded)).toBeGreaterThan(turnedAway(bounded))
    // A share of 2% without the shrinking, on the same held-out answers, sits higher.
    const looser = IntentClassifier.train(closedTrain, { maxTurnedAway: 0.02 * (20 / 3) })
    expect(bounded.calibration.threshold).toBeLessThan(looser.calibration.threshold)
  })

  it('bounds the share of held-out right answers a threshold turns away', () => {
    const confidence = Float64Array.from({ length: 100 }, (_, i) => (i + 1) / 100)
    const correct = new Uint8Array(100).fill(1)
    const none = new Uint8Array(100)
    const bound = (share: number, minAnswers = 50) =>
      thresholdTurningAway(confidence, correct, none, none, { share, minAnswers })
    expect(bound(0.02)).toBeCloseTo(0.025) // turns away 0.01 and 0.02
    expect(bound(0.003)).toBeCloseTo(0.005) // allows none: under the lowest right answer
    expect(bound(0.02, 200)).toBe(1) // too few answers to estimate a share from: no bound
  })

  it('rejects by threshold when no intent is confident enough, and a threshold of 0 accepts', () => {
    const strict = IntentClassifier.fromJSON(trained.toJSON())
    strict.setCalibration({ threshold: 0.999999 })
    const result = strict.classify('what is the balance of my checking account')
    expect(result.rejectedBy).toBe('threshold')
    expect(result.intent).toBeNull()
    expect(result.ranking[0]!.intent).toBe('balance')
    strict.setCalibration({ threshold: 0 })
    expect(strict.classify('what is the balance of my checking account').intent).toBe('balance')
  })

  it('calibrates confidences and the threshold on held-out examples', () => {
    const copy = IntentClassifier.fromJSON(trained.toJSON())
    const report = copy.calibrate(val)
    expect(report.examples).toBe(val.length)
    expect(report.outOfScope).toBe(60)
    expect(report.thresholdFrom).toBe('held-out out-of-scope examples')
    expect(report.slope).toBeGreaterThan(0)
    expect(report.threshold).toBeGreaterThan(0)
    expect(report.threshold).toBeLessThan(1)
    expect(copy.calibration).toEqual({
      slope: report.slope,
      offset: report.offset,
      threshold: report.threshold,
    })
    // On the data it was chosen on, the threshold must do at least as well as accepting everything.
    const score = (classifier: IntentClassifier) =>
      val.filter((example) => {
        const result = classifier.classify(example.text)
        return example.intent === 'oos' ? result.outOfScope : result.intent === example.intent
      }).length
    const acceptAll = IntentClassifier.fromJSON(copy.toJSON())
    acceptAll.setCalibration({ threshold: 0 })
    expect(score(copy)).toBeGreaterThanOrEqual(score(acceptAll))
  })

  it('without out-of-scope examples, sets the threshold at a fitted probability of 0.5', () => {
    const copy = IntentClassifier.fromJSON(trained.toJSON())
    const report = copy.calibrate(inScopeVal)
    expect(report).toMatchObject({ outOfScope: 0, threshold: 0.5, thresholdFrom: 'fitted probability 0.5' })
  })
})

describe('IntentClassifier: serialisation', () => {
  it('round-trips through JSON text with identical predictions', () => {
    const json = JSON.parse(JSON.stringify(trained))
    expect(json).toMatchObject({ format: 'ixp-semantic-classifier', version: MODEL_VERSION })
    const loaded = IntentClassifier.fromJSON(json)
    expect(loaded.intents).toEqual(trained.intents)
    expect(loaded.calibration).toEqual(trained.calibration)
    for (const example of val)
      expect(loaded.classify(example.text, 3)).toEqual(trained.classify(example.text, 3))
    expect(IntentClassifier.fromJSON(JSON.stringify(trained)).classify('balance please')).toEqual(
      trained.classify('balance please'),
    )
  })

  it('reads a version 1 model (one score per label) and predicts as it did', () => {
    const v1 = JSON.parse(readFileSync(new URL('./fixtures/model-v1.json', import.meta.url), 'utf8'))
    expect(v1.version).toBe(1)
    const loaded = IntentClassifier.fromJSON(v1)
    expect(loaded.intents).toEqual(['balance', 'card_lost', 'transfer'])
    // What the version 1 code answered for these texts.
    expect(loaded.classify('balance please')).toMatchObject({ intent: 'balance' })
    expect(loaded.classify('i lost my credit card').ranking.map((r) => r.intent)).toEqual([
      'card_lost',
      'balance',
      'transfer',
    ])
    expect(loaded.classify('send 5 dollars to carol').confidence).toBeCloseTo(0.99384, 4)
    // Version 2 holds one score per label (sparse trainer) or two; any other count is corrupt.
    expect(IntentClassifier.fromJSON({ ...v1, version: 2 }).classify('balance please')).toEqual(
      loaded.classify('balance please'),
    )
    const threePerLabel = encodeArray(new Float32Array(3 * v1.labels.length))
    expect(() =>
      IntentClassifier.fromJSON({ ...v1, version: 2, arrays: { ...v1.arrays, bias: threePerLabel } }),
    ).toThrow(/one or two entries per label/)
  })

  it('refuses what it cannot read, naming the problem', () => {
    const good = trained.toJSON()
    const bad: [unknown, RegExp][] = [
      [null, /expected an object/],
      ['{not json', /not JSON/],
      [{ ...good, format: 'other' }, /'format'/],
      [{ ...good, version: 99 }, /version 99 is not supported/],
      [{ ...good, labels: [] }, /'labels'/],
      [{ ...good, arrays: { ...good.arrays, weights: '!!!!' } }, /arrays.weights/],
      [{ ...good, arrays: { ...good.arrays, idf: good.arrays.bias } }, /arrays.idf/],
      [{ ...good, calibration: { ...good.calibration, slope: 'x' } }, /calibration.slope/],
    ]
    for (const [input, message] of bad) {
      expect(() => IntentClassifier.fromJSON(input)).toThrow(message)
      try {
        IntentClassifier.fromJSON(input)
      } catch (error) {
        expect(error).toMatchObject({ name: 'IxpError', code: 'SEMANTIC_INVALID_MODEL', status: 400 })
      }
    }
  })
})

describe('IntentClassifier: bad input', () => {
  it('refuses malformed examples and options with typed errors', () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => IntentClassifier.train([]), 'SEMANTIC_INVALID_EXAMPLES', /non-empty array/],
      [
        () => IntentClassifier.train([{ text: 3, intent: 'a' } as never]),
        'SEMANTIC_INVALID_EXAMPLES',
        /Example 0 has no 'text'/,
      ],
      [() => IntentClassifier.train([{ text: 'hi', intent: '' }]), 'SEMANTIC_INVALID_EXAMPLES', /'intent'/],
      [
        () => IntentClassifier.train([{ text: 'x', intent: 'oos' }], { outOfScopeLabel: 'oos' }),
        'SEMANTIC_INVALID_EXAMPLES',
        /at least one intent/,
      ],
      [() => IntentClassifier.train(train, { c: -1 }), 'SEMANTIC_INVALID_OPTIONS', /'c'/],
      [
        () => IntentClassifier.train(train, { maxTurnedAway: 1.5 }),
        'SEMANTIC_INVALID_OPTIONS',
        /'maxTurnedAway'/,
      ],
      [
        () => IntentClassifier.train(train, { features: { charMin: 4, charMax: 2 } }),
        'SEMANTIC_INVALID_OPTIONS',
        /charMin/,
      ],
      [() => trained.setCalibration({ threshold: 2 }), 'SEMANTIC_INVALID_OPTIONS', /threshold/],
      [
        () => trained.calibrate([{ text: 'x', intent: 'unknown' } as IntentExample]),
        'SEMANTIC_INVALID_EXAMPLES',
        /knows/,
      ],
    ]
    for (const [run, code, message] of cases) {
      expect(run).toThrow(message)
      try {
        run()
      } catch (error) {
        expect(error).toMatchObject({ code })
      }
    }
  })
})
