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

const LOOSE = "; h() or normalizeTree() from '@ixp/core/tree' build canonical trees"

/** Returns `tree` when it is canonical; throws `INVALID_RENDER_TREE` naming the first place it is not. */
export function assertCanonicalTree(tree: RenderNode, limits: Required<TreeLimits>): RenderNode {
  const path: (string | number)[] = []
  const open = new Set<object>()
  let nodes = 0

  const fail = (problem: string): never => {
    const at = path.join('.')
    throw treeError(`Invalid render tree at ${at ? `'${at}'` : 'the root'}: ${problem}`, {
      path: at,
      problem,
    })
  }
  const tooDeep = (depth: number, what: string) => {
    if (depth > limits.maxDepth) fail(`${what} nested deeper than ${limits.maxDepth} levels (maxDepth)`)
  }
  /** Steps into `value` at `key`: counted against maxNodes, and refused when already open (a cycle). */
  const enter = (key: string | number | undefined, value: unknown) => {
    if (key !== undefined) path.push(key)
    if (key === '__proto__') fail('__proto__ is not accepted as a key')
    if (++nodes > limits.maxNodes) fail(`the tree has more than ${limits.maxNodes} values (maxNodes)`)
    if (typeof value !== 'object' || value === null) return
    if (open.has(value)) fail('the tree contains itself (a cycle)')
    open.add(value)
  }
  const leave = (key: string | number | undefined, value: unknown) => {
    open.delete(value as object)
    if (key !== undefined) path.pop()
  }

  const json = (key: string | number, value: unknown, depth: number): void => {
    enter(key, value)
    const type = value === null ? 'null' : typeof value
    if (type === 'object') {
      tooDeep(depth, 'a prop value is')
      if (Array.isArray(value)) value.forEach((item, index) => json(index, item, depth + 1))
      else if (!isPlainObject(value)) fail('only plain objects and arrays can be sent as JSON')
      else for (const [name, item] of Object.entries(value)) json(name, item, depth + 1)
    } else if (type === 'undefined') {
      fail(`undefined cannot be sent as JSON; leave the prop out${LOOSE}`)
    } else if (type === 'function') {
      fail('a function cannot be sent (event handlers belong to client code)')
    } else if (type === 'number' ? !Number.isFinite(value) : type === 'symbol' || type === 'bigint') {
      fail(`${type === 'number' ? String(value) : `a ${type}`} cannot be sent as JSON`)
    }
    leave(key, value)
  }

  const element = (key: string | number | undefined, value: unknown, level: number): void => {
    enter(key, value)
    if (typeof value !== 'string') {
      if (!isPlainObject(value)) fail(`expected an element or a string${LOOSE}`)
      tooDeep(level, 'elements are')
      const { type, props, children, ...extra } = value as Record<string, unknown>
      if (typeof type !== 'string' || type === '') fail("an element's type must be a non-empty string")
      const other = Object.keys(extra)[0]
      if (other !== undefined) fail(`an element has type, props and children only, not '${other}'`)
      path.push('props')
      if (!isPlainObject(props)) fail(`must be a plain object${LOOSE}`)
      for (const [name, item] of Object.entries(props as object)) {
        if (name === 'children') (path.push(name), fail(`belongs in the element's children array${LOOSE}`))
        json(name, item, 1)
      }
      path[path.length - 1] = 'children'
      if (!Array.isArray(children)) fail(`must be an array${LOOSE}`)
      ;(children as unknown[]).forEach((child, index) => element(index, child, level + 1))
      path.pop()
    }
    leave(key, value)
  }

  try {
    if (tree !== null) element(undefined, tree, 1)
  } catch (error) {
    if (isIxpError(error)) throw error
    fail(`reading it threw (${error instanceof Error ? error.message : 'a non-error'})`)
  }
  return tree
}
