/** The demo's engine: the plugins the demo runs, then the store assistant's definitions. */
import { createEngine, type Engine, type EngineOptions, type PluginInput } from '@ixp/core'
import { auth } from '@ixp/plugin-auth'
import { cache } from '@ixp/plugin-cache'
import { rateLimit } from '@ixp/plugin-rate-limit'
import { semantic, type SemanticPlugin } from '@ixp/plugin-semantic'
import { storeAssistant, type StoreAssistantOptions } from './app.js'

/**
 * The API key of the demo's staff account (send it as `x-api-key` to use `restock_report`). A demo value,
 * documented in the README; set `DEMO_STAFF_KEY` to use your own.
 */
export const DEMO_STAFF_KEY = 'harbor-and-pine-demo-staff-key'

export interface StorePluginOptions {
  /** The staff API key. @default process.env.DEMO_STAFF_KEY ?? DEMO_STAFF_KEY */
  staffApiKey?: string
  /** Renders allowed per client address and minute. @default 600 */
  requestsPerMinute?: number
  /** Order look-ups allowed per client address and minute (guessing order numbers gets nowhere). @default 30 */
  orderLookupsPerMinute?: number
}

export interface StorePlugins {
  /** Every plugin, in installation order: who is calling, how often, the cache, natural language. */
  all: PluginInput[]
  /** The natural-language resolver (trained on the intents' examples; `whenTrained()` after registering). */
  semantic: SemanticPlugin
}

/** The demo's plugins. */
export function storePlugins(options: StorePluginOptions = {}): StorePlugins {
  const resolver = semantic()
  const all: PluginInput[] = [
    auth({
      apiKeys: {
        keys: [
          {
            id: 'staff',
            key: options.staffApiKey ?? process.env.DEMO_STAFF_KEY ?? DEMO_STAFF_KEY,
            roles: ['staff'],
          },
        ],
      },
      roles: { manager: ['staff'] },
    }),
    rateLimit({
      limit: options.requestsPerMinute ?? 600,
      windowMs: 60_000,
      intents: {
        order_status: {
          limits: [{ name: 'order-lookups', limit: options.orderLookupsPerMinute ?? 30, windowMs: 60_000 }],
        },
      },
    }),
    cache({ staleWhileRevalidate: 30 }),
    resolver,
  ]
  return { all, semantic: resolver }
}

/** Registers the store assistant's components and intents into an engine. */
export function registerStore(engine: Engine, options: StoreAssistantOptions = {}): void {
  const { intents, components } = storeAssistant(options)
  for (const component of components) engine.registerComponent(component)
  for (const intent of intents) engine.registerIntent(intent)
}

export interface StoreEngineOptions extends StoreAssistantOptions {
  /** Options of the demo's plugins. @default {} */
  plugins?: StorePluginOptions
  /** Engine options (logger, limits, …); its plugins are installed after the demo's. @default {} */
  engine?: EngineOptions
}

/** A ready engine serving the store assistant, its resolver trained on the intents' examples. */
export async function createStoreEngine(options: StoreEngineOptions = {}): Promise<Engine> {
  const plugins = storePlugins(options.plugins)
  const engine = createEngine({
    ...options.engine,
    plugins: [...plugins.all, ...(options.engine?.plugins ?? [])],
  })
  await engine.ready()
  registerStore(engine, options)
  await plugins.semantic.whenTrained()
  return engine
}
