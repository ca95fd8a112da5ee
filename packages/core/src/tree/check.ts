/**
 * What the render path does with a tree its fast check (`canonical.ts`) did not accept: find the first place
 * where it is not canonical and refuse it there (`INVALID_RENDER_TREE` with the path), or hand it back when
 * nothing is wrong after all (the fast check also says no to every tree once `Object.prototype` was polluted).
 * Loose trees — numbers or `null` as children, a missing `props`, nested child arrays — are built canonical
 * with `h()`, or converted with `normalizeTree()`, both from `@ixp/core/tree`.
 */
import { isIxpError } from '../errors.js'
import { isPlainObject } from '../objects.js'
import type { RenderNode } from '../types.js'
import { treeError } from './tree-error.js'

/** Bounds on the trees a render (and `normalizeTree`, `validateTree`) accepts. */
export interface TreeLimits {
  /**
   * Deepest element nesting accepted (the root element is level 1); also bounds the nesting of each prop value.
   * @default 64
   */
  maxDepth?: number
  /**
   * Most values visited in total: elements, text children and every prop value (nested ones included).
   * @default 100_000
   */
  maxNodes?: number
}

const ELEMENT =
  "expected a string or an element { type, props, children } (a non-empty string, a plain object, an array) and nothing else; h() or normalizeTree() from '@ixp/core/tree' build canonical trees"
const JSON_VALUE =
  'props hold JSON only (plain objects, arrays, strings, finite numbers, booleans, null; leave undefined out)'

/** Returns `tree` when it is canonical; throws `INVALID_RENDER_TREE` naming the first place it is not. */
export function assertCanonicalTree(tree: RenderNode, limits: Required<TreeLimits>): RenderNode {
  const path: (string | number)[] = []
  const open = new Set<object>()
  let nodes = 0

  const fail = (problem: string): never => {
    const at = path.slice(1).join('.')
    throw treeError(`Invalid render tree at ${at ? `'${at}'` : 'the root'}: ${problem}`, {
      path: at,
      problem,
    })
  }
  /**
   * Checks `value` at `key` (counted against maxNodes; a cycle, a `__proto__` key or depth beyond maxDepth
   * refused) with `inside`, which gets it when it is an object and returns false when it is not acceptable.
   */
  const visit = (
    key: string | number,
    value: unknown,
    depth: number,
    inside: (value: Record<string, unknown>) => boolean,
    scalar: boolean,
    problem: string,
  ): void => {
    path.push(key)
    if (++nodes > limits.maxNodes) fail(`more than ${limits.maxNodes} values (limits.maxTreeNodes)`)
    if (key === '__proto__') fail('__proto__ is not accepted as a key')
    if (typeof value === 'object' && value !== null) {
      if (depth > limits.maxDepth) fail(`nested deeper than ${limits.maxDepth} levels (limits.maxTreeDepth)`)
      if (open.has(value)) fail('the tree contains itself (a cycle)')
      open.add(value)
      if (!inside(value as Record<string, unknown>)) fail(problem)
      open.delete(value)
    } else if (!scalar) fail(problem)
    path.pop()
  }

  const json = (key: string | number, value: unknown, depth: number): void =>
    visit(
      key,
      value,
      depth,
      (object) => {
        if (Array.isArray(object)) {
          for (let index = 0; index < object.length; index++) json(index, object[index], depth + 1)
        } else if (!isPlainObject(object)) return false
        else for (const [name, item] of Object.entries(object)) json(name, item, depth + 1)
        return true
      },
      value === null || typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value),
      JSON_VALUE,
    )

  const element = (key: string | number, value: unknown, level: number): void =>
    visit(
      key,
      value,
      level,
      (node) => {
        const { type, props, children } = node
        if (!isPlainObject(node) || !isPlainObject(props) || !Array.isArray(children)) return false
        if (typeof type !== 'string' || !type || Object.keys(node).length !== 3) return false
        path.push('props')
        for (const [name, item] of Object.entries(props)) {
          if (name === 'children') fail(ELEMENT)
          json(name, item, 1)
        }
        path[path.length - 1] = 'children'
        for (let index = 0; index < children.length; index++) element(index, children[index], level + 1)
        path.pop()
        return true
      },
      typeof value === 'string',
      ELEMENT,
    )

  try {
    if (tree !== null) element('', tree, 1)
  } catch (error) {
    if (isIxpError(error)) throw error
    fail(`reading it threw (${error instanceof Error ? error.message : 'a non-error'})`)
  }
  return tree
}
