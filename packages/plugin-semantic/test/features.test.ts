import { describe, expect, it } from 'vitest'
import {
  base64ToBytes,
  bytesToBase64,
  decodeFloat32,
  decodeUint16,
  encodeArray,
} from '../src/model/base64.js'
import { FeatureTable } from '../src/text/feature-table.js'
import { DEFAULT_FEATURE_CONFIG, FeatureExtractor } from '../src/text/features.js'

function keysOf(text: string, config = DEFAULT_FEATURE_CONFIG): Set<number> {
  const extractor = new FeatureExtractor(config)
  const count = extractor.extract(text)
  return new Set(extractor.keys.subarray(0, count))
}

describe('FeatureExtractor', () => {
  it('ignores case, punctuation and apostrophes inside words', () => {
    expect(keysOf("What's my ORDER status?!")).toEqual(keysOf('whats my order status'))
  })

  it('treats every number as the same word, and digits alike in character n-grams', () => {
    expect(keysOf('order 1234')).toEqual(keysOf('order 98'.replace('98', '5555')))
    expect(keysOf('order 12')).not.toEqual(keysOf('order twelve'))
  })

  it('counts repeated features and returns unique keys in ascending order', () => {
    const extractor = new FeatureExtractor()
    const count = extractor.extract('go go go')
    const keys = Array.from(extractor.keys.subarray(0, count))
    expect(keys).toEqual([...keys].sort((a, b) => a - b))
    expect(new Set(keys).size).toBe(count)
    expect(Math.max(...extractor.counts.subarray(0, count))).toBe(3)
  })

  it('handles non-Latin scripts, emoji and empty text without failing', () => {
    expect(keysOf('où est ma commande').size).toBeGreaterThan(10)
    expect(keysOf('注文はどこ').size).toBeGreaterThan(0)
    expect(keysOf('📦 where').size).toBeGreaterThan(0)
    expect(keysOf('').size).toBe(0)
    expect(keysOf('?!. ,').size).toBe(0)
  })

  it('bounds the work on huge input by maxChars', () => {
    const extractor = new FeatureExtractor({ ...DEFAULT_FEATURE_CONFIG, maxChars: 50 })
    const short = extractor.extract('word '.repeat(10))
    const huge = extractor.extract('word '.repeat(100_000))
    expect(huge).toBe(short)
  })

  it('word n-gram and character options change the features', () => {
    const unigrams = keysOf('where is my order', { ...DEFAULT_FEATURE_CONFIG, wordNgrams: 1, charMax: 0 })
    const bigrams = keysOf('where is my order', { ...DEFAULT_FEATURE_CONFIG, wordNgrams: 2, charMax: 0 })
    expect(unigrams.size).toBe(4)
    expect(bigrams.size).toBe(4 + 3 + 2)
    expect(keysOf('where is my order').size).toBeGreaterThan(bigrams.size)
  })
})

describe('FeatureTable', () => {
  it('maps keys to dense rows, grows, and lists keys by row', () => {
    const table = new FeatureTable(2)
    const keys = Array.from({ length: 1000 }, (_, i) => (i * 2654435761) >>> 0)
    keys.forEach((key, i) => expect(table.add(key)).toBe(i))
    expect(table.add(keys[10]!)).toBe(10)
    expect(table.size).toBe(1000)
    expect(table.get(keys[999]!)).toBe(999)
    expect(table.get(123)).toBe(-1)
    expect(Array.from(table.keysByRow())).toEqual(keys)
    expect(FeatureTable.from(table.keysByRow()).get(keys[500]!)).toBe(500)
  })
})

describe('base64 arrays', () => {
  it('round-trips bytes of every length, and refuses what is not base64', () => {
    for (let length = 0; length < 10; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 255)
      const text = bytesToBase64(bytes)
      expect(text).toBe(btoa(String.fromCharCode(...bytes)))
      expect(base64ToBytes(text)).toEqual(bytes)
    }
    expect(base64ToBytes('abc')).toBeUndefined()
    expect(base64ToBytes('ab$=')).toBeUndefined()
  })

  it('round-trips typed arrays little-endian, checking element sizes', () => {
    const floats = Float32Array.from([0, -1.5, 3.25, Number.MAX_VALUE, Number.MIN_VALUE, -0])
    expect(decodeFloat32(encodeArray(floats))).toEqual(floats)
    const shorts = Uint16Array.from([0, 1, 65535, 258])
    expect(decodeUint16(encodeArray(shorts))).toEqual(shorts)
    expect(decodeFloat32(encodeArray(Uint16Array.from([1])))).toBeUndefined()
  })
})
