/** Few-shot splits: K examples per intent sampled from a training set, the rest kept for testing. */
import type { IntentExample } from '../classifier/examples.js'
import { Random } from '../model/random.js'

export interface ShotSplit {
  train: IntentExample[]
  /** The examples not sampled (same intents), in their original order. */
  rest: IntentExample[]
}

/** Samples `shots` examples of each intent (all of an intent with fewer), reproducibly for a seed. */
export function sampleShots(examples: readonly IntentExample[], shots: number, seed: number): ShotSplit {
  const byIntent = new Map<string, number[]>()
  examples.forEach((example, i) => {
    const list = byIntent.get(example.intent)
    if (list) list.push(i)
    else byIntent.set(example.intent, [i])
  })
  const random = new Random(seed)
  const chosen = new Set<number>()
  for (const name of [...byIntent.keys()].sort()) {
    const indices = byIntent.get(name)!
    for (let i = indices.length - 1; i > 0; i--) {
      const j = random.int(i + 1)
      ;[indices[i], indices[j]] = [indices[j]!, indices[i]!]
    }
    for (const index of indices.slice(0, shots)) chosen.add(index)
  }
  const train: IntentExample[] = []
  const rest: IntentExample[] = []
  examples.forEach((example, i) => (chosen.has(i) ? train : rest).push(example))
  return { train, rest }
}
