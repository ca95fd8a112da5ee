/** Server-rendered product components. */
import type { ServerComponentDefinition } from '@ixp/core'
import { h } from '@ixp/core/tree'

interface ProductSummary {
  sku: string
  name: string
  brand: string
  category: string
  price: string
  rating: number
  reviews: number
  inStock: boolean
}

function stars(rating: number) {
  return h('span', { class: 'rating', 'aria-label': `${rating} out of 5` }, `★ ${rating.toFixed(1)}`)
}

function stockBadge(inStock: boolean) {
  return h(
    'span',
    { class: inStock ? 'badge badge-ok' : 'badge badge-out' },
    inStock ? 'In stock' : 'Out of stock',
  )
}

export const ProductList: ServerComponentDefinition<{
  query?: string
  total: number
  products: ProductSummary[]
}> = {
  name: 'ProductList',
  description: 'Search results: a list of product summaries',
  version: '1.2.0',
  props: {
    type: 'object',
    properties: { query: { type: 'string' }, total: { type: 'number' }, products: { type: 'array' } },
  },
  render: ({ query, total, products }) =>
    h(
      'section',
      { class: 'product-list' },
      h('h2', null, query ? `${total} result${total === 1 ? '' : 's'} for “${query}”` : `${total} products`),
      products.length === 0
        ? h('p', { class: 'empty' }, 'Nothing matches. Try fewer words or another category.')
        : h(
            'ul',
            null,
            products.map((product) =>
              h(
                'li',
                { key: product.sku, class: 'product' },
                h('strong', null, product.name),
                ' ',
                h('span', { class: 'sku' }, product.sku),
                h(
                  'div',
                  null,
                  h('span', { class: 'price' }, product.price),
                  ' · ',
                  stars(product.rating),
                  ' · ',
                  stockBadge(product.inStock),
                ),
              ),
            ),
          ),
      total > products.length ? h('p', { class: 'more' }, `Showing ${products.length} of ${total}.`) : null,
    ),
}

interface ProductDetailsProps {
  product: ProductSummary & {
    description: string
    specs: Record<string, string>
    tags: string[]
    stock: { store: string; units: number }[]
  }
}

export const ProductDetails: ServerComponentDefinition<ProductDetailsProps> = {
  name: 'ProductDetails',
  description: 'One product: description, specifications and stock by store',
  version: '1.0.0',
  render: ({ product }) =>
    h(
      'article',
      { class: 'product-details' },
      h('h2', null, product.name),
      h(
        'p',
        { class: 'meta' },
        `${product.brand} · ${product.sku} · `,
        stars(product.rating),
        ` (${product.reviews} reviews)`,
      ),
      h('p', { class: 'price' }, product.price),
      h('p', null, product.description),
      h(
        'dl',
        { class: 'specs' },
        Object.entries(product.specs).map(([key, value]) => [h('dt', null, key), h('dd', null, value)]),
      ),
      h('h3', null, 'Availability'),
      h(
        'ul',
        { class: 'stock' },
        product.stock.map((entry) =>
          h(
            'li',
            { key: entry.store },
            `${entry.store}: `,
            entry.units > 0 ? `${entry.units} in stock` : 'out of stock',
          ),
        ),
      ),
    ),
}

interface ComparisonProps {
  columns: { sku: string; name: string; price: string }[]
  rows: { label: string; values: string[] }[]
}

export const ProductComparison: ServerComponentDefinition<ComparisonProps> = {
  name: 'ProductComparison',
  description: 'Products side by side in a table',
  version: '1.0.0',
  render: ({ columns, rows }) =>
    h(
      'table',
      { class: 'comparison' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, ''),
          columns.map((column) => h('th', { key: column.sku, scope: 'col' }, column.name)),
        ),
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, 'Price'),
          columns.map((column) => h('td', { key: column.sku }, column.price)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            { key: row.label },
            h('th', { scope: 'row' }, row.label),
            row.values.map((value, index) => h('td', { key: String(index) }, value)),
          ),
        ),
      ),
    ),
}

interface StockProps {
  product: { sku: string; name: string }
  levels: { store: string; units: number }[]
}

export const StockLevels: ServerComponentDefinition<StockProps> = {
  name: 'StockLevels',
  description: 'Units of a product on hand, per store',
  version: '1.0.0',
  render: ({ product, levels }) =>
    h(
      'section',
      { class: 'stock-levels' },
      h('h2', null, `${product.name} (${product.sku})`),
      h(
        'ul',
        null,
        levels.map((level) =>
          h(
            'li',
            { key: level.store },
            h('span', null, level.store),
            ' ',
            level.units === 0
              ? h('span', { class: 'badge badge-out' }, 'Out of stock')
              : h(
                  'span',
                  { class: level.units < 3 ? 'badge badge-low' : 'badge badge-ok' },
                  `${level.units} left`,
                ),
          ),
        ),
      ),
    ),
}
