/** The demo's engine: the plugins the demo runs, then the store assistant's definitions. */
import { createEngine, type Engine, type EngineOptions } from '@ixp/core'
import { storeAssistant, type StoreAssistantOptions } from './app.js'

export interface StoreEngineOptions extends StoreAssistantOptions {
  /** Engine options (logger, limits, …). @default {} */
  engine?: EngineOptions
}

/** The engine's plugins, in installation order. */
export function storePlugins(): NonNullable<EngineOptions['plugins']> {
  return []
}

/** Registers the store assistant's components and intents into an engine. */
export function registerStore(engine: Engine, options: StoreAssistantOptions = {}): void {
  const { intents, components } = storeAssistant(options)
  for (const component of components) engine.registerComponent(component)
  for (const intent of intents) engine.registerIntent(intent)
}

/** A ready engine serving the store assistant. */
export async function createStoreEngine(options: StoreEngineOptions = {}): Promise<Engine> {
  const engine = createEngine({
    ...options.engine,
    plugins: [...storePlugins(), ...(options.engine?.plugins ?? [])],
  })
  await engine.ready()
  registerStore(engine, options)
  return engine
}
