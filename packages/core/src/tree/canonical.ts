/**
 * The render path's fast check: is a tree already exactly what {@link normalizeTree} would return? Most
 * trees built with `h()` are, and the engine keeps them as they are. Anything unusual (numbers or booleans as
 * children, missing props, extra element keys, class instances, cycles, hostile proxies, limits reached)
 * answers "not canonical", and the engine falls back to the full check (`check.ts`), which names the problem
 * with its path.
 *
 * It runs on every render, so it allocates nothing and makes no runtime call for an ordinary tree: each check
 * returns the node budget it leaves (or -1: not canonical). A polluted `Object.prototype` needs no check of its
 * own: `for…in` then also counts the inherited keys, so an element counts more than its three keys and the
 * tree goes to the full check; an inherited key seen in props is only read, never kept (the tree's own keys
 * are what goes on the wire).
 */
import type { RenderNode } from '../types.js'
import { Placeholder } from './constants.js'

/** Not canonical: normalize it. */
export const NOT_CANONICAL = 0
/** Canonical, without a loading placeholder. */
export const CANONICAL = 1
/** Canonical, and a loading placeholder is somewhere in it. */
export const CANONICAL_WITH_PLACEHOLDER = 2

const objectPrototype: unknown = Object.prototype

/**
 * Whether an object's prototype is `Object.prototype` or `null`. Read through the `__proto__` accessor, which
 * V8 inlines, where `Object.getPrototypeOf` is a runtime call (~8 ns, four times a small render). An own
 * `__proto__` key (as `JSON.parse` makes) hides the accessor: its value is then not `Object.prototype`, and
 * `for…in` sees the key anyway. A `null` prototype has no accessor: those rare objects are asked directly.
 */
function isPlain(value: object): boolean {
  const proto = (value as { __proto__?: unknown }).__proto__
  return proto === objectPrototype || (proto === undefined && Object.getPrototypeOf(value) === null)
}

/** Whether a placeholder was met by the walk under way (saved and restored around a nested walk). */
let placeholderSeen = false

/** A JSON value inside props: the budget left, or -1. */
function json(value: unknown, depth: number, maxDepth: number, budget: number): number {
  if (--budget < 0) return -1
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return budget
    case 'number':
      return Number.isFinite(value) ? budget : -1
    case 'object':
      break
    default:
      return -1
  }
  if (value === null) return budget
  if (depth > maxDepth) return -1
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && budget >= 0; i++) {
      const item: unknown = value[i]
      budget = item === undefined ? -1 : json(item, depth + 1, maxDepth, budget)
    }
    return budget
  }
  return isPlain(value) ? record(value as Record<string, unknown>, depth, maxDepth, budget) : -1
}

/** The values of a plain object (props at depth 0, or an object inside them): the budget left, or -1. */
function record(value: Record<string, unknown>, depth: number, maxDepth: number, budget: number): number {
  for (const key in value) {
    // `children` is not a prop (normalizeTree moves it into the element); deeper down it is any key.
    if (key === '__proto__' || (key === 'children' && depth === 0)) return -1
    const item = value[key]
    // Strings are most prop values: no call for them.
    if (typeof item === 'string') {
      if (--budget < 0) return -1
    } else if (item === undefined || (budget = json(item, depth + 1, maxDepth, budget)) < 0) {
      return -1
    }
  }
  return budget
}

/** An element or a string child: the budget left, or -1. */
function element(value: unknown, level: number, maxDepth: number, budget: number): number {
  if (--budget < 0) return -1
  if (typeof value === 'string') return budget
  if (typeof value !== 'object' || value === null || level > maxDepth || !isPlain(value)) return -1
  let keys = 0
  for (const _key in value) keys++
  if (keys !== 3) return -1
  const { type, props, children } = value as { type?: unknown; props?: unknown; children?: unknown }
  if (typeof type !== 'string' || type === '' || !Array.isArray(children)) return -1
  if (typeof props !== 'object' || props === null || !isPlain(props)) return -1
  if (type === Placeholder) placeholderSeen = true
  budget = record(props as Record<string, unknown>, 0, maxDepth, budget)
  for (let i = 0; i < children.length && budget >= 0; i++) {
    budget = element(children[i], level + 1, maxDepth, budget)
  }
  return budget
}

/** Classifies a tree: {@link NOT_CANONICAL}, {@link CANONICAL} or {@link CANONICAL_WITH_PLACEHOLDER}. Never throws. */
export function classifyTree(tree: RenderNode, maxDepth: number, maxNodes: number): number {
  if (typeof tree === 'string' || tree === null) return CANONICAL
  const outer = placeholderSeen
  placeholderSeen = false
  try {
    if (element(tree, 1, maxDepth, maxNodes) < 0) return NOT_CANONICAL
    return placeholderSeen ? CANONICAL_WITH_PLACEHOLDER : CANONICAL
  } catch {
    // A throwing getter or a revoked proxy: the full check reports it with its path.
    return NOT_CANONICAL
  } finally {
    placeholderSeen = outer
  }
}
