import { readFileSync } from 'node:fs'
import { parseJsonl, type IntentExample } from '../src/index.js'

export const DATASETS = '/work/shared/datasets'

const cache = new Map<string, IntentExample[]>()

export function loadSplit(dataset: string, split: 'train' | 'val'): IntentExample[] {
  const file = `${DATASETS}/${dataset}/${split}.jsonl`
  let examples = cache.get(file)
  if (!examples) {
    examples = parseJsonl(readFileSync(file, 'utf8'), file)
    cache.set(file, examples)
  }
  return examples
}

/**
 * A slice of a split: the first `intents` intents (sorted by name, `oos` excluded) with at most `perIntent`
 * examples each, plus up to `oos` out-of-scope examples.
 */
export function slice(
  dataset: string,
  split: 'train' | 'val',
  { intents, perIntent, oos = 0 }: { intents: number; perIntent: number; oos?: number },
): IntentExample[] {
  const all = loadSplit(dataset, split)
  const names = [...new Set(all.map((example) => example.intent))]
    .filter((name) => name !== 'oos')
    .sort()
    .slice(0, intents)
  const keep = new Set(names)
  const counts = new Map<string, number>()
  const out: IntentExample[] = []
  let oosCount = 0
  for (const example of all) {
    if (example.intent === 'oos') {
      if (oosCount < oos) {
        out.push(example)
        oosCount++
      }
      continue
    }
    if (!keep.has(example.intent)) continue
    const count = counts.get(example.intent) ?? 0
    if (count >= perIntent) continue
    counts.set(example.intent, count + 1)
    out.push(example)
  }
  return out
}

export function accuracy(
  classify: (text: string) => string | null,
  examples: readonly IntentExample[],
): number {
  let correct = 0
  for (const example of examples) if (classify(example.text) === example.intent) correct++
  return correct / examples.length
}
