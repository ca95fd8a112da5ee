/**
 * Builds a ready engine from a config: components and intents (inline ones and those read from JSON files)
 * are registered, then `ready()` applies the plugins, whose registration taps see every definition.
 */
import { createEngine } from '@ixp/core'
import type { ComponentDefinition, Engine, IntentDefinition } from '@ixp/core'
import type { IxpConfig } from '../config/define.js'
import { readDefinitionFile } from '../config/json-file.js'
import { loadConfig, resolveConfig, type ResolvedConfig } from '../config/load.js'
import { CONFIG_OWNER, DefinitionRegistrar } from './registrar.js'

export interface BuiltEngine {
  engine: Engine
  registrar: DefinitionRegistrar
}

/** Reads every JSON file a config names; the first unreadable or invalid file is the error. */
export async function readConfigFiles(resolved: ResolvedConfig): Promise<{
  intents: Map<string, IntentDefinition[]>
  components: Map<string, ComponentDefinition[]>
}> {
  const intents = new Map<string, IntentDefinition[]>()
  const components = new Map<string, ComponentDefinition[]>()
  for (const file of resolved.componentFiles)
    components.set(file, await readDefinitionFile('components', file))
  for (const file of resolved.intentFiles) intents.set(file, await readDefinitionFile('intents', file))
  return { intents, components }
}

/** Creates the engine of a resolved config, applies its plugins and registers its definitions. */
export async function buildEngine(resolved: ResolvedConfig, cwd: string): Promise<BuiltEngine> {
  const files = await readConfigFiles(resolved)
  const engine = createEngine({ ...resolved.engine, plugins: resolved.plugins })
  try {
    // Definitions first, then ready(): the engine passes them through every plugin's registration taps when
    // it applies the plugins, and plugins that need every definition at ready (workflows checking their
    // steps' intents, semantic training) see them all.
    const registrar = new DefinitionRegistrar(engine, cwd)
    registrar.add('components', CONFIG_OWNER, resolved.components)
    for (const [file, definitions] of files.components) registrar.add('components', file, definitions)
    registrar.add('intents', CONFIG_OWNER, resolved.intents)
    for (const [file, definitions] of files.intents) registrar.add('intents', file, definitions)
    await engine.ready()
    return { engine, registrar }
  } catch (error) {
    await engine.close().catch(() => undefined)
    throw error
  }
}

export interface CreateEngineFromConfigOptions {
  /**
   * Directory that relative JSON paths of an in-memory config start from (a config file's own directory is
   * used for a path).
   * @default process.cwd()
   */
  cwd?: string
}

/**
 * A ready engine built from a config object or an `ixp.config.*` path — what `ixp serve` runs, without HTTP.
 * Handy in tests: `const engine = await createEngineFromConfig('./ixp.config.mjs')`.
 */
export async function createEngineFromConfig(
  config: IxpConfig | string,
  options: CreateEngineFromConfigOptions = {},
): Promise<Engine> {
  const cwd = options.cwd ?? process.cwd()
  const resolved =
    typeof config === 'string' ? await loadConfig(config, cwd) : resolveConfig(config, undefined, cwd)
  return (await buildEngine(resolved, cwd)).engine
}
