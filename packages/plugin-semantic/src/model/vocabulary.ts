/**
 * Training-time vocabulary: which hashed features occur in the training texts (in at least `minDf` of
 * them), their inverse document frequencies, and the training set as a compressed sparse row matrix.
 */
import { FeatureExtractor, type FeatureConfig } from '../text/features.js'
import { FeatureTable } from '../text/feature-table.js'
import type { Vectorizer } from './vectorizer.js'

export interface Vocabulary {
  table: FeatureTable
  /** Smoothed inverse document frequency by row: ln((1 + n) / (1 + df)) + 1. */
  idf: Float32Array
  /** Every text's extracted features, kept so that vectorising the training set extracts nothing twice. */
  extracted: ExtractedTexts
}

export interface ExtractedTexts {
  start: Int32Array
  keys: Uint32Array
  counts: Float32Array
}

export function buildVocabulary(texts: readonly string[], config: FeatureConfig, minDf: number): Vocabulary {
  const extractor = new FeatureExtractor(config)
  const seen = new FeatureTable(texts.length * 32)
  let df = new Int32Array(texts.length * 32)
  const start = new Int32Array(texts.length + 1)
  let allKeys = new Uint32Array(texts.length * 64)
  let allCounts = new Float32Array(texts.length * 64)
  let total = 0
  for (let t = 0; t < texts.length; t++) {
    const count = extractor.extract(texts[t]!)
    allKeys = withRoom(allKeys, total, total + count)
    allCounts = withRoom(allCounts, total, total + count)
    allKeys.set(extractor.keys.subarray(0, count), total)
    allCounts.set(extractor.counts.subarray(0, count), total)
    total += count
    start[t + 1] = total
    for (let i = 0; i < count; i++) {
      const row = seen.add(extractor.keys[i]!)
      df = withRoom(df, df.length, row + 1)
      df[row]!++
    }
  }
  const keys = seen.keysByRow()
  const kept: number[] = []
  for (let row = 0; row < keys.length; row++) if (df[row]! >= minDf) kept.push(row)
  const table = new FeatureTable(kept.length)
  const idf = new Float32Array(kept.length)
  const n = texts.length
  for (const row of kept) {
    const next = table.add(keys[row]!)
    idf[next] = Math.log((1 + n) / (1 + df[row]!)) + 1
  }
  return { table, idf, extracted: { start, keys: allKeys, counts: allCounts } }
}

/** A sparse matrix in compressed sparse row form. */
export interface SparseMatrix {
  rows: number
  rowStart: Int32Array
  columns: Int32Array
  values: Float32Array
}

export function vectorizeAll(vectorizer: Vectorizer, extracted: ExtractedTexts): SparseMatrix {
  const rows = extracted.start.length - 1
  const rowStart = new Int32Array(rows + 1)
  let columns = new Int32Array(extracted.keys.length)
  let values = new Float32Array(extracted.keys.length)
  let nnz = 0
  for (let i = 0; i < rows; i++) {
    const from = extracted.start[i]!
    const count = vectorizer.fromKeys(extracted.keys, extracted.counts, from, extracted.start[i + 1]! - from)
    columns = withRoom(columns, nnz, nnz + count)
    values = withRoom(values, nnz, nnz + count)
    columns.set(vectorizer.rows.subarray(0, count), nnz)
    values.set(vectorizer.values.subarray(0, count), nnz)
    nnz += count
    rowStart[i + 1] = nnz
  }
  return { rows, rowStart, columns: columns.slice(0, nnz), values: values.slice(0, nnz) }
}

/**
 * `array` when it holds `needed` elements, else a copy at least twice as long holding its first `used`
 * elements (amortised growth of the typed arrays built while vectorizing).
 */
function withRoom<T extends Int32Array | Uint32Array | Float32Array>(
  array: T,
  used: number,
  needed: number,
): T {
  if (needed <= array.length) return array
  const grown = new (array.constructor as new (length: number) => T)(Math.max(array.length * 2, needed))
  grown.set(array.subarray(0, used))
  return grown
}
