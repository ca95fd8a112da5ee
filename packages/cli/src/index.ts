/**
 * @ixp/cli — the `ixp` command. The programmatic surface is small: `defineConfig` for typed config files,
 * `createEngineFromConfig` to build what `ixp serve` would run (for tests), and `runCli` itself.
 */
export {
  defineConfig,
  type DefinitionSource,
  type IxpConfig,
  type IxpConfigExport,
  type ServeHttpConfig,
} from './config/define.js'
export { loadConfig, type ResolvedConfig } from './config/load.js'
export { createEngineFromConfig, type CreateEngineFromConfigOptions } from './serve/engine.js'
export { runCli } from './cli.js'
export { CliErrorCodes, type CliErrorCode } from './errors.js'
export type { CliIo } from './io.js'
