import { afterEach, describe, expect, it } from 'vitest'
import { h, normalizeTree, Placeholder } from '../src/tree/index.js'
import { CANONICAL, CANONICAL_WITH_PLACEHOLDER, classifyTree, NOT_CANONICAL } from '../src/tree/canonical.js'
import type { RenderNode } from '../src/types.js'

const LIMITS = { maxDepth: 64, maxNodes: 100_000 }

function classify(tree: unknown, limits = LIMITS): number {
  return classifyTree(tree as RenderNode, limits.maxDepth, limits.maxNodes)
}

/** What a canonical answer promises: normalizing the tree changes nothing that goes on the wire. */
function expectKeptAsNormalized(tree: unknown): void {
  expect(JSON.stringify(normalizeTree(tree, LIMITS))).toBe(JSON.stringify(tree))
}

const card = (title: unknown) => ({
  type: 'card',
  props: { title },
  children: [{ type: 'text', props: {}, children: ['Quantity: 2'] }],
})

describe('classifyTree', () => {
  it('keeps trees that are already canonical', () => {
    const trees: unknown[] = [
      card('p-1'),
      h('div', { id: 'a', n: 1, ok: true, none: null }, h('p', null, 'x'), 'y'),
      { type: 'list', props: { items: [{ children: 'a nested key named children is data' }] }, children: [] },
      {
        type: 'chart',
        props: {
          points: [
            [1, 2],
            [3, 4],
          ],
          style: { color: 'red' },
        },
        children: [],
      },
      'just text',
    ]
    for (const tree of trees) {
      expect(classify(tree), JSON.stringify(tree)).toBe(CANONICAL)
      expectKeptAsNormalized(tree)
    }
    expect(classify(null)).toBe(CANONICAL)
  })

  it('accepts elements and props with a null prototype', () => {
    const props = Object.assign(Object.create(null) as object, { title: 'x' })
    const element = Object.assign(Object.create(null) as object, { type: 'div', props, children: [] })
    expect(classify(element)).toBe(CANONICAL)
  })

  it('sends everything normalizeTree would change or refuse to normalizeTree', () => {
    class Box {
      type = 'div'
      props = {}
      children = []
    }
    const cycle: { type: string; props: object; children: unknown[] } = {
      type: 'div',
      props: {},
      children: [],
    }
    cycle.children.push(cycle)
    const trees: unknown[] = [
      { type: 'div', children: [] },
      { type: 'div', props: {} },
      { type: 'div', props: {}, children: [], key: 'extra' },
      { type: '', props: {}, children: [] },
      { type: 1, props: {}, children: [] },
      { type: 'div', props: { children: ['x'] }, children: [] },
      { type: 'div', props: { gone: undefined }, children: [] },
      { type: 'div', props: { n: Number.NaN }, children: [] },
      { type: 'div', props: { at: new Date(0) }, children: [] },
      { type: 'div', props: { list: [1, undefined] }, children: [] },
      { type: 'div', props: { onClick: () => undefined }, children: [] },
      { type: 'div', props: [], children: [] },
      { type: 'div', props: {}, children: [2] },
      { type: 'div', props: {}, children: [true] },
      { type: 'div', props: {}, children: [null] },
      { type: 'div', props: {}, children: 'x' },
      [card('x')],
      new Box(),
      JSON.parse('{"type":"div","props":{"__proto__":{"x":1}},"children":[]}'),
      JSON.parse('{"__proto__":{},"type":"div","props":{},"children":[]}'),
      cycle,
    ]
    trees.forEach((tree, index) => expect(classify(tree), `tree ${index}`).toBe(NOT_CANONICAL))
  })

  it('answers "not canonical" for throwing getters and proxies instead of throwing', () => {
    const throwing = {
      type: 'div',
      get props(): object {
        throw new Error('boom')
      },
      children: [],
    }
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('x')
        },
      },
    )
    expect(classify(throwing)).toBe(NOT_CANONICAL)
    expect(classify(hostile)).toBe(NOT_CANONICAL)
    expect(classify({ type: 'div', props: { inner: hostile }, children: [] })).toBe(NOT_CANONICAL)
  })

  it('stops at the depth and node limits', () => {
    const deep = h('a', null, h('b', null, h('c', null, 'x')))
    expect(classify(deep, { maxDepth: 3, maxNodes: 100 })).toBe(CANONICAL)
    expect(classify(deep, { maxDepth: 2, maxNodes: 100 })).toBe(NOT_CANONICAL)
    // Three elements, one text child and one prop value: five nodes.
    const counted = h('a', { p: 'v' }, h('b', null, h('c', null, 'x')))
    expect(classify(counted, { maxDepth: 64, maxNodes: 5 })).toBe(CANONICAL)
    expect(classify(counted, { maxDepth: 64, maxNodes: 4 })).toBe(NOT_CANONICAL)
    // Prop values count from depth 1: `a` is an object at depth 1, `b` at depth 2 (as normalizeTree counts).
    const nested = { type: 'div', props: { a: { b: { c: 'x' } } }, children: [] }
    expect(classify(nested, { maxDepth: 2, maxNodes: 100 })).toBe(CANONICAL)
    expect(() => normalizeTree(nested, { maxDepth: 1, maxNodes: 100 })).toThrow(/maxDepth/)
    expect(classify(nested, { maxDepth: 1, maxNodes: 100 })).toBe(NOT_CANONICAL)
  })

  it('reports a loading placeholder anywhere in the tree', () => {
    expect(classify(h('div', null, h('p', null, h(Placeholder, { component: 'X' }, 'loading'))))).toBe(
      CANONICAL_WITH_PLACEHOLDER,
    )
    expect(classify(h(Placeholder, null))).toBe(CANONICAL_WITH_PLACEHOLDER)
  })

  it('keeps the placeholder of a walk when a getter classifies another tree midway', () => {
    const inner = h('p', null, 'no placeholder here')
    const tree = {
      type: 'div',
      props: {},
      children: [
        h(Placeholder, null),
        {
          type: 'p',
          get props() {
            expect(classify(inner)).toBe(CANONICAL)
            return {}
          },
          children: [],
        },
      ],
    }
    expect(classify(tree)).toBe(CANONICAL_WITH_PLACEHOLDER)
    expect(classify(inner)).toBe(CANONICAL)
  })

  describe('with a polluted Object.prototype', () => {
    afterEach(() => {
      delete (Object.prototype as Record<string, unknown>).polluted
    })

    it('never keeps a tree whose normalized form would differ', () => {
      ;(Object.prototype as Record<string, unknown>).polluted = 'yes'
      const tree = card('p-1')
      const kind = classify(tree)
      if (kind !== NOT_CANONICAL) expectKeptAsNormalized(tree)
      expect(kind).toBe(NOT_CANONICAL)
    })
  })
})
