import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runSemanticCommand } from '@ixp/plugin-semantic/cli'
import { DEFAULT_CALIBRATION, IntentClassifier, type IntentExample } from '../src/index.js'
import { DATASETS, slice } from './helpers.js'

function capture(isTTY = false) {
  const out: string[] = []
  const err: string[] = []
  return {
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      isTTY,
    },
    out: () => out.join(''),
    err: () => err.join(''),
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ixp-semantic-'))
function jsonl(name: string, examples: readonly IntentExample[]): string {
  const file = join(dir, name)
  writeFileSync(file, examples.map((example) => JSON.stringify(example)).join('\n') + '\n')
  return file
}
const train = jsonl('train.jsonl', slice('clinc150', 'train', { intents: 15, perIntent: 30, oos: 40 }))
const val = slice('clinc150', 'val', { intents: 15, perIntent: 20, oos: 100 })
const valFile = jsonl(
  'val.jsonl',
  val.slice(0, 200).concat(val.filter((e) => e.intent === 'oos').slice(0, 50)),
)
const testFile = jsonl('test.jsonl', val.slice(200))

describe('ixp semantic: arguments', () => {
  it('prints usage and exits 2 on bad arguments, naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: ixp semantic/],
      [['frobnicate'], /Unknown command 'frobnicate'/],
      [['eval', '--test', testFile], /needs at least one --train/],
      [['eval', '--train', train], /needs --test/],
      [['eval', '--train', train, '--test', testFile, '--bogus'], /Unknown option '--bogus'/],
      [['eval', '--train'], /'--train' needs a value/],
      [['eval', '--train', train, '--test', testFile, '--test', testFile], /may be given once/],
      [['eval', '--train', train, '--test', testFile, '--seed', 'x'], /'--seed' must be an integer/],
      [['eval', '--train', train, '--test', testFile, '--oos-weight', '0'], /positive number/],
      [['eval', 'stray', '--train', train], /Unexpected argument 'stray'/],
      [['train', '--train', train], /needs --out/],
      [['eval', '--json=yes', '--train', train, '--test', testFile], /takes no value/],
    ]
    for (const [argv, message] of cases) {
      const run = capture()
      expect(await runSemanticCommand(argv, run.io)).toBe(2)
      expect(run.err()).toMatch(message)
      expect(run.err()).toContain('Usage: ixp semantic')
      expect(run.out()).toBe('')
    }
  })

  it('prints help on --help and help, with exit 0', async () => {
    for (const argv of [['help'], ['--help'], ['eval', '--help']]) {
      const run = capture()
      expect(await runSemanticCommand(argv, run.io)).toBe(0)
      expect(run.out()).toContain('--oos-label')
    }
  })

  it('exits 1 with a clear message when a file is missing or malformed', async () => {
    const missing = capture()
    expect(
      await runSemanticCommand(['eval', '--train', join(dir, 'nope.jsonl'), '--test', testFile], missing.io),
    ).toBe(1)
    expect(missing.err()).toMatch(/cannot read '.*nope\.jsonl': ENOENT/)
    const bad = join(dir, 'bad.jsonl')
    writeFileSync(bad, '{"text":"hi","intent":"a"}\n{"text": 3}\n')
    const malformed = capture()
    expect(await runSemanticCommand(['eval', '--train', bad, '--test', testFile], malformed.io)).toBe(1)
    expect(malformed.err()).toMatch(/bad\.jsonl:2: expected/)
    expect(malformed.err()).not.toMatch(/at .*\.ts/)
  })
})

