/**
 * An open-addressing map from 32-bit feature hashes to dense row numbers, in two typed arrays: lookups
 * allocate nothing and the whole table serialises as the list of keys.
 */
import { mix32 } from './hash.js'

const EMPTY = -1

export class FeatureTable {
  #keys: Uint32Array
  #rows: Int32Array
  #mask: number
  #size = 0

  constructor(expected = 1024) {
    let capacity = 16
    while (capacity < expected * 2) capacity *= 2
    this.#keys = new Uint32Array(capacity)
    this.#rows = new Int32Array(capacity).fill(EMPTY)
    this.#mask = capacity - 1
  }

  /** Builds a table whose rows are the positions of `keys`. */
  static from(keys: Uint32Array): FeatureTable {
    const table = new FeatureTable(keys.length)
    for (let i = 0; i < keys.length; i++) table.add(keys[i]!)
    return table
  }

  get size(): number {
    return this.#size
  }

  /** The row of `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys
    const rows = this.#rows
    const mask = this.#mask
    let slot = mix32(key) & mask
    for (;;) {
      const row = rows[slot]!
      if (row === EMPTY) return EMPTY
      if (keys[slot] === key) return row
      slot = (slot + 1) & mask
    }
  }

  /** The row of `key`, adding it as the next row when it is new. */
  add(key: number): number {
    let slot = mix32(key) & this.#mask
    for (;;) {
      const row = this.#rows[slot]!
      if (row === EMPTY) break
      if (this.#keys[slot] === key) return row
      slot = (slot + 1) & this.#mask
    }
    const row = this.#size++
    this.#keys[slot] = key
    this.#rows[slot] = row
    if (this.#size * 2 > this.#keys.length) this.#grow()
    return row
  }

  /** Every key, by row. */
  keysByRow(): Uint32Array {
    const out = new Uint32Array(this.#size)
    for (let slot = 0; slot < this.#keys.length; slot++) {
      const row = this.#rows[slot]!
      if (row !== EMPTY) out[row] = this.#keys[slot]!
    }
    return out
  }

  #grow(): void {
    const keys = this.#keys
    const rows = this.#rows
    this.#keys = new Uint32Array(keys.length * 2)
    this.#rows = new Int32Array(keys.length * 2).fill(EMPTY)
    this.#mask = this.#keys.length - 1
    for (let slot = 0; slot < keys.length; slot++) {
      const row = rows[slot]!
      if (row === EMPTY) continue
      let next = mix32(keys[slot]!) & this.#mask
      while (this.#rows[next] !== EMPTY) next = (next + 1) & this.#mask
      this.#keys[next] = keys[slot]!
      this.#rows[next] = row
    }
  }
}
