/**
 * Lookup tables: known values of an entity and their synonyms, each mapped to its canonical value. Held in a
 * trie over lower-cased words, so finding every value in a text costs one walk per word however many values
 * the table has (no regular expression per value); the longest match wins.
 */
import type { Token } from './tokens.js'

/** A value of a lookup table: the canonical value and other ways to say it. */
export type LookupEntry = string | { value: string; synonyms?: string[] }

interface TrieNode {
  next: Map<string, TrieNode>
  /** Canonical value of the words that end here. */
  value?: string
}

export interface LookupMatch {
  /** Token indices, end exclusive. */
  from: number
  to: number
  value: string
}

/** The words of a phrase as the tokenizer cuts them (punctuation apart). */
function words(phrase: string): string[] {
  return phrase.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}]/gu) ?? []
}

export class LookupTable {
  readonly #root: TrieNode = { next: new Map() }
  #size = 0

  constructor(entries: readonly LookupEntry[] = []) {
    for (const entry of entries) {
      if (typeof entry === 'string') this.add(entry, entry)
      else {
        this.add(entry.value, entry.value)
        for (const synonym of entry.synonyms ?? []) this.add(synonym, entry.value)
      }
    }
  }

  get size(): number {
    return this.#size
  }

  /** Adds a phrase meaning `value` (an existing phrase keeps its first value). */
  add(phrase: string, value: string): void {
    const parts = words(phrase)
    if (parts.length === 0) return
    let node = this.#root
    for (const part of parts) {
      let child = node.next.get(part)
      if (!child) node.next.set(part, (child = { next: new Map() }))
      node = child
    }
    if (node.value === undefined) {
      node.value = value
      this.#size++
    }
  }

  /** Non-overlapping matches, longest first from left to right. */
  find(tokens: readonly Token[]): LookupMatch[] {
    const matches: LookupMatch[] = []
    for (let i = 0; i < tokens.length; i++) {
      let node: TrieNode | undefined = this.#root
      let best: LookupMatch | undefined
      for (let j = i; j < tokens.length && node; j++) {
        node = node.next.get(tokens[j]!.lower)
        if (node?.value !== undefined) best = { from: i, to: j + 1, value: node.value }
      }
      if (best) {
        matches.push(best)
        i = best.to - 1
      }
    }
    return matches
  }
}
