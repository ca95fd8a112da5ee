/** The demo's engine: the plugins the demo runs, then the store assistant's definitions. */
import { createEngine, type Engine, type EngineOptions, type PluginInput } from '@ixp/core'
import { auth } from '@ixp/plugin-auth'
import { cache } from '@ixp/plugin-cache'
import { rateLimit } from '@ixp/plugin-rate-limit'
import { semantic, type SemanticPlugin } from '@ixp/plugin-semantic'
import { tracing, type TracingPlugin } from '@ixp/plugin-tracing'
import { workflows, type WorkflowsPlugin } from '@ixp/plugin-workflows'
import { storeAssistant, type StoreAssistantOptions } from './app.js'
import { planPickupWorkflow } from './workflows/pickup.js'

/**
 * The API key of the demo's staff account (send it as `x-api-key` to use `restock_report`). A demo value,
 * documented in the README; set `DEMO_STAFF_KEY` to use your own.
 */
/** Small talk and off-topic requests: the resolver answers them out of scope. */
const CHIT_CHAT = [
  'tell me something funny',
  'make me laugh',
  'sing me a song',
  'how are you today',
  'who are you',
  'what is the meaning of life',
  'tell me a story',
  'who won the game last night',
  'how tall is mount everest',
  'write me a poem',
]

export const DEMO_STAFF_KEY = 'harbor-and-pine-demo-staff-key'

export interface StorePluginOptions {
  /** The staff API key. @default process.env.DEMO_STAFF_KEY ?? DEMO_STAFF_KEY */
  staffApiKey?: string
  /** Renders allowed per client address and minute (every workflow step is a render). @default 600 */
  requestsPerMinute?: number
  /** Order look-ups allowed per client address and minute (guessing order numbers gets nowhere). @default 30 */
  orderLookupsPerMinute?: number
}

export interface StorePlugins {
  /**
   * Every plugin, in installation order: tracing (it observes the others), who is calling, how often, the
   * cache, natural language, workflows.
   */
  all: PluginInput[]
  /** Spans and metrics; `tracing.metrics` is the registry the metrics route serves. */
  tracing: TracingPlugin
  /** The natural-language resolver, trained on the intents' examples when the engine gets ready. */
  semantic: SemanticPlugin
  /** The store's workflows (`workflow_plan_pickup`); its steps' intents are checked when the engine gets ready. */
  workflows: WorkflowsPlugin
}

/** The demo's plugins: one set per engine (each plugin instance serves one engine). */
export function storePlugins(options: StorePluginOptions = {}): StorePlugins {
  const storeWorkflows = workflows({ workflows: [planPickupWorkflow] })
  // Tracing first: of the taps at its stages (OBSERVE_FIRST / OBSERVE_LAST), the first installed runs first, so
  // its render span opens before any other observer runs. Its workflow spans follow `storeWorkflows`' events.
  const tracer = tracing({ workflows: storeWorkflows })
  // Chit-chat the assistant must not answer with a product or an order ("tell me a joke" is not product_details).
  const resolver = semantic({ outOfScopeExamples: CHIT_CHAT })
  const all: PluginInput[] = [
    tracer,
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
    storeWorkflows,
  ]
  return { all, tracing: tracer, semantic: resolver, workflows: storeWorkflows }
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

export interface StoreEngine {
  /** The ready engine: definitions registered, resolver trained, workflows checked. */
  engine: Engine
  /** The plugins it runs (the metrics route serves `plugins.tracing.metrics`). */
  plugins: StorePlugins
}

/**
 * A ready engine serving the store assistant. The definitions are registered before `ready()`, which applies
 * the plugins (every registration passes through their taps), trains the resolver on the intents' examples
 * and checks the workflows' steps against the intents.
 */
export async function createStoreEngine(options: StoreEngineOptions = {}): Promise<StoreEngine> {
  const plugins = storePlugins(options.plugins)
  const engine = createEngine({
    ...options.engine,
    plugins: [...plugins.all, ...(options.engine?.plugins ?? [])],
  })
  try {
    registerStore(engine, options)
    await engine.ready()
  } catch (error) {
    await engine.close().catch(() => undefined)
    throw error
  }
  return { engine, plugins }
}
