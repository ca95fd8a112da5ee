/**
 * `pnpm bench semantic` — @ixp/plugin-semantic on CLINC150: training time of the embedded classifier on
 * the 15,100 training examples (as `ixp semantic eval` trains it, with the threshold calibrated on val
 * afterwards), per-query latency of `classify()` over the 3,100 validation queries (median and p95 of single
 * queries, several rounds), queries per second of `classify()` against `engine.resolve()` through the plugin,
 * and the size of the serialised model.
 *
 * Datasets: SEMANTIC_DATASETS (default /work/shared/datasets); the benchmark is skipped when absent.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createEngine, silentLogger } from '@ixp/core'
import { IntentClassifier, parseJsonl, semantic } from '../packages/plugin-semantic/src/index.js'
import { compareRates, formatRate, median, percentile, printTable } from './measure.js'

const DATASETS = process.env.SEMANTIC_DATASETS ?? '/work/shared/datasets'

function load(file: string) {
  return parseJsonl(readFileSync(`${DATASETS}/${file}`, 'utf8'), file)
}

export default async function run(): Promise<void> {
  if (!existsSync(`${DATASETS}/clinc150/train.jsonl`)) {
    console.log(`skipped: no CLINC150 under ${DATASETS}`)
    return
  }
  const train = load('clinc150/train.jsonl')
  const val = load('clinc150/val.jsonl')

  // Training: three runs, the median reported (the machines are shared and noisy).
  const trainMs: number[] = []
  const cpuMs: number[] = []
  let classifier: IntentClassifier | undefined
  for (let round = 0; round < 3; round++) {
    const cpu = process.cpuUsage()
    const started = performance.now()
    classifier = IntentClassifier.train(train, { outOfScopeLabel: 'oos', calibrationFolds: 0 })
    trainMs.push(performance.now() - started)
    const used = process.cpuUsage(cpu)
    cpuMs.push((used.user + used.system) / 1000)
  }
  const model = classifier!
  const report = model.calibrate(val, { outOfScopeLabel: 'oos' })

  // Latency of single queries: a warm-up pass, then every validation query timed on its own, 5 rounds.
  for (const example of val) model.classify(example.text)
  const micros: number[] = []
  for (let round = 0; round < 5; round++) {
    for (const example of val) {
      const started = performance.now()
      model.classify(example.text)
      micros.push((performance.now() - started) * 1000)
    }
  }

  const engine = createEngine({ logger: silentLogger })
  engine.registerComponent({ name: 'Answer', render: () => null })
  const intents = [...new Set(train.map((example) => example.intent))].filter((name) => name !== 'oos')
  for (const name of intents)
    engine.registerIntent({
      name,
      description: name.replace(/_/g, ' '),
      component: 'Answer',
      parameters: { type: 'object' },
      examples: train.filter((example) => example.intent === name).map((example) => example.text),
    })
  engine.use(semantic({ model }))
  await engine.ready()

  let i = 0
  const next = () => val[i++ % val.length]!.text
  const rates = await compareRates(
    {
      'classifier.classify()': () => model.classify(next()),
      'engine.resolve() with semantic()': () => engine.resolve(next()),
    },
    { rounds: 5, ms: 300 },
  )
  await engine.close()

  const json = JSON.stringify(model.toJSON())
  printTable([
    {
      figure: 'training, 15,100 examples (wall, median of 3)',
      value: `${Math.round(median(trainMs)).toLocaleString('en-US')} ms`,
    },
    {
      figure: 'training (process CPU, median of 3)',
      value: `${Math.round(median(cpuMs)).toLocaleString('en-US')} ms`,
    },
    { figure: 'classify(), median per query', value: `${median(micros).toFixed(1)} µs` },
    { figure: 'classify(), p95 per query', value: `${percentile(micros, 95).toFixed(1)} µs` },
    ...rates.map((rate) => ({ figure: `${rate.name}, queries/s`, value: formatRate(rate.opsPerSec) })),
    {
      figure: 'model: features / weights / JSON size',
      value: `${model.stats.features.toLocaleString('en-US')} / ${model.stats.weights.toLocaleString('en-US')} / ${(json.length / 1024 / 1024).toFixed(1)} MiB`,
    },
    { figure: 'calibrated threshold (on val)', value: report.threshold.toFixed(3) },
  ])
}
