import { Fragment, Layout, Placeholder } from '../tree/constants.js'
import { renderAttributes } from './attributes.js'
import { escapeHtml, neutralizeRawText } from './escape.js'
import {
  isSafeTagName,
  RAW_TEXT_ELEMENTS,
  TEXT_ONLY_ELEMENTS,
  VOID_ELEMENTS,
  WHITESPACE_ELEMENTS,
} from './names.js'
import { resolveOptions, type RenderToHTMLOptions, type ResolvedOptions } from './options.js'

/** Emitted where content was cut; fixed text, so nothing from the tree can end up inside a comment. */
export const Markers = {
  depth: '<!--ixp:depth-limit-->',
  cycle: '<!--ixp:cycle-->',
  truncated: '<!--ixp:truncated-->',
} as const

type Work =
  | { kind: 'node'; value: unknown; depth: number; indent: number }
  | { kind: 'list'; items: unknown; index: number; length: number; depth: number; indent: number }
  | { kind: 'close'; node: object; html: string; indent: number; preserve: boolean }

/**
 * Serialises a render tree to an HTML string that is safe to insert into a page, whatever the tree holds.
 *
 * Text and attribute values are escaped; tag and attribute names that are not plain names are never emitted
 * (such an element renders its children only); blocked elements are dropped with their content; `on*`
 * attributes, `srcdoc`, `javascript:`/`vbscript:`/`data:` URLs (in any disguise) and code-running styles are
 * dropped. {@link Fragment} renders its children only, {@link Layout} a `<div class="ixp-layout ixp-layout-<kind>">`
 * and {@link Placeholder} a `<div class="ixp-placeholder">`. It never throws: cycles, throwing getters, Proxies,
 * symbols and other non-tree values render nothing (or a marker comment), and output is bounded by the
 * depth, node and length limits of {@link RenderToHTMLOptions}. The walk uses no recursion.
 */
