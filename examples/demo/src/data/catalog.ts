/** The store's product catalogue, in memory: what `search_products`, `product_details` and friends read. */

export const CATEGORIES = ['tents', 'sleeping-bags', 'backpacks', 'footwear', 'cooking', 'lighting'] as const
export type Category = (typeof CATEGORIES)[number]

export interface Product {
  sku: string
  name: string
  category: Category
  brand: string
  /** Price in cents (integers keep sums exact). */
  priceCents: number
  /** Average review score, 1–5. */
  rating: number
  reviews: number
  description: string
  specs: Record<string, string>
  tags: string[]
  /** Units on hand per store id. */
  stock: Record<string, number>
}

export const PRODUCTS: readonly Product[] = [
  {
    sku: 'TE-101',
    name: 'Ridgeline 2 Tent',
    category: 'tents',
    brand: 'Harbor & Pine',
    priceCents: 24900,
    rating: 4.6,
    reviews: 312,
    description: 'A freestanding two-person backpacking tent with two doors and two vestibules.',
    specs: { capacity: '2 people', weight: '1.7 kg', seasons: '3-season', packedSize: '46 × 15 cm' },
    tags: ['backpacking', 'lightweight', 'two-person'],
    stock: { seattle: 6, portland: 2, boise: 0 },
  },
  {
    sku: 'TE-204',
    name: 'Basecamp 4 Family Tent',
    category: 'tents',
    brand: 'Harbor & Pine',
    priceCents: 39900,
    rating: 4.4,
    reviews: 128,
    description: 'A tall cabin tent for four with a room divider and a large awning.',
    specs: { capacity: '4 people', weight: '8.2 kg', seasons: '3-season', peakHeight: '198 cm' },
    tags: ['car camping', 'family'],
    stock: { seattle: 1, portland: 4, boise: 3 },
  },
  {
    sku: 'TE-310',
    name: 'Summit Bivy',
    category: 'tents',
    brand: 'Alpenglow',
    priceCents: 18900,
    rating: 4.1,
    reviews: 57,
    description: 'A waterproof, breathable one-person bivy for fast and light alpine trips.',
    specs: { capacity: '1 person', weight: '0.6 kg', seasons: '4-season' },
    tags: ['alpine', 'ultralight', 'solo'],
    stock: { seattle: 3, portland: 0, boise: 1 },
  },
  {
    sku: 'SB-110',
    name: 'Cascade 20°F Down Bag',
    category: 'sleeping-bags',
    brand: 'Alpenglow',
    priceCents: 32900,
    rating: 4.8,
    reviews: 441,
    description: '650-fill responsibly sourced down, rated to 20°F (-7°C), with a draft collar.',
    specs: { rating: '20°F / -7°C', fill: '650 down', weight: '1.0 kg' },
    tags: ['down', 'backpacking', 'cold weather'],
    stock: { seattle: 5, portland: 5, boise: 2 },
  },
  {
    sku: 'SB-115',
    name: 'Campfire 40°F Synthetic Bag',
    category: 'sleeping-bags',
    brand: 'Harbor & Pine',
    priceCents: 8900,
    rating: 4.2,
    reviews: 203,
    description: 'A roomy rectangular synthetic bag for summer car camping; unzips into a quilt.',
    specs: { rating: '40°F / 4°C', fill: 'synthetic', weight: '1.6 kg' },
    tags: ['car camping', 'summer', 'budget'],
    stock: { seattle: 12, portland: 9, boise: 7 },
  },
  {
    sku: 'BP-045',
    name: 'Trailhead 45 Backpack',
    category: 'backpacks',
    brand: 'Harbor & Pine',
    priceCents: 17900,
    rating: 4.5,
    reviews: 276,
    description: 'A 45-litre pack with an adjustable torso, hip-belt pockets and a rain cover.',
    specs: { volume: '45 L', weight: '1.4 kg', torso: '40–53 cm' },
    tags: ['backpacking', 'multi-day'],
    stock: { seattle: 4, portland: 3, boise: 5 },
  },
  {
    sku: 'BP-022',
    name: 'Daytripper 22 Pack',
    category: 'backpacks',
    brand: 'Northbound',
    priceCents: 7900,
    rating: 4.3,
    reviews: 519,
    description: 'A 22-litre daypack with a hydration sleeve and a ventilated back panel.',
    specs: { volume: '22 L', weight: '0.7 kg' },
    tags: ['day hiking', 'commuting'],
    stock: { seattle: 15, portland: 11, boise: 8 },
  },
  {
    sku: 'BP-065',
    name: 'Expedition 65 Pack',
    category: 'backpacks',
    brand: 'Alpenglow',
    priceCents: 27900,
    rating: 4.7,
    reviews: 98,
    description: 'A load-hauling 65-litre pack with a removable lid that becomes a summit bag.',
    specs: { volume: '65 L', weight: '2.1 kg', torso: '43–56 cm' },
    tags: ['expedition', 'multi-day'],
    stock: { seattle: 2, portland: 0, boise: 0 },
  },
  {
    sku: 'FW-300',
    name: 'Switchback Mid Hiking Boot',
    category: 'footwear',
    brand: 'Northbound',
    priceCents: 16900,
    rating: 4.4,
    reviews: 388,
    description: 'A waterproof mid-height boot with a grippy lugged sole and a roomy toe box.',
    specs: { waterproof: 'yes', weight: '540 g per boot', drop: '12 mm' },
    tags: ['hiking', 'waterproof'],
    stock: { seattle: 9, portland: 6, boise: 4 },
  },
  {
    sku: 'FW-320',
    name: 'Scree Trail Runner',
    category: 'footwear',
    brand: 'Northbound',
    priceCents: 13900,
    rating: 4.5,
    reviews: 642,
    description: 'A light, cushioned trail running shoe with a rock plate.',
    specs: { waterproof: 'no', weight: '290 g per shoe', drop: '6 mm' },
    tags: ['trail running', 'lightweight'],
    stock: { seattle: 0, portland: 7, boise: 2 },
  },
  {
    sku: 'CK-501',
    name: 'Pocket Canister Stove',
    category: 'cooking',
    brand: 'Alpenglow',
    priceCents: 4900,
    rating: 4.6,
    reviews: 903,
    description: 'A 73 g stove that boils a litre of water in about three and a half minutes.',
    specs: { weight: '73 g', fuel: 'isobutane canister', boilTime: '3.5 min / 1 L' },
    tags: ['backpacking', 'ultralight'],
    stock: { seattle: 20, portland: 14, boise: 10 },
  },
  {
    sku: 'CK-520',
    name: 'Two-Burner Camp Kitchen',
    category: 'cooking',
    brand: 'Harbor & Pine',
    priceCents: 15900,
    rating: 4.3,
    reviews: 167,
    description: 'A propane two-burner stove with wind screens and a built-in igniter.',
    specs: { weight: '5.0 kg', fuel: 'propane', burners: '2 × 10,000 BTU' },
    tags: ['car camping', 'family'],
    stock: { seattle: 3, portland: 2, boise: 6 },
  },
  {
    sku: 'CK-530',
    name: 'Titanium Mug 450',
    category: 'cooking',
    brand: 'Alpenglow',
    priceCents: 3400,
    rating: 4.7,
    reviews: 214,
    description: 'A 450 ml titanium mug with folding handles; doubles as a pot.',
    specs: { volume: '450 ml', weight: '68 g', material: 'titanium' },
    tags: ['ultralight', 'backpacking'],
    stock: { seattle: 18, portland: 0, boise: 9 },
  },
  {
    sku: 'LT-700',
    name: 'Lumen 400 Headlamp',
    category: 'lighting',
    brand: 'Northbound',
    priceCents: 4500,
    rating: 4.5,
    reviews: 1204,
    description: 'A rechargeable 400-lumen headlamp with a red night mode and a lock-out.',
    specs: { output: '400 lm', battery: 'USB-C rechargeable', runtime: '4 h high / 60 h low' },
    tags: ['rechargeable', 'backpacking'],
    stock: { seattle: 25, portland: 19, boise: 12 },
  },
  {
    sku: 'LT-720',
    name: 'Glow Camp Lantern',
    category: 'lighting',
    brand: 'Harbor & Pine',
    priceCents: 3900,
    rating: 4.2,
    reviews: 331,
    description: 'A collapsible LED lantern that charges your phone in a pinch.',
    specs: { output: '300 lm', battery: '5,200 mAh', weight: '260 g' },
    tags: ['car camping', 'rechargeable'],
    stock: { seattle: 0, portland: 0, boise: 4 },
  },
]

