import { isIxpError } from '../errors.js'
import type { ElementNode, RenderNode } from '../types.js'
import type { TreeLimits } from './check.js'
import { Fragment } from './constants.js'
import { treeError } from './tree-error.js'
import { describeValue, isPlainObject, isPollutingKey } from './values.js'

export type { TreeLimits }

/** Result of {@link validateTree}: `path` is dotted (`children.0.props.style`), `''` for the root. */
export type TreeValidation = { ok: true } | { ok: false; path: string; message: string }

const defaultLimits: Required<TreeLimits> = { maxDepth: 64, maxNodes: 100_000 }

/** True for an element in canonical form: a plain object with a string `type`, plain `props`, array `children`. */
export function isElementNode(value: unknown): value is ElementNode {
  if (!isPlainObject(value)) return false
  try {
    return typeof value.type === 'string' && isPlainObject(value.props) && Array.isArray(value.children)
  } catch {
    return false
  }
}

/**
 * Checks that `node` is a render tree {@link normalizeTree} accepts, without throwing: a JSON-safe tree of
 * elements and text within the limits, with no cycles.
 */
export function validateTree(node: unknown, limits?: TreeLimits): TreeValidation {
  try {
    normalizeTree(node, limits)
    return { ok: true }
  } catch (error) {
    const details = isIxpError(error) ? error.details : undefined
    const path = typeof details?.path === 'string' ? details.path : ''
    const problem = typeof details?.problem === 'string' ? details.problem : 'the tree could not be read'
    return { ok: false, path, message: problem }
  }
}

/**
 * Returns a canonical, JSON-safe copy of a render tree, or throws `IxpError('INVALID_RENDER_TREE')` whose
 * message and `details.path` name the offending location.
 *
 * Accepted leniently and canonicalised: missing `props` (→ `{}`) or `children` (→ `props.children`, else `[]`),
 * a non-array `children` (→ one child), nested child arrays (flattened), a root array (→ a {@link Fragment}),
 * `null`/`undefined`/booleans (dropped; `null` at the root), numbers (→ strings), `undefined` prop values
 * (dropped). Rejected: functions, symbols, class instances (`Date`, `Map`…), non-finite numbers in props,
 * cycles, and anything beyond the limits. Shared subtrees are copied at each place they appear.
 */
