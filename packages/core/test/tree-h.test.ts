import { describe, expect, expectTypeOf, it } from 'vitest'
import { IxpError, type ElementNode, type RenderNode } from '../src/index.js'
import { Fragment, h, type FunctionComponent } from '../src/tree/index.js'
import { thrown } from './thrown.js'

describe('h()', () => {
  it('builds a JSON-serialisable element', () => {
    const node = h('div', { id: 'a', className: 'card' }, 'hello')
    expect(node).toEqual({ type: 'div', props: { id: 'a', className: 'card' }, children: ['hello'] })
    expect(JSON.parse(JSON.stringify(node))).toEqual(node)
    expectTypeOf(node).toEqualTypeOf<ElementNode>()
  })

  it('turns null or missing props into {}', () => {
    expect(h('br', null).props).toEqual({})
    expect(h('br').props).toEqual({})
  })

  it('flattens nested child arrays, drops null/undefined/booleans, turns numbers into strings', () => {
    const node = h('ul', null, [h('li', null, 'a'), [null, [undefined, false, 'b']]], true, 0, 42, [[[NaN]]])
    expect(node.children).toEqual([{ type: 'li', props: {}, children: ['a'] }, 'b', '0', '42', 'NaN'])
  })

  it('takes children from props when none are passed, and never keeps them in props', () => {
    expect(h('p', { children: ['x', ['y']], title: 't' })).toEqual({
      type: 'p',
      props: { title: 't' },
      children: ['x', 'y'],
    })
    expect(h('p', { children: 'only' })).toEqual({ type: 'p', props: {}, children: ['only'] })
    // Explicit children win; the children prop is not duplicated.
    expect(h('p', { children: 'ignored' }, 'given')).toEqual({ type: 'p', props: {}, children: ['given'] })
  })

  it('copies props: later changes to the input do not leak into the tree', () => {
    const props = { a: 1 }
    const node = h('div', props)
    props.a = 2
    expect(node.props).toEqual({ a: 1 })
  })

  it('never writes a __proto__ key from (JSON-parsed) props', () => {
    const props = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>
    const node = h('div', props)
    expect(node.props).toEqual({ ok: 1 })
    expect(Object.getPrototypeOf(node.props)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('Fragment is a string type whose node holds children only', () => {
    expect(typeof Fragment).toBe('string')
    expect(h(Fragment, null, 'a', h('b', null, 'c'))).toEqual({
      type: Fragment,
      props: {},
      children: ['a', { type: 'b', props: {}, children: ['c'] }],
    })
  })

  it('calls a function component with its props and flattened children', () => {
    const Card: FunctionComponent<{ title: string }> = ({ title, children }) =>
      h('section', { class: 'card' }, h('h2', null, title), children)
    const node = h(Card, { title: 'Hi' }, ['a', null], 'b')
    expect(node).toEqual({
      type: 'section',
      props: { class: 'card' },
      children: [{ type: 'h2', props: {}, children: ['Hi'] }, 'a', 'b'],
    })
    let received: unknown
    h((props: Record<string, unknown> & { children: RenderNode[] }) => {
      received = props
      return null
    }, null)
    expect(received).toEqual({ children: [] })
  })

  it('refuses an async function component with an IxpError telling to await it', async () => {
    let rejected = false
    const Async = (() =>
      Promise.reject(new Error('late')).catch((error: unknown) => {
        rejected = true
        throw error
      })) as unknown as FunctionComponent
    const error = thrown(() => h(Async, null))
    expect(error).toBeInstanceOf(IxpError)
    expect(error.code).toBe('INVALID_RENDER_TREE')
    expect(error.message).toMatch(/returned a Promise.*await/i)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(rejected).toBe(true) // the rejection happened and was absorbed (vitest fails on unhandled ones)
  })

  it('rejects bad types, props and children with IxpErrors that say what is wrong', () => {
    expect(thrown(() => h('' as string)).message).toMatch(/tag name/)
    expect(thrown(() => h(42 as unknown as string)).message).toMatch(/got a number/)
    const definition = { name: 'Card', render: () => null }
    expect(thrown(() => h(definition as unknown as string)).message).toMatch(
      /component definition 'Card'.*render\(props, ctx\)/,
    )
    expect(thrown(() => h('div', new Date() as unknown as Record<string, unknown>)).message).toMatch(
      /props must be a plain object.*Date/,
    )
    expect(thrown(() => h('div', null, (() => 'x') as unknown as RenderNode)).message).toMatch(
      /child.*function/,
    )
    expect(thrown(() => h('div', null, { notANode: true } as unknown as RenderNode)).code).toBe(
      'INVALID_RENDER_TREE',
    )
    const loop: unknown[] = ['a']
    loop.push(loop)
    expect(thrown(() => h('div', null, loop as RenderNode[])).message).toMatch(/contains itself/)
    const { proxy, revoke } = Proxy.revocable({ type: 'b' }, {})
    revoke()
    expect(thrown(() => h('div', null, proxy as RenderNode)).code).toBe('INVALID_RENDER_TREE')
    const hostileProps = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap')
        },
      },
    )
    expect(thrown(() => h('div', hostileProps)).message).toMatch(/threw \(trap\)/)
  })

  it('flattens a 100 000-deep nested child array without overflowing the stack', () => {
    let nested: unknown[] = ['leaf']
    for (let index = 0; index < 100_000; index++) nested = [nested]
    expect(h('div', null, nested as RenderNode[]).children).toEqual(['leaf'])
  })
})