const bySku = new Map(PRODUCTS.map((product) => [product.sku, product]))

export function findProduct(sku: string): Product | undefined {
  return bySku.get(sku.toUpperCase())
}

/** Adds units to a store's shelf (the demo's one write); returns the units on hand afterwards. */
export function addStock(product: Product, store: string, units: number): number {
  const level = (product.stock[store] ?? 0) + units
  product.stock[store] = level
  return level
}

/** Units on hand across every store. */
export function totalStock(product: Product): number {
  return Object.values(product.stock).reduce((sum, units) => sum + units, 0)
}

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`
}

export interface ProductQuery {
  query?: string
  category?: Category
  maxPrice?: number
  inStockOnly?: boolean
  /** Only products with units on the shelves of this store. */
  store?: string
  sort?: 'relevance' | 'price-asc' | 'price-desc' | 'rating'
}

function relevance(product: Product, words: string[]): number {
  if (words.length === 0) return 1
  const fields = [
    [product.name.toLowerCase(), 3],
    [product.tags.join(' ').toLowerCase(), 2],
    [`${product.category} ${product.brand}`.toLowerCase(), 2],
    [product.description.toLowerCase(), 1],
  ] as const
  let score = 0
  for (const word of words) {
    const stem = word.replace(/(es|s)$/, '')
    for (const [text, weight] of fields) if (text.includes(stem)) score += weight
  }
  return score
}

/** Filters and ranks the catalogue. Words match name, tags, category, brand and description. */
export function searchProducts(query: ProductQuery): Product[] {
  const words = (query.query ?? '')
    .toLowerCase()
    .split(/[^a-z0-9°]+/)
    .filter((word) => word.length > 1)
  const scored = PRODUCTS.map((product) => ({ product, score: relevance(product, words) })).filter(
    ({ product, score }) =>
      score > 0 &&
      (query.category === undefined || product.category === query.category) &&
      (query.maxPrice === undefined || product.priceCents <= query.maxPrice * 100) &&
      (!query.inStockOnly || totalStock(product) > 0) &&
      (query.store === undefined || (product.stock[query.store] ?? 0) > 0),
  )
  const sort = query.sort ?? 'relevance'
  scored.sort((a, b) => {
    if (sort === 'price-asc') return a.product.priceCents - b.product.priceCents
    if (sort === 'price-desc') return b.product.priceCents - a.product.priceCents
    if (sort === 'rating') return b.product.rating - a.product.rating
    return b.score - a.score || b.product.rating - a.product.rating
  })
  return scored.map(({ product }) => product)
}
