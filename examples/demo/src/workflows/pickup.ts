/**
 * `plan_pickup`, served as the intent `workflow_plan_pickup`: one question ("can I pick this up there?")
 * answered by five of the store's intents — the product, its stock and the store's hours and return policy,
 * and, when the store is sold out, similar products in stock.
 */
import { defineWorkflow } from '@ixp/plugin-workflows'
import type { StoreId } from '../data/stores.js'

export interface PickupInput {
  sku: string
  store: StoreId
}

/** What `check_stock` answers (its render props), as far as the workflow reads it. */
interface StockLevels {
  levels: { store: string; units: number }[]
}

export const planPickupWorkflow = defineWorkflow<PickupInput>({
  id: 'plan_pickup',
  name: 'Plan a store pickup',
  description:
    'Check a product, its stock and opening hours at one store, and suggest alternatives if it is sold out',
  input: {
    type: 'object',
    properties: {
      sku: { type: 'string', pattern: '^[A-Za-z]{2}-\\d{3}$', description: 'Product code, e.g. TE-101' },
      store: { type: 'string', enum: ['seattle', 'portland', 'boise'], description: 'Store to pick up from' },
    },
    required: ['sku', 'store'],
  },
  steps: [
    { id: 'product', intentName: 'product_details', params: { sku: '$input.sku' } },
    { id: 'stock', intentName: 'check_stock', params: { sku: '$input.sku', store: '$input.store' } },
    { id: 'hours', intentName: 'store_hours', params: { store: '$input.store' }, parallel: true },
    // The return policy is a nicety: the pickup plan stands without it.
    {
      id: 'returns',
      intentName: 'store_policy',
      params: { topic: 'returns' },
      parallel: true,
      errorHandling: 'continue',
    },
    {
      id: 'alternatives',
      intentName: 'search_products',
      condition: (_context, results) =>
        (results.get('stock') as StockLevels).levels.every((level) => level.units === 0),
      // In stock at the same store: the product itself is not, so it is never suggested.
      params: { category: '$results.product.product.category', store: '$input.store', limit: 3 },
    },
  ],
  output: {
    product: '$results.product.product.name',
    price: '$results.product.product.price',
    stock: '$results.stock.levels.0',
    store: '$results.hours.stores.0',
    returns: '$results.returns.policy.summary',
    alternatives: '$results.alternatives.products',
  },
  intent: {
    auth: { public: true },
    tags: ['workflow', 'stores'],
    examples: [
      'can I pick up TE-101 in Portland',
      'plan a pickup of SB-110 at the Boise store',
      'I want to collect BP-045 from the Seattle shop',
      'plan an in-store pickup of FW-300 in Portland',
      'pick up the Ridgeline tent at the Seattle store',
    ],
  },
})
