/**
 * One size of `pnpm bench semantic-scale`, in a child process so that its peak memory is its own: registers
 * a synthetic intent set (`<intents>` × `<examples>` per intent) on an engine with `semantic()` and times
 * `engine.ready()`, which trains the classifier. Prints one JSON line: wall and CPU time of `ready()`, peak
 * resident memory, and top-1 accuracy and mean latency of `engine.resolve()` on held-out
 * sentences. Usage: train-once.ts <intents> <examples per intent>
 */
import { createEngine, silentLogger } from '@ixp/core'
import { semantic } from '../../packages/plugin-semantic/src/index.js'
import { syntheticIntents } from './synthetic-intents.js'

const intents = Number(process.argv[2] ?? 100)
const perIntent = Number(process.argv[3] ?? 10)
const { train, test } = syntheticIntents(intents, perIntent, 2)
const examplesOf = new Map<string, string[]>()
for (const example of train)
  examplesOf.set(example.intent, [...(examplesOf.get(example.intent) ?? []), example.text])

const engine = createEngine({ logger: silentLogger })
engine.registerComponent({ name: 'Answer', render: () => null })
for (const [name, examples] of examplesOf)
  engine.registerIntent({
    name,
    description: name,
    component: 'Answer',
    parameters: { type: 'object' },
    examples,
  })
engine.use(semantic())
const baseRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024)
const cpu = process.cpuUsage()
const started = performance.now()
await engine.ready()
const readyMs = performance.now() - started
const used = process.cpuUsage(cpu)
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)

// Every k-th held-out sentence, about 1,000 in all, spread over every intent.
const sample = test.filter((_, i) => i % Math.max(1, Math.ceil(test.length / 1000)) === 0)
let correct = 0
const resolveStarted = performance.now()
for (const example of sample) {
  const answer = await engine.resolve(example.text)
  if (answer.matched && answer.intent === example.intent) correct++
}
const resolveUs = ((performance.now() - resolveStarted) * 1000) / sample.length
await engine.close()
console.log(
  JSON.stringify({
    intents,
    examples: train.length,
    readyMs: Math.round(readyMs),
    cpuMs: Math.round((used.user + used.system) / 1000),
    peakRssMb,
    baseRssMb,
    accuracy: correct / sample.length,
    resolveUs: Math.round(resolveUs),
  }),
)
