import { describe, expect, it } from 'vitest'
import { IxpError } from '../src/index.js'
import {
  containsPlaceholder,
  Fragment,
  h,
  isElementNode,
  normalizeTree,
  Placeholder,
  validateTree,
} from '../src/tree/index.js'

function deepTree(depth: number): unknown {
  let node: unknown = 'leaf'
  for (let index = 0; index < depth; index++) node = { type: 'div', props: {}, children: [node] }
  return node
}

describe('validateTree()', () => {
  it('accepts trees built with h(), text, numbers and empty roots', () => {
    const tree = h('main', { style: { color: 'red' }, items: [1, 'a', { b: null }] }, h('p', null, 'x'), 3)
    expect(validateTree(tree)).toEqual({ ok: true })
    for (const root of ['text', 1, null, undefined, true]) expect(validateTree(root)).toEqual({ ok: true })
  })

  it('names the path of the first problem', () => {
    const tree = h('main', null, h('p', null, 'ok'), h('button', { onClick: () => undefined }))
    expect(validateTree(tree)).toEqual({
      ok: false,
      path: 'children.1.props.onClick',
      message: expect.stringMatching(/function cannot be sent/),
    })
    expect(validateTree({ type: 'div', props: { when: new Date(0) }, children: [] })).toMatchObject({
      ok: false,
      path: 'props.when',
      message: expect.stringMatching(/instance of Date.*convert/),
    })
    expect(validateTree({ type: 'div', props: { n: Infinity }, children: [] })).toMatchObject({
      path: 'props.n',
    })
    expect(validateTree({ type: 'div', props: { s: Symbol('x') }, children: [] })).toMatchObject({
      path: 'props.s',
    })
    expect(validateTree({ type: 7, props: {}, children: [] })).toMatchObject({ path: '', message: /type/ })
    expect(validateTree({ type: 'a', props: [], children: [] })).toMatchObject({ path: 'props' })
    expect(validateTree({ type: 'ul', props: {}, children: [h('li'), new Map()] })).toMatchObject({
      path: 'children.1',
      message: /instance of Map/,
    })
  })

  it('reports cycles in children and in props, but accepts shared subtrees', () => {
    const loop: { type: string; props: object; children: unknown[] } = {
      type: 'div',
      props: {},
      children: [],
    }
    loop.children.push({ type: 'span', props: {}, children: [loop] })
    expect(validateTree(loop)).toMatchObject({ ok: false, path: 'children.0.children.0', message: /cycle/ })
    const props: Record<string, unknown> = {}
    props.self = props
    expect(validateTree({ type: 'div', props, children: [] })).toMatchObject({
      path: 'props.self',
      message: /cycle/,
    })
    const shared = h('b', null, 'x')
    expect(validateTree(h('p', { a: [1], b: [1] }, shared, shared))).toEqual({ ok: true })
  })

  it('enforces maxDepth (elements and prop values) and maxNodes', () => {
    expect(validateTree(deepTree(64))).toEqual({ ok: true })
    expect(validateTree(deepTree(65))).toMatchObject({ ok: false, message: /deeper than 64/ })
    expect(validateTree(deepTree(10), { maxDepth: 5 })).toMatchObject({ ok: false, message: /deeper than 5/ })
    let value: unknown = 1
    for (let index = 0; index < 70; index++) value = { value }
    expect(validateTree({ type: 'div', props: { value }, children: [] })).toMatchObject({
      message: /prop value/,
    })
    const wide = h(
      'ul',
      null,
      Array.from({ length: 50 }, () => 'x'),
    )
    expect(validateTree(wide, { maxNodes: 20 })).toMatchObject({ ok: false, message: /more than 20 values/ })
  })

  it('handles a 100 000-deep tree built iteratively (no recursion, no stack overflow)', () => {
    expect(validateTree(deepTree(100_000))).toMatchObject({ ok: false, message: /deeper than 64/ })
    expect(validateTree(deepTree(100_000), { maxDepth: Infinity, maxNodes: Infinity })).toEqual({ ok: true })
  })

  it('never throws on throwing getters, hostile Proxies and revoked Proxies', () => {
    const getter = {
      type: 'div',
      props: {},
      get children(): unknown {
        throw new Error('boom')
      },
    }
    expect(validateTree(getter)).toMatchObject({ ok: false, path: '', message: /threw \(boom\)/ })
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys')
        },
      },
    )
    expect(validateTree({ type: 'div', props: trap, children: [] })).toMatchObject({ ok: false })
    const { proxy, revoke } = Proxy.revocable({ type: 'div', props: {}, children: [] }, {})
    revoke()
    expect(validateTree({ type: 'p', props: {}, children: [proxy] })).toMatchObject({
      ok: false,
      path: 'children.0',
    })
    const hostileThrow = {
      type: 'div',
      get props(): unknown {
        throw Object.create(null) // not even an Error
      },
    }
    expect(validateTree(hostileThrow)).toMatchObject({ ok: false })
  })
})

