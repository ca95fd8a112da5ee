/**
 * The render path's fast check: is a tree already exactly what {@link normalizeTree} would return? Most
 * trees built with `h()` are, and then the engine keeps them as they are instead of copying them. Anything
 * unusual (numbers or booleans as children, missing props, extra element keys, class instances, cycles,
 * hostile proxies, limits reached) answers "not canonical", and the engine falls back to `normalizeTree`,
 * which copies or explains the problem with its path.
 */
import type { RenderNode } from '../types.js'
import { Placeholder } from './constants.js'

/** Not canonical: normalize it. */
export const NOT_CANONICAL = 0
/** Canonical, without a loading placeholder. */
export const CANONICAL = 1
/** Canonical, and a loading placeholder is somewhere in it. */
export const CANONICAL_WITH_PLACEHOLDER = 2

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Whether `Object.prototype` has enumerable keys (someone polluted it). Checked once per tree: when it has
 * none, `for…in` over an object whose prototype is `Object.prototype` or `null` sees own keys only, and the
 * walk needs no `Object.hasOwn` per key.
 */
export function prototypePolluted(): boolean {
  for (const _key in Object.prototype) return true
  return false
}

class Walk {
  nodes = 0
  placeholder = false
  constructor(
    readonly maxDepth: number,
    readonly maxNodes: number,
  ) {}

  json(value: unknown, depth: number): boolean {
    if (++this.nodes > this.maxNodes) return false
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return true
      case 'number':
        return Number.isFinite(value)
      case 'object':
        break
      default:
        return false
    }
    if (value === null) return true
    if (depth > this.maxDepth) return false
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i]
        if (item === undefined || !this.json(item, depth + 1)) return false
      }
      return true
    }
    if (!isPlain(value)) return false
    for (const key in value) {
      if (key === '__proto__') return false
      const item = (value as Record<string, unknown>)[key]
      if (item === undefined || !this.json(item, depth + 1)) return false
    }
    return true
  }

  element(value: unknown, level: number): boolean {
    if (++this.nodes > this.maxNodes) return false
    if (typeof value === 'string') return true
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlain(value)) return false
    if (level > this.maxDepth) return false
    const node = value as { type?: unknown; props?: unknown; children?: unknown }
    let keys = 0
    for (const _key in node) keys++
    if (keys !== 3) return false
    const { type, props, children } = node
    if (typeof type !== 'string' || type === '') return false
    if (typeof props !== 'object' || props === null || Array.isArray(props) || !isPlain(props)) return false
    if (!Array.isArray(children)) return false
    if (type === Placeholder) this.placeholder = true
    for (const key in props) {
      if (key === 'children' || key === '__proto__') return false
      const item = (props as Record<string, unknown>)[key]
      if (item === undefined || !this.json(item, 1)) return false
    }
    for (let i = 0; i < children.length; i++) {
      if (!this.element(children[i], level + 1)) return false
    }
    return true
  }
}

/** Classifies a tree: {@link NOT_CANONICAL}, {@link CANONICAL} or {@link CANONICAL_WITH_PLACEHOLDER}. Never throws. */
export function classifyTree(tree: RenderNode, maxDepth: number, maxNodes: number): number {
  if (tree === null) return CANONICAL
  if (prototypePolluted()) return NOT_CANONICAL
  try {
    const walk = new Walk(maxDepth, maxNodes)
    if (!walk.element(tree, 1)) return NOT_CANONICAL
    return walk.placeholder ? CANONICAL_WITH_PLACEHOLDER : CANONICAL
  } catch {
    // A throwing getter or a revoked proxy: normalizeTree reports it with its path.
    return NOT_CANONICAL
  }
}
