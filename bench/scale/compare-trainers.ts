/**
 * Closed-set top-1 accuracy and training CPU of the exact and the sparse trainer on one real dataset, so the
 * sparse trainer's approximation is checked where both can run. CLINC150: trained on train, tested on val
 * (out-of-scope examples left out); other datasets: fold 0 of train (every fifth example of each intent) held
 * out. Usage: compare-trainers.ts <clinc150|banking77|hwu64> exact sparse
 */
import { readFileSync } from 'node:fs'
import { IntentClassifier, parseJsonl } from '../../packages/plugin-semantic/src/index.js'
const ds = process.argv[2]!
const load = (f: string) => parseJsonl(readFileSync(`/work/shared/datasets/${ds}/${f}.jsonl`, 'utf8'), f)
let train = load('train').filter((e) => e.intent !== 'oos')
let val: typeof train
if (ds === 'clinc150') val = load('val').filter((e) => e.intent !== 'oos')
else {
  const seen = new Map<string, number>()
  const fold = train.map((e) => {
    const k = seen.get(e.intent) ?? 0
    seen.set(e.intent, k + 1)
    return k % 5
  })
  val = train.filter((_, i) => fold[i] === 0)
  train = train.filter((_, i) => fold[i] !== 0)
}
for (const trainer of process.argv.slice(3) as ('exact' | 'sparse')[]) {
  const cpu = process.cpuUsage()
  const c = IntentClassifier.train(train, { calibrationFolds: 0, trainer })
  const u = process.cpuUsage(cpu)
  let ok = 0
  for (const e of val) if (c.classify(e.text).ranking[0]?.intent === e.intent) ok++
  console.log(
    ds,
    trainer,
    (ok / val.length).toFixed(4),
    Math.round((u.user + u.system) / 1000) + 'ms',
    c.stats.weights,
  )
}
