/** Server-rendered staff components. */
import type { ServerComponentDefinition } from '@ixp/core'
import { h } from '@ixp/core/tree'

interface RestockProps {
  threshold: number
  rows: { store: string; sku: string; name: string; units: number; price: string }[]
}

export const RestockReport: ServerComponentDefinition<RestockProps> = {
  name: 'RestockReport',
  description: 'Shelves at or under a stock threshold, emptiest first',
  version: '1.0.0',
  render: ({ threshold, rows }) =>
    h(
      'section',
      { class: 'restock' },
      h(
        'h2',
        null,
        `Restock: ${rows.length} ${rows.length === 1 ? 'shelf' : 'shelves'} at ${threshold} units or fewer`,
      ),
      rows.length === 0
        ? h('p', null, 'Every shelf is above the threshold.')
        : h(
            'table',
            null,
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['Store', 'Product', 'Code', 'Units', 'Price'].map((label) =>
                  h('th', { key: label, scope: 'col' }, label),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              rows.map((row) =>
                h(
                  'tr',
                  { key: `${row.store}:${row.sku}`, class: row.units === 0 ? 'empty' : undefined },
                  h('td', null, row.store),
                  h('td', null, row.name),
                  h('td', null, row.sku),
                  h('td', null, String(row.units)),
                  h('td', null, row.price),
                ),
              ),
            ),
          ),
    ),
}
