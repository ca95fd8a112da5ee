/** One ready-made request per intent: the demo page pre-fills them, the tests render every one. */
export const SAMPLE_PARAMETERS: Record<string, Record<string, unknown>> = {
  search_products: { query: 'backpacking', maxPrice: 100, inStockOnly: true },
  product_details: { sku: 'TE-101' },
  compare_products: { skus: ['BP-045', 'BP-065'] },
  check_stock: { sku: 'FW-320', store: 'portland' },
  order_status: { orderId: 'ORD-10421', email: 'ada@example.com' },
  store_hours: { store: 'seattle' },
  find_store: { city: 'Portland' },
  store_policy: { topic: 'returns' },
  restock_report: { threshold: 1 },
  restock: { sku: 'LT-720', store: 'seattle', units: 5 },
  // A workflow's parameters are its `input` (and an optional `context`).
  workflow_plan_pickup: { input: { sku: 'TE-101', store: 'portland' } },
}

/** Intents only staff may use (send the staff API key as `x-api-key`). */
export const STAFF_INTENTS = ['restock_report', 'restock']
