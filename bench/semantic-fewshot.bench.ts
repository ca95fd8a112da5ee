/**
 * `pnpm bench semantic-fewshot` — @ixp/plugin-semantic's classifier with 10 examples per intent: closed-set
 * top-1 of `classify()` on BANKING77, HWU64 and CLINC150 (train-only splits: K examples per intent sampled
 * from train, tested on at most 1,500 of the other train rows, or on CLINC150's val; seeds 1, 2, 3, mean),
 * for the default options and for each variant of `ClassifierOptions` in IXP_BENCH_FEWSHOT_VARIANTS (a JSON
 * array; default `[{ "charWeight": 1 }]`, the character weight used before few-shot sets got 1.5), measured
 * in the same run. Calibration is skipped: it does not change the ranking.
 *
 * Datasets: SEMANTIC_DATASETS (default /work/shared/datasets); a missing dataset is skipped.
 */
import { existsSync, readFileSync } from 'node:fs'
import {
  IntentClassifier,
  parseJsonl,
  type ClassifierOptions,
} from '../packages/plugin-semantic/src/index.js'
import { intentsOf } from '../packages/plugin-semantic/src/eval/resolve-eval.js'
import { sampleShots } from '../packages/plugin-semantic/src/eval/shots.js'
import { examplesOf } from '../packages/plugin-semantic/src/stages/classifier.js'
import { printTable } from './measure.js'

const DATASETS = process.env.SEMANTIC_DATASETS ?? '/work/shared/datasets'
const SHOTS = 10
const SEEDS = [1, 2, 3]
const MAX_TEST = 1500

function spread<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows]
  const step = rows.length / max
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)]!)
}

function load(dataset: string, split: string) {
  const file = `${DATASETS}/${dataset}/${split}.jsonl`
  if (!existsSync(file)) return undefined
  return parseJsonl(readFileSync(file, 'utf8'), file).filter((row) => row.intent !== 'oos')
}

/** Mean closed-set top-1 over the seeds, and each seed's. */
function top1(dataset: string, options: ClassifierOptions): number[] | undefined {
  const train = load(dataset, 'train')
  if (!train) return undefined
  const val = dataset === 'clinc150' ? load(dataset, 'val') : undefined
  return SEEDS.map((seed) => {
    const split = sampleShots(train, SHOTS, seed)
    const test = spread(val ?? split.rest, MAX_TEST)
    // As the plugin trains: examples, description and name of each intent.
    const classifier = IntentClassifier.train(examplesOf(intentsOf(split.train)), {
      seed,
      calibrationFolds: 0,
      ...options,
    })
    let right = 0
    for (const row of test) if (classifier.classify(row.text, 1).ranking[0]!.intent === row.intent) right++
    return right / test.length
  })
}

export default async function run(): Promise<void> {
  const variants = JSON.parse(
    process.env.IXP_BENCH_FEWSHOT_VARIANTS ?? '[{ "charWeight": 1 }]',
  ) as ClassifierOptions[]
  const rows: Record<string, string>[] = []
  for (const options of [{}, ...variants]) {
    const row: Record<string, string> = { options: JSON.stringify(options) }
    for (const dataset of ['banking77', 'hwu64', 'clinc150']) {
      const figures = top1(dataset, options)
      row[dataset] = figures
        ? `${((figures.reduce((a, b) => a + b, 0) / figures.length) * 100).toFixed(2)}%`
        : 'skipped'
    }
    rows.push(row)
  }
  printTable(rows)
}