export function normalizeTree(node: unknown, limits?: TreeLimits): RenderNode {
  const { maxDepth, maxNodes } = { ...defaultLimits, ...limits }
  const root: RenderNode[] = []
  const stack: Item[] = [{ kind: 'node', value: node, link: undefined, depth: 0, into: root, key: undefined }]
  const open = new Set<object>()
  let visited = 0

  while (stack.length > 0) {
    const item = stack.pop()!
    if (item.kind === 'exit') {
      open.delete(item.value as object)
      continue
    }
    if (++visited > maxNodes) fail(item.link, `the tree has more than ${maxNodes} values (maxNodes)`)
    try {
      if (item.kind === 'node') visitNode(item)
      else visitJson(item)
    } catch (error) {
      if (isIxpError(error)) throw error
      fail(item.link, `reading this value threw (${safeMessage(error)})`)
    }
  }
  return root[0] ?? null

  function visitNode(item: Item): void {
    const { value, link, depth } = item
    switch (typeof value) {
      case 'undefined':
      case 'boolean':
        return depth === 0 ? put(item, null) : undefined
      case 'string':
        return put(item, value)
      case 'number':
      case 'bigint':
        return put(item, String(value))
    }
    if (value === null) return depth === 0 ? put(item, null) : undefined
    if (Array.isArray(value)) {
      enter(value, link)
      if (depth === 0) {
        const fragment: ElementNode = { type: Fragment, props: {}, children: [] }
        put(item, fragment)
        pushChildren(value, fragment.children, link, 1)
      } else {
        pushChildren(value, item.into as RenderNode[], link, depth)
      }
      return
    }
    if (!isPlainObject(value)) {
      fail(link, `expected an element, a string or a number, got ${describeValue(value)}`)
    }
    const level = depth + 1
    if (level > maxDepth) fail(link, `elements are nested deeper than ${maxDepth} levels (maxDepth)`)
    const type = value.type
    if (typeof type !== 'string' || type.length === 0) {
      fail(link, `an element's type must be a non-empty string, got ${describeValue(type)}`)
    }
    const props = value.props ?? {}
    if (!isPlainObject(props))
      fail(child(link, 'props'), `props must be a plain object, got ${describeValue(props)}`)
    const children = value.children ?? props.children
    enter(value, link)
    const element: ElementNode = { type, props: {}, children: [] }
    put(item, element)
    // Children go on the stack first so that props are checked first (pop order).
    pushChildren(toList(children), element.children, link, level)
    const propsLink = child(link, 'props')
    enter(props, propsLink)
    for (const key of Object.keys(props).reverse()) {
      if (key === 'children' || isPollutingKey(key)) continue
      stack.push({
        kind: 'json',
        value: props[key],
        link: child(propsLink, key),
        depth: 1,
        into: element.props,
        key,
      })
    }
  }

  function visitJson(item: Item): void {
    const { value, link, depth } = item
    switch (typeof value) {
      case 'undefined':
        return Array.isArray(item.into) ? put(item, null) : undefined
      case 'boolean':
      case 'string':
        return put(item, value)
      case 'number':
        if (!Number.isFinite(value))
          fail(link, `${String(value)} cannot be sent as JSON; use null or a string`)
        return put(item, value)
      case 'function':
        fail(link, 'a function cannot be sent in a render tree (event handlers belong to client code)')
        return
      case 'symbol':
      case 'bigint':
        fail(link, `${describeValue(value)} cannot be sent as JSON; convert it to a string`)
    }
    if (value === null) return put(item, null)
    if (depth > maxDepth) fail(link, `a prop value is nested deeper than ${maxDepth} levels (maxDepth)`)
    if (Array.isArray(value)) {
      enter(value, link)
      const copy: unknown[] = new Array<unknown>(value.length)
      put(item, copy)
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({
          kind: 'json',
          value: value[index],
          link: child(link, index),
          depth: depth + 1,
          into: copy,
          key: index,
        })
      }
      return
    }
    if (!isPlainObject(value)) {
      fail(
        link,
        `${describeValue(value)} cannot be sent as JSON; convert it to a string, number or plain object`,
      )
    }
    enter(value, link)
    const copy: Record<string, unknown> = {}
    put(item, copy)
    for (const key of Object.keys(value).reverse()) {
      if (isPollutingKey(key)) continue
      stack.push({
        kind: 'json',
        value: value[key],
        link: child(link, key),
        depth: depth + 1,
        into: copy,
        key,
      })
    }
  }

  function enter(value: object, link: PathLink | undefined): void {
    if (open.has(value)) fail(link, 'the tree contains itself (a cycle)')
    open.add(value)
    stack.push({ kind: 'exit', value, link, depth: 0, into: undefined, key: undefined })
  }

  function pushChildren(
    list: readonly unknown[],
    into: RenderNode[],
    link: PathLink | undefined,
    depth: number,
  ) {
    const childrenLink = child(link, 'children')
    for (let index = list.length - 1; index >= 0; index--) {
      stack.push({
        kind: 'node',
        value: list[index],
        link: child(childrenLink, index),
        depth,
        into,
        key: undefined,
      })
    }
  }
}

interface PathLink {
  parent: PathLink | undefined
  segment: string | number
}

interface Item {
  kind: 'node' | 'json' | 'exit'
  value: unknown
  /** Built lazily into a dotted path only when reporting, so deep trees cost no string building. */
  link: PathLink | undefined
  depth: number
  into: unknown[] | Record<string, unknown> | undefined
  /** Where to store the result in `into`; `undefined` appends. */
  key: string | number | undefined
}

function put(item: Item, value: unknown): void {
  const { into, key } = item
  if (Array.isArray(into)) {
    if (key === undefined) into.push(value)
    else into[key as number] = value
  } else if (into !== undefined) {
    into[key as string] = value
  }
}

function child(link: PathLink | undefined, segment: string | number): PathLink {
  return { parent: link, segment }
}

function toList(children: unknown): readonly unknown[] {
  if (children === undefined || children === null) return []
  return Array.isArray(children) ? children : [children]
}

function pathOf(link: PathLink | undefined): string {
  const segments: (string | number)[] = []
  for (let at = link; at !== undefined; at = at.parent) segments.push(at.segment)
  return segments.reverse().join('.')
}

function fail(link: PathLink | undefined, problem: string): never {
  const path = pathOf(link)
  throw treeError(`Invalid render tree at ${path ? `'${path}'` : 'the root'}: ${problem}.`, { path, problem })
}

function safeMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error)
  } catch {
    return 'unreadable error'
  }
}
