/**
 * Text → hashed sparse features, without allocating per query: word unigrams and bigrams, and character
 * n-grams inside word boundaries. Each feature is a 32-bit hash whose lowest bit names its block (words or
 * characters), so a model can weight and normalise the two blocks separately.
 */
import { FNV_OFFSET, combine, fnvStep, mix32 } from './hash.js'

/** How text is cut into features. Part of a serialised model: changing it invalidates the weights. */
export interface FeatureConfig {
  /** Longest word n-gram (1 = unigrams only, 2 = with bigrams, 3 = with trigrams). */
  wordNgrams: number
  /** Shortest character n-gram, counted with the word-boundary markers. */
  charMin: number
  /** Longest character n-gram; 0 disables character features. */
  charMax: number
  /** Emit bigrams with the start and end of the text (`<s> what`, `balance </s>`). */
  edgeBigrams: boolean
  /** Texts are cut to this many characters so one huge query cannot stall the resolver. */
  maxChars: number
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  wordNgrams: 3,
  charMin: 2,
  charMax: 4,
  edgeBigrams: true,
  maxChars: 1000,
}

export const WORD_BLOCK = 0
export const CHAR_BLOCK = 1

const BOUNDARY = 32
const DIGIT_ZERO = 48
const SEED_WORD = 0x5bd1e995
const SEED_EDGE_START = 0x1b873593
const SEED_EDGE_END = 0xcc9e2d51
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u

function isWordCode(code: number): boolean {
  if (code < 128)
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90)
  // Surrogate halves belong to words too (emoji and rare scripts stay one token).
  if (code >= 0xd800 && code <= 0xdfff) return true
  return NON_ASCII_WORD.test(String.fromCharCode(code))
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/** Marks a hash as belonging to a block (the lowest bit). */
function tag(hash: number, block: number): number {
  return ((hash & ~1) | block) >>> 0
}

/**
 * Reusable extractor. `extract(text)` fills `keys` (unique feature hashes, ascending) and `counts`, and
 * returns how many there are; the arrays are overwritten by the next call.
 */
export class FeatureExtractor {
  readonly config: FeatureConfig
  keys = new Uint32Array(256)
  counts = new Float32Array(256)
  #raw = new Uint32Array(256)
  #chars = new Uint16Array(256)
  #wordStart = new Int32Array(64)
  #wordEnd = new Int32Array(64)
  #wordHash = new Int32Array(64)

  constructor(config: FeatureConfig = DEFAULT_FEATURE_CONFIG) {
    this.config = config
  }

  /** Unique feature hashes of `input`, ascending, in `keys` with their `counts`; returns how many. */
  extract(input: string): number {
    const n = this.extractRaw(input)
    // Sort, then collapse repeats into counts.
    const sorted = this.#raw.subarray(0, n).sort()
    if (this.keys.length < n) {
      this.keys = new Uint32Array(n * 2)
      this.counts = new Float32Array(n * 2)
    }
    const keys = this.keys
    const counts = this.counts
    let unique = 0
    for (let i = 0; i < n; i++) {
      const key = sorted[i]!
      if (unique > 0 && keys[unique - 1] === key) counts[unique - 1] = counts[unique - 1]! + 1
      else {
        keys[unique] = key
        counts[unique] = 1
        unique++
      }
    }
    return unique
  }

  /** Every feature hash of `input` in text order, repeats included, in `raw`; returns how many. */
  extractRaw(input: string): number {
    const { wordNgrams, charMin, charMax, edgeBigrams, maxChars } = this.config
    const text = (input.length > maxChars ? input.slice(0, maxChars) : input).toLowerCase()
    if (this.#chars.length < text.length) this.#chars = new Uint16Array(text.length * 2)
    const chars = this.#chars
    let nChars = 0
    let nWords = 0
    let inWord = false
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (isWordCode(code)) {
        if (!inWord) {
          this.#ensureWords(nWords + 1)
          this.#wordStart[nWords] = nChars
          inWord = true
        }
        chars[nChars++] = code
      } else if (inWord && (code === 39 || code === 0x2019)) {
        // An apostrophe inside a word joins it: "what's" and "whats" are the same word.
      } else if (inWord) {
        this.#wordEnd[nWords++] = nChars
        inWord = false
      }
    }
    if (inWord) this.#wordEnd[nWords++] = nChars

    // Upper bound of emitted features: words × (n-gram orders) + character n-grams.
    const perWordChars = charMax > 0 ? charMax - charMin + 1 : 0
    const bound = nWords * (wordNgrams + 1) + 2 + (nChars + 2 * nWords) * perWordChars
    if (this.#raw.length < bound) this.#raw = new Uint32Array(bound * 2)
    const raw = this.#raw
    let n = 0

    const wordStart = this.#wordStart
    const wordEnd = this.#wordEnd
    const wordHash = this.#wordHash
    for (let w = 0; w < nWords; w++) {
      const start = wordStart[w]!
      const end = wordEnd[w]!
      let allDigits = true
      for (let i = start; i < end; i++) if (!isDigit(chars[i]!)) allDigits = false
      let h = FNV_OFFSET ^ SEED_WORD
      // Numbers are one word: "order 1234" and "order 98" share their word features.
      if (allDigits) h = fnvStep(h, DIGIT_ZERO)
      else for (let i = start; i < end; i++) h = fnvStep(h, chars[i]!)
      wordHash[w] = h
      raw[n++] = tag(mix32(h), WORD_BLOCK)
    }
    if (wordNgrams >= 2) {
      for (let w = 1; w < nWords; w++) raw[n++] = tag(combine(wordHash[w - 1]!, wordHash[w]!), WORD_BLOCK)
      if (edgeBigrams && nWords > 0) {
        raw[n++] = tag(combine(SEED_EDGE_START, wordHash[0]!), WORD_BLOCK)
        raw[n++] = tag(combine(wordHash[nWords - 1]!, SEED_EDGE_END), WORD_BLOCK)
      }
    }
    if (wordNgrams >= 3) {
      for (let w = 2; w < nWords; w++)
        raw[n++] = tag(combine(combine(wordHash[w - 2]!, wordHash[w - 1]!), wordHash[w]!), WORD_BLOCK)
    }

    if (charMax > 0) {
      for (let w = 0; w < nWords; w++) {
        const start = wordStart[w]!
        const end = wordEnd[w]!
        // Positions run over the word padded with one boundary marker on each side.
        const padded = end - start + 2
        for (let s = 0; s < padded; s++) {
          let h = FNV_OFFSET
          const maxLen = Math.min(charMax, padded - s)
          for (let len = 1; len <= maxLen; len++) {
            const p = s + len - 1
            const code = p === 0 || p === padded - 1 ? BOUNDARY : chars[start + p - 1]!
            h = fnvStep(h, isDigit(code) ? DIGIT_ZERO : code)
            if (len >= charMin) raw[n++] = tag(mix32(h ^ len), CHAR_BLOCK)
          }
        }
      }
    }

    return n
  }

  /** The hashes written by the last {@link extractRaw}. */
  get raw(): Uint32Array {
    return this.#raw
  }

  #ensureWords(size: number): void {
    if (this.#wordStart.length >= size) return
    const grow = (old: Int32Array) => {
      const next = new Int32Array(size * 2)
      next.set(old)
      return next
    }
    this.#wordStart = grow(this.#wordStart)
    this.#wordEnd = grow(this.#wordEnd)
    this.#wordHash = grow(this.#wordHash)
  }
}

/** The block a feature key belongs to. */
export function blockOf(key: number): number {
  return key & 1
}
