/** Staff-only intents: the plugin-auth requirement keeps them from anonymous callers and from their discovery. */
import type { IntentDefinition } from '@ixp/core'
import Type, { type Static } from 'typebox'
import { PRODUCTS, formatPrice } from '../data/catalog.js'
import { STORES, STORE_IDS } from '../data/stores.js'

const RestockParameters = Type.Object({
  threshold: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 20,
      description: 'Flag shelves with this many units or fewer (default 2)',
    }),
  ),
  store: Type.Optional(Type.Enum([...STORE_IDS], { type: 'string', description: 'Only this store' })),
})

export const restockReportIntent: IntentDefinition<Static<typeof RestockParameters>> = {
  name: 'restock_report',
  description: 'Products running low, per store, for staff to reorder',
  component: 'RestockReport',
  version: '1.0.0',
  tags: ['staff', 'inventory'],
  auth: { roles: ['staff'] },
  // Inventory moves all day; an answer older than half a minute is not worth serving.
  ttl: 30,
  parameters: RestockParameters,
  examples: [
    'which products are running low',
    'restock list for Portland',
    'what do we need to reorder',
    'show me empty shelves',
    'inventory report for the Boise store',
  ],
  handler: ({ threshold = 2, store }) => {
    const stores = store ? STORES.filter((candidate) => candidate.id === store) : STORES
    const rows = stores.flatMap((candidate) =>
      PRODUCTS.filter((product) => (product.stock[candidate.id] ?? 0) <= threshold).map((product) => ({
        store: candidate.name,
        sku: product.sku,
        name: product.name,
        units: product.stock[candidate.id] ?? 0,
        price: formatPrice(product.priceCents),
      })),
    )
    rows.sort((a, b) => a.units - b.units || a.store.localeCompare(b.store) || a.sku.localeCompare(b.sku))
    return { threshold, rows }
  },
}