describe('normalizeTree()', () => {
  it('canonicalises lenient trees into a fresh JSON-safe copy', () => {
    const input = {
      type: 'div',
      children: ['a', null, false, 3, [['b']], { type: 'i', props: { children: 'from props' } }],
      props: { keep: 1, drop: undefined, arr: [undefined, 2] },
    }
    expect(normalizeTree(input)).toEqual({
      type: 'div',
      props: { keep: 1, arr: [null, 2] },
      children: ['a', '3', 'b', { type: 'i', props: {}, children: ['from props'] }],
    })
    expect(normalizeTree(['x', h('b')])).toEqual({ type: Fragment, props: {}, children: ['x', h('b')] })
    expect(normalizeTree(undefined)).toBeNull()
    expect(normalizeTree(12)).toBe('12')
    const tree = h('p', { a: { b: [1] } }, 'x')
    const copy = normalizeTree(tree)
    expect(copy).toEqual(tree)
    expect(copy).not.toBe(tree)
  })

  it('drops __proto__ keys and keeps the copy free of prototype pollution', () => {
    const props = JSON.parse('{"__proto__": {"polluted": 1}, "nested": {"__proto__": {"polluted": 2}}}')
    const copy = normalizeTree({ type: 'div', props, children: [] }) as { props: Record<string, unknown> }
    expect(copy.props).toEqual({ nested: {} })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('throws INVALID_RENDER_TREE naming the path', () => {
    try {
      normalizeTree(h('div', null, h('span', { handler: () => 1 })))
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(IxpError)
      const failure = error as IxpError
      expect(failure.code).toBe('INVALID_RENDER_TREE')
      expect(failure.status).toBe(500)
      expect(failure.message).toMatch(/^Invalid render tree at 'children\.0\.props\.handler': a function/)
      expect(failure.details).toMatchObject({ path: 'children.0.props.handler' })
    }
  })
})

describe('isElementNode() and containsPlaceholder()', () => {
  it('recognises canonical elements only', () => {
    expect(isElementNode(h('div'))).toBe(true)
    expect(isElementNode({ type: 'div', children: [] })).toBe(false)
    expect(isElementNode('div')).toBe(false)
    expect(
      isElementNode(
        new Proxy(
          {},
          {
            getPrototypeOf: () => {
              throw new Error('x')
            },
          },
        ),
      ),
    ).toBe(false)
  })

  it('finds placeholders at any depth and survives cycles', () => {
    expect(containsPlaceholder(h('div', null, h('p', null, h(Placeholder, null, 'loading'))))).toBe(true)
    expect(containsPlaceholder(h('div', null, 'x'))).toBe(false)
    const loop: { type: string; props: object; children: unknown[] } = {
      type: 'div',
      props: {},
      children: [],
    }
    loop.children.push(loop)
    expect(containsPlaceholder(loop as never)).toBe(false)
  })
})
