/**
 * `pnpm bench slots` — @ixp/plugin-semantic's slot filling on SNIPS: 70 annotated examples per intent sampled
 * from train (seed 1), 1,000 other train sentences resolved one at a time through `engine.resolve()`. The
 * baseline is the same engine with `extractParameters: false` and `maskNames: false` (intent only, one
 * classifier), measured in the same run; then intent only with the default name masking (a name tagger and a
 * second classifier), then with slots. The figure is the median per query and the ratio against the baseline.
 *
 * Datasets: SEMANTIC_DATASETS (default /work/shared/datasets); the benchmark is skipped when absent.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createEngine, silentLogger, type Engine } from '@ixp/core'
import { parseJsonl, semantic } from '../packages/plugin-semantic/src/index.js'
import { intentsOf } from '../packages/plugin-semantic/src/eval/resolve-eval.js'
import { sampleShots } from '../packages/plugin-semantic/src/eval/shots.js'
import { median, percentile, printTable } from './measure.js'

const DATASETS = process.env.SEMANTIC_DATASETS ?? '/work/shared/datasets'

async function engineFor(
  examples: ReturnType<typeof parseJsonl>,
  slots: boolean,
  maskNames = true,
): Promise<Engine> {
  const engine = createEngine({
    logger: silentLogger,
    plugins: [semantic({ extractParameters: slots, maskNames })],
  })
  engine.registerComponent({ name: 'Eval', render: () => null })
  for (const intent of intentsOf(examples)) engine.registerIntent(intent)
  await engine.ready()
  return engine
}

async function timeQueries(engine: Engine, texts: readonly string[]): Promise<number[]> {
  for (const text of texts) await engine.resolve(text)
  const micros: number[] = []
  for (let round = 0; round < 3; round++)
    for (const text of texts) {
      const started = performance.now()
      await engine.resolve(text)
      micros.push((performance.now() - started) * 1000)
    }
  return micros
}

export default async function run(): Promise<void> {
  const file = `${DATASETS}/snips/train.jsonl`
  if (!existsSync(file)) {
    console.log(`skipped: no SNIPS under ${DATASETS}`)
    return
  }
  const { train, rest } = sampleShots(parseJsonl(readFileSync(file, 'utf8'), file), 70, 1)
  const texts = rest.filter((_, i) => i % Math.floor(rest.length / 1000) === 0).map((row) => row.text)
  const withSlots = await engineFor(train, true)
  const intentOnly = await engineFor(train, false)
  const oneClassifier = await engineFor(train, false, false)
  const base = await timeQueries(oneClassifier, texts)
  const masked = await timeQueries(intentOnly, texts)
  const slots = await timeQueries(withSlots, texts)
  await withSlots.close()
  await intentOnly.close()
  await oneClassifier.close()
  printTable([
    {
      case: 'resolve, intent only, names not masked (baseline)',
      'median µs': median(base).toFixed(1),
      'p95 µs': percentile(base, 95).toFixed(1),
      ratio: '1.00',
    },
    {
      case: 'resolve, intent only (names masked: the default)',
      'median µs': median(masked).toFixed(1),
      'p95 µs': percentile(masked, 95).toFixed(1),
      ratio: (median(masked) / median(base)).toFixed(2),
    },
    {
      case: 'resolve with slots (tagger, system hints)',
      'median µs': median(slots).toFixed(1),
      'p95 µs': percentile(slots, 95).toFixed(1),
      ratio: (median(slots) / median(base)).toFixed(2),
    },
  ])
}
