/**
 * Feature hashes → a sparse TF-IDF vector over the model's known features: sublinear term frequency times
 * inverse document frequency, each block (words, characters) L2-normalised to its own weight so that long
 * words cannot drown the word features.
 */
import { FeatureExtractor, type FeatureConfig } from '../text/features.js'
import { FeatureTable } from '../text/feature-table.js'

export interface VectorizerWeights {
  /** Weight (L2 norm) of the word block. */
  word: number
  /** Weight (L2 norm) of the character block. */
  char: number
}

export class Vectorizer {
  readonly extractor: FeatureExtractor
  readonly table: FeatureTable
  readonly idf: Float32Array
  readonly blockWeights: VectorizerWeights
  /** Feature rows of the last vector (valid up to the returned length). */
  rows = new Int32Array(256)
  /** Values of the last vector. */
  values = new Float32Array(256)
  #blocks = new Uint8Array(256)

  constructor(
    config: FeatureConfig,
    table: FeatureTable,
    idf: Float32Array,
    blockWeights: VectorizerWeights,
  ) {
    this.extractor = new FeatureExtractor(config)
    this.table = table
    this.idf = idf
    this.blockWeights = blockWeights
  }

  /** Vectorises `text` into `rows` / `values` and returns the number of non-zero entries. */
  vectorize(text: string): number {
    const extractor = this.extractor
    const count = extractor.extract(text)
    return this.fromKeys(extractor.keys, extractor.counts, 0, count)
  }

  /** Vectorises already extracted features: `keys` / `counts` from `start`, `count` of them. */
  fromKeys(keys: Uint32Array, counts: Float32Array, start: number, count: number): number {
    if (this.rows.length < count) {
      this.rows = new Int32Array(count * 2)
      this.values = new Float32Array(count * 2)
      this.#blocks = new Uint8Array(count * 2)
    }
    const rows = this.rows
    const values = this.values
    const blocks = this.#blocks
    const idf = this.idf
    let nnz = 0
    let wordNorm = 0
    let charNorm = 0
    for (let i = start; i < start + count; i++) {
      const key = keys[i]!
      const row = this.table.get(key)
      if (row < 0) continue
      const tf = counts[i]!
      const value = (tf === 1 ? 1 : 1 + Math.log(tf)) * idf[row]!
      const block = key & 1
      rows[nnz] = row
      values[nnz] = value
      blocks[nnz] = block
      if (block === 0) wordNorm += value * value
      else charNorm += value * value
      nnz++
    }
    const wordScale = wordNorm > 0 ? this.blockWeights.word / Math.sqrt(wordNorm) : 0
    const charScale = charNorm > 0 ? this.blockWeights.char / Math.sqrt(charNorm) : 0
    for (let i = 0; i < nnz; i++) values[i] = values[i]! * (blocks[i] === 0 ? wordScale : charScale)
    return nnz
  }
}