describe('ixp semantic eval --shots, with annotated rows', () => {
  const snips = readFileSync(`${DATASETS}/snips/train-300.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as IntentExample)
  const wanted = ['AddToPlaylist', 'GetWeather', 'RateBook']
  const rows = wanted.flatMap((intent) => snips.filter((row) => row.intent === intent).slice(0, 60))
  const annotated = jsonl('snips.jsonl', rows)

  it('samples K examples per intent for each seed, resolves the rest through an engine, and scores slots', async () => {
    const run = capture()
    const argv = [
      'eval',
      '--train',
      annotated,
      '--shots',
      '20',
      '--seeds',
      '1,2',
      '--max-test',
      '60',
      '--json',
    ]
    expect(await runSemanticCommand(argv, run.io)).toBe(0)
    const report = JSON.parse(run.out().trim().split('\n').pop()!)
    expect(report.shots).toBe(20)
    expect(
      report.seeds.map((seed: { seed: number; trainExamples: number; testExamples: number }) => [
        seed.seed,
        seed.trainExamples,
        seed.testExamples,
      ]),
    ).toEqual([
      [1, 60, 60],
      [2, 60, 60],
    ])
    expect(report.mean.top1).toBeGreaterThan(0.8)
    expect(report.mean.accuracy).toBeLessThanOrEqual(report.mean.top1)
    expect(report.mean.slotF1).toBeGreaterThan(0.4)
    expect(report.mean.slotF1).toBeLessThanOrEqual(1)
    const again = capture()
    expect(await runSemanticCommand(argv, again.io)).toBe(0)
    const second = JSON.parse(again.out().trim().split('\n').pop()!)
    expect(second.mean.slotF1).toBe(report.mean.slotF1)
    const text = capture()
    expect(await runSemanticCommand(argv.slice(0, -1), text.io)).toBe(0)
    expect(text.out()).toMatch(/seed 2: 60 examples, 60 test — accuracy .*slots P [\d.]+ R [\d.]+ F1 [\d.]+/)
    expect(text.out()).toMatch(/mean over 2 seed\(s\) at 20 examples per intent/)
  })

  it('refuses bad --shots and --seeds', async () => {
    const cases: [string[], RegExp][] = [
      [['--shots', '0'], /'--shots' must be a positive integer/],
      [['--shots', '5', '--seeds', '1,x'], /'--seeds' must be a comma-separated list of integers/],
    ]
    for (const [extra, message] of cases) {
      const run = capture()
      expect(await runSemanticCommand(['eval', '--train', annotated, ...extra], run.io)).toBe(2)
      expect(run.err()).toMatch(message)
    }
  })
})

describe('ixp semantic eval', () => {
  it('trains, calibrates on --val and reports accuracy, recall, latency and training time as JSON', async () => {
    const run = capture()
    expect(
      await runSemanticCommand(
        ['eval', '--train', train, '--val', valFile, '--test', testFile, '--json'],
        run.io,
      ),
    ).toBe(0)
    const lines = run.out().trim().split('\n')
    const report = JSON.parse(lines[lines.length - 1]!)
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'inScopeAccuracy',
        'oosRecall',
        'medianMicros',
        'p95Micros',
        'trainMs',
        'examples',
      ]),
    )
    expect(report.examples).toBe(15 * 30 + 40)
    expect(report.inScopeAccuracy).toBeGreaterThan(0.75)
    expect(report.inScopeAccuracy).toBeLessThanOrEqual(1)
    expect(report.oosRecall).toBeGreaterThan(0.3)
    expect(report.oosRecall).toBeLessThanOrEqual(1)
    expect(report.medianMicros).toBeGreaterThan(0)
    expect(report.p95Micros).toBeGreaterThanOrEqual(report.medianMicros)
    expect(report.trainMs).toBeGreaterThan(0)
    expect(report.calibrated).toBe(true)
    expect(run.err()).toBe('')
  })

  it('prints a readable report, and progress on stderr only on a terminal', async () => {
    const quiet = capture(false)
    expect(await runSemanticCommand(['eval', '--train', train, '--test', testFile], quiet.io)).toBe(0)
    expect(quiet.out()).toMatch(/in-scope accuracy\s+\d+\.\d+%/)
    expect(quiet.out()).toMatch(/out-of-scope recall\s+\d+\.\d+%/)
    expect(quiet.out()).toMatch(/median \d+\.\d µs, p95 \d+\.\d µs/)
    expect(quiet.out()).toMatch(/no --val: no confidence threshold/)
    expect(quiet.err()).toBe('')
    const tty = capture(true)
    expect(await runSemanticCommand(['eval', '--train', train, '--test', testFile], tty.io)).toBe(0)
    expect(tty.err()).toMatch(/training: \d+%/)
    expect(tty.err()).toMatch(/evaluating: \d+\/\d+ queries/)
    const json = capture(true)
    expect(await runSemanticCommand(['eval', '--train', train, '--test', testFile, '--json'], json.io)).toBe(
      0,
    )
    expect(json.err()).toBe('')
  })

  it('resolves relative paths against io.cwd, and reads the terminal from io.stderr.isTTY', async () => {
    const run = capture()
    const io = { ...run.io, isTTY: undefined, cwd: dir, stderr: { ...run.io.stderr, isTTY: true } }
    expect(await runSemanticCommand(['eval', '--train', 'train.jsonl', '--test', 'test.jsonl'], io)).toBe(0)
    expect(run.out()).toMatch(/in-scope accuracy/)
    expect(run.err()).toMatch(/training: \d+%/)
  })

  it('reports oosRecall null when the test set has no out-of-scope examples', async () => {
    const inScopeOnly = jsonl(
      'in-scope.jsonl',
      val.slice(200).filter((e) => e.intent !== 'oos'),
    )
    const run = capture()
    expect(
      await runSemanticCommand(['eval', '--train', train, '--test', inScopeOnly, '--json'], run.io),
    ).toBe(0)
    expect(JSON.parse(run.out().trim().split('\n').pop()!).oosRecall).toBeNull()
  })
})

describe('ixp semantic train', () => {
  it('writes a model that loads with IntentClassifier.fromJSON and keeps its calibration', async () => {
    const out = join(dir, 'model.json')
    const run = capture()
    expect(
      await runSemanticCommand(['train', '--train', train, '--val', valFile, '--out', out], run.io),
    ).toBe(0)
    expect(run.out()).toMatch(/wrote .*model\.json/)
    const model = IntentClassifier.fromJSON(JSON.parse(readFileSync(out, 'utf8')))
    expect(model.intents).toHaveLength(15)
    expect(model.calibration.threshold).not.toBe(0.5)
    expect(model.classify('what is my account balance').intent).toBe('balance')
  })

  it('without --val, calibrates the model it writes by cross-validation', async () => {
    const out = join(dir, 'model-cv.json')
    const run = capture()
    expect(await runSemanticCommand(['train', '--train', train, '--out', out, '--seed', '3'], run.io)).toBe(0)
    const model = IntentClassifier.fromJSON(readFileSync(out, 'utf8'))
    expect(model.calibration).not.toEqual(DEFAULT_CALIBRATION)
    expect(model.calibration.threshold).toBeGreaterThan(0)
  })
})
