/** Staff-only intents: the plugin-auth requirement keeps them from anonymous callers and from their discovery. */
import type { IntentDefinition } from '@ixp/core'
import Type, { type Static } from 'typebox'
import { PRODUCTS, addStock, formatPrice } from '../data/catalog.js'
import { STORES, STORE_IDS, findStore } from '../data/stores.js'
import { productOrError, stockTag } from './products.js'

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

/** The tag of answers listing stock across products (`restock` invalidates it). */
const INVENTORY_TAG = 'inventory'

export const restockReportIntent: IntentDefinition<Static<typeof RestockParameters>> = {
  name: 'restock_report',
  description: 'Products running low, per store, for staff to reorder',
  component: 'RestockReport',
  version: '1.0.0',
  tags: ['staff', 'inventory'],
  auth: { roles: ['staff'] },
  // Inventory moves all day; an answer older than half a minute is not worth serving.
  ttl: 30,
  cacheTags: [INVENTORY_TAG],
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

const RestockCommandParameters = Type.Object({
  sku: Type.String({ pattern: '^[A-Za-z]{2}-\\d{3}$', description: 'Product code, e.g. TE-101' }),
  store: Type.Enum([...STORE_IDS], { type: 'string', description: 'The store receiving the units' }),
  units: Type.Integer({ minimum: 1, maximum: 500, description: 'Units received' }),
})

/**
 * A write: staff record units received. A command, so it is never cached, never coalesced, and a retry sent
 * with the same `Idempotency-Key` gets the first answer instead of adding the units twice. Once it succeeded,
 * every answer showing the product's stock (and the restock report) is stale, on every instance. No
 * examples: a write is asked for by name, never guessed from free text.
 */
export const restockIntent: IntentDefinition<Static<typeof RestockCommandParameters>> = {
  name: 'restock',
  kind: 'command',
  description: 'Records units received for a product at one store (staff only)',
  component: 'StockLevels',
  version: '1.0.0',
  tags: ['staff', 'inventory'],
  auth: { roles: ['staff'] },
  parameters: RestockCommandParameters,
  invalidates: ({ sku }) => [stockTag(sku), INVENTORY_TAG],
  handler: ({ sku, store, units }) => {
    const product = productOrError(sku)
    const level = addStock(product, store, units)
    return {
      product: { sku: product.sku, name: product.name },
      levels: [{ store: findStore(store)!.name, units: level }],
      added: units,
    }
  },
}
