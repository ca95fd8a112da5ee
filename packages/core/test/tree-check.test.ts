/**
 * The render path's check of a tree the fast canonical check did not accept: the first place that is not
 * canonical is refused with its path; a tree with nothing wrong is handed back as it is.
 */
import { describe, expect, it } from 'vitest'
import { IxpError } from '../src/index.js'
import { assertCanonicalTree } from '../src/tree/check.js'

const limits = { maxDepth: 4, maxNodes: 50 }

function refusal(tree: unknown): { path: unknown; message: string } {
  try {
    assertCanonicalTree(tree as never, limits)
  } catch (error) {
    expect(error).toBeInstanceOf(IxpError)
    expect((error as IxpError).code).toBe('INVALID_RENDER_TREE')
    return { path: (error as IxpError).details?.path, message: (error as IxpError).message }
  }
  throw new Error('expected the tree to be refused')
}

const el = (children: unknown[] = [], props: Record<string, unknown> = {}) => ({
  type: 'div',
  props,
  children,
})

describe('assertCanonicalTree', () => {
  it('hands back a canonical tree as it is', () => {
    const tree = el(['a', el([], { data: [1, { b: null }], on: true })])
    expect(assertCanonicalTree(tree as never, limits)).toBe(tree)
    expect(assertCanonicalTree(null, limits)).toBe(null)
    expect(assertCanonicalTree('text', limits)).toBe('text')
  })

  it.each([
    ['a number child', el(['a', 1]), 'children.1', 'h() or normalizeTree()'],
    ['a missing props', { type: 'div', children: [] }, '', 'element { type, props, children }'],
    ['an extra key', { ...el(), key: 'k' }, '', 'and nothing else'],
    ['an empty type', { ...el(), type: '' }, '', 'non-empty string'],
    ['children in props', el([], { children: [] }), 'props', 'element { type, props, children }'],
    ['a root array', ['a'], '', 'element { type, props, children }'],
    ['a function prop', el([], { onClick: () => {} }), 'props.onClick', 'JSON only'],
    ['an undefined prop', el([el([], { x: undefined })]), 'children.0.props.x', 'leave undefined out'],
    ['a NaN deep in a prop', el([], { a: [{ b: Number.NaN }] }), 'props.a.0.b', 'finite numbers'],
    ['a class instance', el([], { at: new Date(0) }), 'props.at', 'plain objects'],
    ['a hole in children', el([, 'a']), 'children.0', 'h() or normalizeTree()'],
    [
      'too deep',
      el([el([el([el([el()])])])]),
      'children.0.children.0.children.0.children.0',
      'limits.maxTreeDepth',
    ],
    ['too many values', el(Array.from({ length: 60 }, () => 'x')), 'children.49', 'limits.maxTreeNodes'],
  ])('refuses %s with its path', (_, tree, path, message) => {
    const found = refusal(tree)
    expect(found.path).toBe(path)
    expect(found.message).toContain(message)
  })

  it('refuses cycles, __proto__ keys and throwing getters with their path', () => {
    const cyclic = el()
    cyclic.children.push(cyclic)
    expect(refusal(cyclic)).toMatchObject({ path: 'children.0', message: expect.stringContaining('cycle') })
    expect(refusal(el([], JSON.parse('{"__proto__": {"x": 1}}')))).toMatchObject({ path: 'props.__proto__' })
    const hostile = el([], {
      get bad() {
        throw new Error('boom')
      },
    })
    expect(refusal(hostile)).toMatchObject({ path: 'props', message: expect.stringContaining('boom') })
  })
})
