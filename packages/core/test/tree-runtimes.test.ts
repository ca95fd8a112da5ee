/**
 * Runs the render-tree toolkit and the HTML renderer inside workerd and in Node without code generation,
 * through the core's portable harness. The suite is written to a temporary file at run time (it imports the
 * sources by absolute path), so it needs no file of its own next to the core's portable suites.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPortableSuite,
  disposeBundle,
  runPortableSuite,
  type PortableBundle,
  type PortableRuntime,
} from './portable/run.js'

const path = (relative: string) => JSON.stringify(fileURLToPath(new URL(relative, import.meta.url)))

const suite = `
import { describe, test, equal, assert, rejects } from ${path('./portable/harness.ts')}
import { h, Fragment, Layout, Placeholder, normalizeTree, validateTree, withErrorBoundary, withGuard,
  withLoadingState, compose, composeComponents, containsPlaceholder } from ${path('../src/tree/index.ts')}
import { renderToHTML, Markers } from ${path('../src/html/index.ts')}

const card = { name: 'Card', props: { type: 'object', properties: { title: { type: 'string' } } },
  render: async (props) => h('div', { class: 'card' }, props.title) }
const slow = { name: 'Slow', render: () => new Promise((resolve) => setTimeout(() => resolve('late'), 200)) }
const failing = { name: 'Failing', render: async () => { throw new Error('boom') } }

describe('tree', () => {
  test('h flattens children and normalizeTree copies', () => {
    const tree = h('ul', null, [h('li', null, 1), [null, 'x']], false)
    equal(tree, { type: 'ul', props: {}, children: [{ type: 'li', props: {}, children: ['1'] }, 'x'] })
    equal(normalizeTree(tree), tree)
  })
  test('validateTree names the bad path and survives a 100 000-deep tree', () => {
    const bad = validateTree(h('p', null, h('b', { onClick: () => 1 })))
    equal(bad.ok, false)
    equal(bad.path, 'children.0.props.onClick')
    let deep = 'leaf'
    for (let i = 0; i < 100000; i++) deep = { type: 'i', props: {}, children: [deep] }
    equal(validateTree(deep).ok, false)
  })
  test('HOCs compose: boundary, guard and loading state with real timers', async () => {
    const guarded = compose(withErrorBoundary({ fallback: (e) => 'caught ' + e.code }), withGuard({ check: () => false }))(card)
    equal(await guarded.render({ title: 't' }, {}), 'caught FORBIDDEN')
    equal(await withErrorBoundary(failing, { fallback: 'fb' }).render({}, {}), 'fb')
    const loading = await withLoadingState(slow, { timeoutMs: 5, loading: 'wait' }).render({}, {})
    equal(loading.type, Placeholder)
    assert(containsPlaceholder(loading), 'placeholder found')
    await rejects(withGuard(card, { check: () => false }).render({ title: 't' }, {}), /denied/)
  })
  test('composeComponents renders parts in a layout', async () => {
    const dash = composeComponents({ name: 'dash', layout: 'row', parts: [{ component: card, props: { title: 'a.b' } }, { component: card }] })
    equal(await dash.render({ a: { b: 'x' }, title: 'y' }, {}), {
      type: Layout, props: { layout: 'row' },
      children: [h('div', { class: 'card' }, 'x'), h('div', { class: 'card' }, 'y')],
    })
  })
})

describe('html', () => {
  test('renders safe markup and drops XSS vectors', () => {
    const html = renderToHTML(h(Fragment, null,
      h('a', { href: 'jav&#x09;ascript:alert(1)', onclick: 'x', title: '"><script>' }, '<b>'),
      h('script', null, 'alert(1)'),
      h('div', { style: { width: 'expression(alert(1))' } }),
      h('img', { src: 'a.png', alt: '' })))
    equal(html, '<a title="&quot;&gt;&lt;script&gt;">&lt;b&gt;</a><div></div><img src="a.png" alt>')
  })
  test('never throws on hostile trees', () => {
    const loop = { type: 'p', props: {}, children: [] }
    loop.children.push(loop)
    equal(renderToHTML(loop), '<p>' + Markers.cycle + '</p>')
    const evil = new Proxy({}, { get() { throw new Error('x') }, ownKeys() { throw new Error('x') } })
    equal(renderToHTML({ type: 'div', props: evil, children: [evil, 'ok'] }), '<div>ok</div>')
    let deep = 'leaf'
    for (let i = 0; i < 100000; i++) deep = { type: 'i', props: {}, children: [deep] }
    equal(renderToHTML(deep).length, 64 * 7 + Markers.depth.length)
  })
})
`

const runtimes: PortableRuntime[] = ['node-nocodegen', 'workerd']

describe('render-tree toolkit on runtimes without code generation', () => {
  let dir: string
  let bundle: PortableBundle
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ixp-tree-suite-'))
    const file = join(dir, 'suite.ts')
    await writeFile(file, suite)
    bundle = await buildPortableSuite(file)
  })
  afterAll(async () => {
    if (bundle) await disposeBundle(bundle)
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it.each(runtimes)('passes every case in %s', async (runtime) => {
    const report = await runPortableSuite(bundle, { runtime })
    const failures = report.results
      .filter((result) => !result.ok)
      .map((result) => `${result.name}\n${result.error}`)
    expect(failures, `${report.runtime}\n${report.stderr}`).toEqual([])
    expect(report.results).toHaveLength(6)
    expect(report.codeGeneration).toBe(false)
  })
})
