import { isIxpError } from '../errors.js'
import type { ElementNode, RenderNode } from '../types.js'
import { treeError } from './tree-error.js'
import { describeValue, isArraySafe, isPlainObject, isPollutingKey, isThenable } from './values.js'

/** What `h()` accepts as a child: any render node, or (nested) arrays of them. */
export type Child = RenderNode | readonly Child[]

/**
 * A synchronous function component for `h()`: it receives its props plus `children` (always an array,
 * already flattened) and returns a render node. Async work belongs in a server component's `render`.
 */
export type FunctionComponent<P = Record<string, unknown>> = (
  props: P & { children: RenderNode[] },
) => RenderNode

/**
 * Builds a render-tree element. Children are flattened (nested arrays), `null`, `undefined` and booleans are
 * dropped, numbers become strings and props whose value is `undefined` are left out, so the result is
 * canonical. When no children are passed, `props.children` is used instead; `children` never stays in `props`.
 *
 * With a function as `type`, the function is called at once with `{ ...props, children }` and its result is
 * returned as is. It must be synchronous: a returned Promise is an error (await async components in a
 * server component's `render` and pass the resulting tree).
 */
export function h(type: string, props?: Record<string, unknown> | null, ...children: Child[]): ElementNode
export function h<P extends object>(
  type: FunctionComponent<P>,
  props: P | null,
  ...children: Child[]
): RenderNode
export function h(type: unknown, props?: unknown, ...children: Child[]): RenderNode {
  const label = typeLabel(type)
  const { ownProps, flat } = readInput(props, children, label)

  if (typeof type === 'function') {
    const result: unknown = (type as (props: Record<string, unknown>) => unknown)({
      ...ownProps,
      children: flat,
    })
    if (isThenable(result)) {
      // Nobody will ever await this promise: keep its rejection from becoming an unhandled one.
      result.then(undefined, () => undefined)
      throw treeError(
        `${label} returned a Promise: h() is synchronous. Await the async work in a server component's ` +
          'render and pass the resulting tree to h().',
      )
    }
    return result as RenderNode
  }
  if (typeof type !== 'string' || type.length === 0) {
    const isDefinition =
      isPlainObject(type) && typeof type.name === 'string' && ('render' in type || 'remoteUrl' in type)
    throw treeError(
      isDefinition
        ? `h() got the component definition '${String(type.name)}': server components render asynchronously ` +
            'with a context. Await `definition.render(props, ctx)` or use composeComponents().'
        : `h() type must be a tag name (e.g. 'div'), Fragment or a function component; got ${describeValue(type)}.`,
    )
  }
  return { type, props: ownProps, children: flat }
}

/**
 * Flattens nested child arrays without recursion (a hostile depth cannot overflow the stack). Most lists hold no
 * nested array: they take one pass, without the walk's stack and cycle set (~1 KB of garbage per call).
 */
export function flattenChildren(input: readonly unknown[], label = 'h()'): RenderNode[] {
  const out: RenderNode[] = []
  for (let i = 0; i < input.length; i++) {
    const child = input[i]
    if (isArraySafe(child)) return flattenNested(input, label)
    const node = toChildNode(child, label)
    if (node !== undefined) out.push(node)
  }
  return out
}

function flattenNested(input: readonly unknown[], label: string): RenderNode[] {
  const out: RenderNode[] = []
  const stack: { items: readonly unknown[]; index: number }[] = [{ items: input, index: 0 }]
  const open = new Set<readonly unknown[]>([input])
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.index >= top.items.length) {
      open.delete(top.items)
      stack.pop()
      continue
    }
    const child = top.items[top.index++]
    if (isArraySafe(child)) {
      if (open.has(child)) throw treeError(`${label}: a children array contains itself.`)
      open.add(child)
      stack.push({ items: child, index: 0 })
      continue
    }
    const node = toChildNode(child, label)
    if (node !== undefined) out.push(node)
  }
  return out
}

function toChildNode(child: unknown, label: string): string | ElementNode | undefined {
  switch (typeof child) {
    case 'undefined':
    case 'boolean':
      return undefined
    case 'string':
      return child
    case 'number':
    case 'bigint':
      return String(child)
    case 'object':
      if (child === null) return undefined
      if (hasStringType(child)) return child as ElementNode
  }
  throw treeError(
    `${label}: a child must be an element, a string, a number, null, undefined or a boolean; ` +
      `got ${describeValue(child)}.`,
  )
}

function readInput(
  props: unknown,
  children: readonly unknown[],
  label: string,
): { ownProps: Record<string, unknown>; flat: RenderNode[] } {
  try {
    const split = splitProps(props, label)
    return {
      ownProps: split.props,
      flat: flattenChildren(children.length > 0 ? children : toList(split.children), label),
    }
  } catch (error) {
    if (isIxpError(error)) throw error
    throw treeError(
      `${label}: reading the props or children threw (${error instanceof Error ? error.message : 'a non-error'}).`,
    )
  }
}

function splitProps(props: unknown, label: string): { props: Record<string, unknown>; children: unknown } {
  const out: Record<string, unknown> = {}
  if (props === null || props === undefined) return { props: out, children: undefined }
  if (!isPlainObject(props))
    throw treeError(`${label}: props must be a plain object or null; got ${describeValue(props)}.`)
  let children: unknown
  for (const key of Object.keys(props)) {
    if (key === 'children') children = props[key]
    // An undefined prop is left out, as JSON would: the tree stays canonical (what render accepts as it is).
    else if (!isPollutingKey(key) && props[key] !== undefined) out[key] = props[key]
  }
  return { props: out, children }
}

function toList(children: unknown): readonly unknown[] {
  if (children === undefined) return []
  return isArraySafe(children) ? children : [children]
}

function typeLabel(type: unknown): string {
  if (typeof type === 'string') return `h('${type}')`
  if (typeof type === 'function') return `h(${type.name || 'anonymous component'})`
  return 'h()'
}

function hasStringType(value: object): boolean {
  try {
    return typeof (value as { type?: unknown }).type === 'string'
  } catch {
    return false
  }
}
