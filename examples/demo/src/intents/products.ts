/** Product intents: search, details, comparison, stock by store. */
import { IxpError, type IntentDefinition } from '@ixp/core'
import Type, { type Static } from 'typebox'
import {
  CATEGORIES,
  PRODUCTS,
  findProduct,
  formatPrice,
  searchProducts,
  totalStock,
  type Product,
} from '../data/catalog.js'
import { STORES, findStore, STORE_IDS } from '../data/stores.js'

const Sku = Type.String({ pattern: '^[A-Za-z]{2}-\\d{3}$', description: 'Product code, e.g. TE-101' })

/** What list and detail components show of a product. */
export function productSummary(product: Product) {
  return {
    sku: product.sku,
    name: product.name,
    brand: product.brand,
    category: product.category,
    price: formatPrice(product.priceCents),
    rating: product.rating,
    reviews: product.reviews,
    inStock: totalStock(product) > 0,
  }
}

export function productOrError(sku: string): Product {
  const product = findProduct(sku)
  if (!product) {
    throw new IxpError(
      'PRODUCT_NOT_FOUND',
      `There is no product with code '${sku}'; search the catalogue to find one`,
      {
        status: 404,
        details: { sku },
      },
    )
  }
  return product
}

const SearchParameters = Type.Object({
  query: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Words to look for' })),
  category: Type.Optional(Type.Enum([...CATEGORIES], { type: 'string', description: 'Product category' })),
  maxPrice: Type.Optional(
    Type.Number({ minimum: 0, maximum: 10_000, description: 'Highest price in dollars' }),
  ),
  inStockOnly: Type.Optional(Type.Boolean({ description: 'Only products in stock somewhere' })),
  store: Type.Optional(
    Type.Enum([...STORE_IDS], { type: 'string', description: 'Only products in stock at this store' }),
  ),
  sort: Type.Optional(
    Type.Enum(['relevance', 'price-asc', 'price-desc', 'rating'], {
      type: 'string',
      description: 'Order of results',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 20, description: 'How many results (default 6)' }),
  ),
})

export const searchProductsIntent: IntentDefinition<Static<typeof SearchParameters>> = {
  name: 'search_products',
  description: 'Search the catalogue by words, category, price and availability',
  component: 'ProductList',
  version: '1.2.0',
  auth: { public: true },
  crawlable: true,
  tags: ['catalogue'],
  parameters: SearchParameters,
  examples: [
    'show me two person tents',
    'do you have sleeping bags under $100',
    'I need a daypack for hiking',
    'find lightweight backpacking gear',
    'what headlamps do you sell',
    'cheapest camping stove in stock',
    'search for waterproof boots',
  ],
  handler: (params) => {
    const limit = params.limit ?? 6
    const results = searchProducts(params)
    return {
      total: results.length,
      products: results.slice(0, limit).map(productSummary),
    }
  },
}

const DetailsParameters = Type.Object({ sku: Sku })

export const productDetailsIntent: IntentDefinition<Static<typeof DetailsParameters>> = {
  name: 'product_details',
  description: 'Everything about one product: price, description, specifications, stock by store',
  component: 'ProductDetails',
  version: '1.0.0',
  auth: { public: true },
  tags: ['catalogue'],
  // It shows stock levels: a restock of the product makes it stale.
  cacheTags: ({ sku }) => [stockTag(sku)],
  parameters: DetailsParameters,
  examples: [
    'tell me more about TE-101',
    'what are the specs of the Ridgeline tent',
    'details for product SB-110',
    'how heavy is the Trailhead 45 backpack',
    'show me the Lumen 400 headlamp',
  ],
  handler: ({ sku }) => {
    const product = productOrError(sku)
    return {
      product: {
        ...productSummary(product),
        description: product.description,
        specs: product.specs,
        tags: product.tags,
        stock: STORES.map((store) => ({ store: store.name, units: product.stock[store.id] ?? 0 })),
      },
    }
  },
}

const CompareParameters = Type.Object({
  skus: Type.Array(Sku, {
    minItems: 2,
    maxItems: 4,
    uniqueItems: true,
    description: 'Two to four product codes',
  }),
})

export const compareProductsIntent: IntentDefinition<Static<typeof CompareParameters>> = {
  name: 'compare_products',
  description: 'Compare two to four products side by side',
  component: 'ProductComparison',
  version: '1.0.0',
  auth: { public: true },
  tags: ['catalogue'],
  parameters: CompareParameters,
  examples: [
    'compare TE-101 and TE-310',
    'which is better, the Trailhead 45 or the Expedition 65',
    'difference between SB-110 and SB-115',
    'put these backpacks side by side',
    'compare the two stoves',
  ],
  handler: ({ skus }) => {
    const products = skus.map(productOrError)
    const specKeys = [...new Set(products.flatMap((product) => Object.keys(product.specs)))]
    return {
      columns: products.map((product) => ({
        sku: product.sku,
        name: product.name,
        price: formatPrice(product.priceCents),
      })),
      rows: [
        {
          label: 'Rating',
          values: products.map((product) => `${product.rating} (${product.reviews} reviews)`),
        },
        { label: 'Brand', values: products.map((product) => product.brand) },
        ...specKeys.map((key) => ({
          label: key,
          values: products.map((product) => product.specs[key] ?? '—'),
        })),
        { label: 'In stock', values: products.map((product) => `${totalStock(product)} units`) },
      ],
    }
  },
}

const StockParameters = Type.Object({
  sku: Sku,
  store: Type.Optional(Type.Enum([...STORE_IDS], { type: 'string', description: 'Only this store' })),
})

export const checkStockIntent: IntentDefinition<Static<typeof StockParameters>> = {
  name: 'check_stock',
  description: 'Whether a product is in stock, in every store or in one',
  component: 'StockLevels',
  version: '1.0.0',
  auth: { public: true },
  tags: ['catalogue', 'stores'],
  cacheTags: ({ sku }) => [stockTag(sku)],
  parameters: StockParameters,
  examples: [
    'is TE-101 in stock',
    'does the Portland store have the Scree Trail Runner',
    'is FW-300 on the shelf in Seattle today',
    'check availability of the down sleeping bag',
    'how many LT-720 lanterns are left in Boise',
  ],
  handler: ({ sku, store }) => {
    const product = productOrError(sku)
    const stores = store ? [findStore(store)!] : [...STORES]
    return {
      product: { sku: product.sku, name: product.name },
      levels: stores.map((candidate) => ({
        store: candidate.name,
        units: product.stock[candidate.id] ?? 0,
      })),
    }
  },
}

/** The tag of every answer showing a product's stock (`restock` invalidates it). */
export function stockTag(sku: string): string {
  return `stock:${sku.toUpperCase()}`
}

/** Every SKU, for examples and tests. */
export const ALL_SKUS = PRODUCTS.map((product) => product.sku)