export function renderToHTML(tree: unknown, options?: RenderToHTMLOptions): string {
  let settings: ResolvedOptions
  try {
    settings = resolveOptions(options)
  } catch {
    settings = resolveOptions(undefined)
  }
  const { maxDepth, maxLength, allowedTags, blockedTags, pretty } = settings
  const budget = { left: settings.maxNodes }
  const out: string[] = []
  const open = new Set<object>()
  const stack: Work[] = [{ kind: 'node', value: tree, depth: 0, indent: 0 }]
  let length = 0
  let preserving = 0
  let stopped = false

  while (stack.length > 0) {
    const work = stack.pop()!
    if (work.kind === 'close') {
      open.delete(work.node)
      emit(work.html, work.indent)
      if (work.preserve) preserving--
      continue
    }
    if (stopped || (work.kind === 'list' && work.index >= work.length)) continue
    if (budget.left <= 0 || length >= maxLength) {
      stopped = true
      emit(Markers.truncated, work.indent)
      continue
    }
    if (work.kind === 'list') {
      const index = work.index++
      stack.push(work)
      stack.push({ kind: 'node', value: read(work.items, index), depth: work.depth, indent: work.indent })
      continue
    }
    budget.left--
    try {
      visit(work.value, work.depth, work.indent)
    } catch {
      // Every read of tree data is already guarded; this keeps the promise never to throw, whatever slips by.
    }
  }
  return out.join('')

  function visit(value: unknown, depth: number, indent: number): void {
    switch (typeof value) {
      case 'string':
        return emit(escapeHtml(value), indent)
      case 'number':
      case 'bigint':
        return emit(String(value), indent)
      case 'object':
        break
      default:
        return
    }
    if (value === null) return
    if (open.has(value)) return emit(Markers.cycle, indent)
    if (isArray(value)) return descend(value, value, depth, indent, '', false)

    const type = read(value, 'type')
    if (typeof type !== 'string') return
    if (depth + 1 > maxDepth) return emit(Markers.depth, indent)
    const props = read(value, 'props')
    let children = read(value, 'children')
    if (children === undefined) children = read(props, 'children')

    if (type === Fragment) return descend(value, children, depth + 1, indent, '', false)
    if (type === Layout || type === Placeholder) {
      emit(`<div${builtInAttributes(type, props)}>`, indent)
      return descend(value, children, depth + 1, indent + 1, '</div>', false)
    }
    const name = type.toLowerCase()
    if (
      !isSafeTagName(type) ||
      (allowedTags !== undefined && !allowedTags.has(name) && !blockedTags.has(name))
    ) {
      return descend(value, children, depth + 1, indent, '', false)
    }
    if (blockedTags.has(name)) return
    const openTag = `<${type}${renderAttributes(props, budget)}>`
    if (VOID_ELEMENTS.has(name)) return emit(openTag, indent)
    if (RAW_TEXT_ELEMENTS.has(name) || TEXT_ONLY_ELEMENTS.has(name)) {
      const text = textOf(children)
      return emit(
        `${openTag}${RAW_TEXT_ELEMENTS.has(name) ? neutralizeRawText(text) : escapeHtml(text)}</${type}>`,
        indent,
      )
    }
    emit(openTag, indent)
    const preserve = WHITESPACE_ELEMENTS.has(name)
    if (preserve) preserving++
    descend(value, children, depth + 1, indent + 1, `</${type}>`, preserve)
  }

  /** Schedules the children (one list frame, so the stack stays as small as the tree is deep) and the close. */
  function descend(
    node: object,
    children: unknown,
    depth: number,
    indent: number,
    close: string,
    preserve: boolean,
  ) {
    open.add(node)
    stack.push({ kind: 'close', node, html: close, indent: Math.max(indent - 1, 0), preserve })
    if (children === undefined || children === null) return
    if (!isArray(children)) {
      stack.push({ kind: 'node', value: children, depth, indent })
      return
    }
    const length = read(children, 'length')
    if (typeof length === 'number' && length > 0) {
      stack.push({ kind: 'list', items: children, index: 0, length, depth, indent })
    }
  }

  function emit(html: string, indent: number): void {
    if (html.length === 0) return
    const text = pretty && preserving === 0 && out.length > 0 ? `\n${'  '.repeat(indent)}${html}` : html
    out.push(text)
    length += text.length
  }

  /** The direct text children of a text-only element (elements inside one would be shown as text anyway). */
  function textOf(children: unknown): string {
    const list = isArray(children) ? children : [children]
    const size = Math.min(Number(read(list, 'length')) || 0, budget.left)
    let text = ''
    for (let index = 0; index < size; index++) {
      const child = read(list, index)
      budget.left--
      if (typeof child === 'string') text += child
      else if (typeof child === 'number') text += String(child)
    }
    return text
  }
}

function builtInAttributes(type: string, props: unknown): string {
  if (type === Layout) {
    const layout = read(props, 'layout')
    const kind =
      typeof layout === 'string' && /^[A-Za-z][\w-]*$/.test(layout)
        ? ` ixp-layout-${layout.toLowerCase()}`
        : ''
    return ` class="ixp-layout${kind}"`
  }
  const component = read(props, 'component')
  const reason = read(props, 'reason')
  return (
    ' class="ixp-placeholder"' +
    (typeof reason === 'string' ? ` data-ixp-reason="${escapeHtml(reason)}"` : '') +
    (typeof component === 'string' ? ` data-ixp-component="${escapeHtml(component)}"` : '')
  )
}

/** Reads a property of untrusted data; a throwing getter or Proxy trap reads as `undefined`. */
function read(target: unknown, key: string | number): unknown {
  if (typeof target !== 'object' || target === null) return undefined
  try {
    return (target as Record<string | number, unknown>)[key]
  } catch {
    return undefined
  }
}

/** `Array.isArray` throws on a revoked Proxy. */
function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value)
  } catch {
    return false
  }
}
