import type { RenderNode } from '../types.js'
import { Placeholder } from './constants.js'

/**
 * True when the tree holds a {@link Placeholder} anywhere (content that was not ready in time). A render
 * whose tree contains one should not be cached as final. Walks without recursion and visits each object
 * once, so cycles and deep trees are safe; unreadable nodes are skipped.
 */
export function containsPlaceholder(tree: RenderNode): boolean {
  const stack: unknown[] = [tree]
  const seen = new Set<object>()
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null || seen.has(node)) continue
    seen.add(node)
    try {
      if (Array.isArray(node)) {
        for (const child of node) stack.push(child)
        continue
      }
      const { type, children } = node as { type?: unknown; children?: unknown }
      if (type === Placeholder) return true
      if (Array.isArray(children)) for (const child of children) stack.push(child)
    } catch {
      // A node whose getters throw holds nothing we can inspect.
    }
  }
  return false
}
