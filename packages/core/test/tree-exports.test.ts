import { describe, expect, it } from 'vitest'
import * as html from '../src/html/index.js'
import * as tree from '../src/tree/index.js'

describe('public surface of the render-tree toolkit', () => {
  it('tree/index exports exactly these values', () => {
    expect(Object.keys(tree).sort()).toEqual([
      'Fragment',
      'INVALID_RENDER_TREE',
      'Layout',
      'Placeholder',
      'compose',
      'composeComponents',
      'containsPlaceholder',
      'h',
      'isElementNode',
      'mergeSchemas',
      'normalizeTree',
      'validateTree',
      'withErrorBoundary',
      'withGuard',
      'withLoadingState',
    ])
  })

  it('@ixp/core/html exports exactly these values', () => {
    expect(Object.keys(html).sort()).toEqual([
      'DEFAULT_BLOCKED_TAGS',
      'Markers',
      'escapeHtml',
      'isDangerousUrl',
      'renderToHTML',
    ])
  })

  it('reserved types are JSON strings that cannot be HTML tag names', () => {
    for (const type of [tree.Fragment, tree.Layout, tree.Placeholder]) expect(type).toMatch(/^ixp:[a-z]+$/)
  })
})
