/**
 * 32-bit string hashing for feature hashing. FNV-1a is cheap to extend one character at a time (char
 * n-grams of every length from one start share the work); the murmur3 finaliser spreads its low bits.
 */

export const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** Extends an FNV-1a hash by one UTF-16 code unit. */
export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME)
}

/** The murmur3 32-bit finaliser: an unsigned, well-mixed 32-bit value. */
export function mix32(value: number): number {
  let h = value
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Combines two hashes order-sensitively (word bigrams). */
export function combine(a: number, b: number): number {
  return mix32(Math.imul(a ^ 0x9e3779b9, 0x27d4eb2f) ^ b)
}
