import { readFileSync } from 'node:fs'
import { parseJsonl, type IntentExample } from '../src/index.js'
import { Random } from '../src/model/random.js'
import type { SparseMatrix } from '../src/model/vocabulary.js'

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

/** `perClass` sparse examples per class: a few features of the class's own, and shared noise features. */
export function separableDataset(classes: number, perClass: number, seed = 3) {
  const random = new Random(seed)
  const own = 4
  const shared = 10
  const features = classes * own + shared
  const rowStart = [0]
  const columns: number[] = []
  const values: number[] = []
  const labels: number[] = []
  for (let k = 0; k < classes; k++)
    for (let e = 0; e < perClass; e++) {
      const row = new Map<number, number>()
      row.set(k * own + random.int(own), 1)
      row.set(k * own + random.int(own), 0.8)
      row.set(classes * own + random.int(shared), 0.6)
      row.set(classes * own + random.int(shared), 0.5)
      for (const [column, value] of [...row].sort((a, b) => a[0] - b[0])) {
        columns.push(column)
        values.push(value)
      }
      rowStart.push(columns.length)
      labels.push(k)
    }
  const matrix: SparseMatrix = {
    rows: labels.length,
    rowStart: Int32Array.from(rowStart),
    columns: Int32Array.from(columns),
    values: Float32Array.from(values),
  }
  return { matrix, labels: Int32Array.from(labels), features, classes }
}
