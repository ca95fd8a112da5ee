import { describe, expect, it } from 'vitest'
import { escapeHtml, Markers, renderToHTML } from '../src/html/index.js'
import type { ElementNode } from '../src/index.js'
import { Fragment, h, Layout, Placeholder } from '../src/tree/index.js'

function el(type: unknown, props: unknown = {}, ...children: unknown[]): ElementNode {
  return { type, props, children } as ElementNode
}

describe('renderToHTML: structure', () => {
  it('renders elements, text and numbers', () => {
    expect(renderToHTML(h('p', { id: 'x' }, 'Hello ', h('b', null, 'world'), 42))).toBe(
      '<p id="x">Hello <b>world</b>42</p>',
    )
    expect(renderToHTML('just text & more')).toBe('just text &amp; more')
    expect(renderToHTML(7)).toBe('7')
    for (const empty of [null, undefined, true, false]) expect(renderToHTML(empty)).toBe('')
  })

  it('renders void elements without end tag or children', () => {
    expect(
      renderToHTML(
        el(
          'div',
          {},
          el('br'),
          el('img', { src: 'a.png', alt: '' }, 'ignored'),
          el('input', { disabled: true }),
        ),
      ),
    ).toBe('<div><br><img src="a.png" alt><input disabled></div>')
  })

  it('renders Fragment as its children, Layout and Placeholder as classed divs', () => {
    expect(renderToHTML(h(Fragment, null, 'a', h('i', null, 'b')))).toBe('a<i>b</i>')
    expect(
      renderToHTML(h(Layout, { layout: 'grid', columns: 2 }, h('p', null, '1'), h('p', null, '2'))),
    ).toBe('<div class="ixp-layout ixp-layout-grid"><p>1</p><p>2</p></div>')
    expect(renderToHTML(h(Layout, { layout: '" onclick="x' }, 'a'))).toBe('<div class="ixp-layout">a</div>')
    expect(renderToHTML(h(Placeholder, { reason: 'loading', component: 'W("x")' }, 'Loading…'))).toBe(
      '<div class="ixp-placeholder" data-ixp-reason="loading" data-ixp-component="W(&quot;x&quot;)">Loading…</div>',
    )
  })

  it('maps attribute values: booleans, aria/data booleans, className/htmlFor, class arrays, omitted values', () => {
    const html = renderToHTML(
      el('label', {
        className: ['a', 'b', 3, null, { no: 1 }],
        class: 'duplicate-loses',
        htmlFor: 'field',
        hidden: false,
        checked: true,
        'aria-hidden': true,
        'data-open': false,
        title: null,
        lang: undefined,
        tabindex: 0,
        width: Infinity,
        big: 10n,
        obj: { a: 1 },
        fn: () => 1,
        sym: Symbol('s'),
        key: 'k',
        ref: 'r',
        children: 'not an attribute',
      }),
    )
    expect(html).toBe(
      '<label class="a b 3" for="field" checked aria-hidden="true" data-open="false" tabindex="0" big="10"></label>',
    )
  })

  it('takes children from props.children when the node has none', () => {
    expect(renderToHTML({ type: 'p', props: { children: ['a', 'b'] } } as unknown as ElementNode)).toBe(
      '<p>ab</p>',
    )
  })

  it('escapeHtml escapes the five significant characters and drops NUL', () => {
    expect(escapeHtml(`<a href="x">'&'\u0000</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    )
  })
})

describe('renderToHTML: options', () => {
  it('allowedTags keeps only the listed tags and unwraps the others', () => {
    const tree = h('div', null, h('p', null, 'a ', h('span', { class: 'x' }, 'b')), h('script', null, 'x'))
    expect(renderToHTML(tree, { allowedTags: ['P', 'div'] })).toBe('<div><p>a b</p></div>')
    expect(renderToHTML(tree, { allowedTags: ['script', 'div'] })).toBe('<div>a b</div>')
  })

  it('blockedTags replaces the default list', () => {
    expect(
      renderToHTML(h('div', null, h('marquee', null, 'x'), h('iframe', { src: 'https://a.example' })), {
        blockedTags: ['marquee'],
      }),
    ).toBe('<div><iframe src="https://a.example"></iframe></div>')
  })

  it('pretty indents tags and text, but not inside pre', () => {
    const tree = h(
      'div',
      null,
      h('p', null, 'a', h('b', null, 'b')),
      h('pre', null, 'x\n  y', h('i', null, 'z')),
      h('br'),
    )
    expect(renderToHTML(tree, { pretty: true })).toBe(
      [
        '<div>',
        '  <p>',
        '    a',
        '    <b>',
        '      b',
        '    </b>',
        '  </p>',
        '  <pre>x\n  y<i>z</i></pre>',
        '  <br>',
        '</div>',
      ].join('\n'),
    )
  })

  it('maxDepth cuts deeper content with a marker', () => {
    const tree = h('a1', null, h('a2', null, h('a3', null, 'deep')), 'x')
    expect(renderToHTML(tree, { maxDepth: 2 })).toBe(`<a1><a2>${Markers.depth}</a2>x</a1>`)
  })

  it('maxNodes and maxLength stop the output with a marker, still closing open elements', () => {
    const tree = h(
      'ul',
      null,
      Array.from({ length: 10 }, (_, index) => h('li', null, String(index))),
    )
    expect(renderToHTML(tree, { maxNodes: 5 })).toBe(`<ul><li>0</li><li>1</li>${Markers.truncated}</ul>`)
    const long = h('div', null, 'a'.repeat(100), h('p', null, 'b'.repeat(100)), 'c')
    expect(renderToHTML(long, { maxLength: 50 })).toBe(`<div>${'a'.repeat(100)}${Markers.truncated}</div>`)
  })

  it('falls back to defaults for malformed option values', () => {
    const options = { maxDepth: 'x', maxNodes: -1, blockedTags: 'script', allowedTags: 'p', pretty: 'yes' }
    expect(renderToHTML(h('div', null, h('script', null, 'x'), 'ok'), options as never)).toBe('<div>ok</div>')
  })
})

describe('renderToHTML: hostile trees never throw', () => {
  it('cuts cycles with a marker', () => {
    const loop = el('div', {}, 'a')
    loop.children.push(loop)
    expect(renderToHTML(loop)).toBe(`<div>a${Markers.cycle}</div>`)
    const list: unknown[] = ['x']
    list.push(list)
    expect(renderToHTML(el('p', {}, list))).toBe(`<p>x${Markers.cycle}</p>`)
    const shared = h('b', null, 's')
    expect(renderToHTML(h('p', null, shared, shared))).toBe('<p><b>s</b><b>s</b></p>')
  })

  it('renders a 100 000-deep tree (built iteratively) up to the depth limit, or fully without recursion', () => {
    let tree: unknown = 'leaf'
    for (let index = 0; index < 100_000; index++) tree = el('i', {}, tree)
    const limited = renderToHTML(tree)
    expect(limited).toBe(`${'<i>'.repeat(64)}${Markers.depth}${'</i>'.repeat(64)}`)
    const full = renderToHTML(tree, { maxDepth: Infinity, maxNodes: Infinity })
    expect(full).toHaveLength(100_000 * 7 + 4)
    expect(full.slice(100_000 * 3 - 3, 100_000 * 3 + 8)).toBe('<i>leaf</i>')
  })

  it('stays bounded on an exponential DAG and on an array-like claiming a huge length', () => {
    let node: unknown = el('b', {}, 'x')
    for (let index = 0; index < 60; index++) node = el('i', {}, node, node)
    const dag = renderToHTML(node, { maxDepth: 100 })
    const [, tail] = dag.split(Markers.truncated)
    expect(tail).toMatch(/^(<\/i>|<\/b>)+$/)
    expect(dag.match(/<i>/g)!.length).toBe(dag.match(/<\/i>/g)!.length)
    expect(dag.length).toBeLessThan(1_000_000)
    const huge = new Proxy([], {
      get: (target, key) => (key === 'length' ? 1e12 : key in target ? Reflect.get(target, key) : 'x'),
    })
    expect(renderToHTML(el('p', {}, huge), { maxNodes: 1000 })).toBe(
      `<p>${'x'.repeat(998)}${Markers.truncated}</p>`,
    )
  })

  it('skips what a throwing getter guards', () => {
    const boom = (): never => {
      throw new Error('boom')
    }
    const throwingType = Object.defineProperty({ props: {}, children: [] }, 'type', {
      get: boom,
      enumerable: true,
    })
    const throwingProps = Object.defineProperty({ type: 'p', children: ['text'] }, 'props', { get: boom })
    const throwingChildren = Object.defineProperty({ type: 'p', props: { id: 'a' } }, 'children', {
      get: boom,
    })
    const throwingAttribute = Object.defineProperty({ title: 'kept' }, 'id', { get: boom, enumerable: true })
    const throwingStyle = {
      style: Object.defineProperty({}, 'color', { get: boom, enumerable: true }),
      lang: 'en',
    }
    const html = renderToHTML(
      el(
        'div',
        {},
        throwingType,
        throwingProps,
        throwingChildren,
        el('span', throwingAttribute),
        el('span', throwingStyle),
        Object.defineProperty([], 0, { get: boom, enumerable: true }),
      ),
    )
    expect(html).toBe('<div><p>text</p><p id="a"></p><span title="kept"></span><span lang="en"></span></div>')
  })

  it('survives Proxies whose every trap throws, and revoked Proxies', () => {
    const handler: ProxyHandler<object> = {}
    for (const trap of ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor'] as const) {
      handler[trap] = () => {
        throw new Error(trap)
      }
    }
    const evil = new Proxy({}, handler)
    const evilArray = new Proxy([], handler)
    const { proxy: revoked, revoke } = Proxy.revocable({ type: 'p', props: {}, children: [] }, {})
    revoke()
    const html = renderToHTML(
      el('div', evil, evil, evilArray, revoked, el('p', revoked, 'ok'), el('i', {}, revoked)),
    )
    expect(html).toBe('<div><p>ok</p><i></i></div>')
    expect(renderToHTML(evil)).toBe('')
    expect(renderToHTML(revoked)).toBe('')
    expect(renderToHTML(el('p', {}, 'x'), evil as never)).toBe('<p>x</p>')
  })

  it('renders nothing for non-string types, symbols, functions and other non-nodes', () => {
    const tree = el(
      'div',
      {},
      el(42, {}, 'n'),
      el(Symbol('s'), {}, 's'),
      el(() => 'f', {}, 'f'),
      el({ toString: () => 'div' }, {}, 'o'),
      Symbol('child'),
      () => 'fn',
      new Date(0),
      new Map([['a', 1]]),
      'kept',
    )
    expect(renderToHTML(tree)).toBe('<div>kept</div>')
  })

  it('ignores prototype-polluting keys and never pollutes', () => {
    const props = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "id": "a"}',
    )
    const html = renderToHTML({ type: 'div', props, children: [] })
    expect(html).toBe('<div id="a"></div>')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const inherited = Object.create({ onclick: 'alert(1)', title: 'inherited' }) as Record<string, unknown>
    inherited.id = 'own'
    expect(renderToHTML(el('p', inherited))).toBe('<p id="own"></p>')
  })
})
