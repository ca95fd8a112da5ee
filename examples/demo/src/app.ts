/**
 * The store assistant: its intents and components, assembled for a given address. Both the demo server
 * (`src/main.ts`) and the CLI config (`ixp.config.ts`) build the application from here.
 */
import type { ComponentDefinition, IntentDefinition } from '@ixp/core'
import { OrderTracker } from './components/orders.js'
import { ProductComparison, ProductDetails, ProductList, StockLevels } from './components/products.js'
import { RestockReport } from './components/staff.js'
import { PolicyAnswer, StoreHours, storeLocator } from './components/stores.js'
import { orderStatusIntent } from './intents/orders.js'
import {
  checkStockIntent,
  compareProductsIntent,
  productDetailsIntent,
  searchProductsIntent,
} from './intents/products.js'
import { restockIntent, restockReportIntent } from './intents/staff.js'
import { findStoreIntent, storeHoursIntent, storePolicyIntent } from './intents/stores.js'

export interface StoreAssistantOptions {
  /** Port the demo is served on; the store locator allows pages from this port. @default 4100 */
  port?: number
  /** Further page origins allowed to render the store locator. @default [] */
  extraOrigins?: string[]
  /** The clock of "open now" in `store_hours`. @default () => new Date() */
  now?: () => Date
}

export interface StoreAssistant {
  intents: IntentDefinition<any>[]
  components: ComponentDefinition<any>[]
}

export function storeAssistant(options: StoreAssistantOptions = {}): StoreAssistant {
  const port = options.port ?? 4100
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...(options.extraOrigins ?? [])]
  return {
    intents: [
      searchProductsIntent,
      productDetailsIntent,
      compareProductsIntent,
      checkStockIntent,
      orderStatusIntent,
      storeHoursIntent({ ...(options.now ? { now: options.now } : {}) }),
      findStoreIntent,
      storePolicyIntent,
      restockReportIntent,
      restockIntent,
    ],
    components: [
      ProductList,
      ProductDetails,
      ProductComparison,
      StockLevels,
      OrderTracker,
      StoreHours,
      PolicyAnswer,
      RestockReport,
      storeLocator({ allowedOrigins: origins }),
    ],
  }
}
