/**
 * The shape of an `ixp.config.*` module and the `defineConfig` helper that types it. A config's default export
 * is an {@link IxpConfig} (or a function, possibly async, returning one).
 */
import type { ComponentDefinition, EngineOptions, IntentDefinition, PluginInput } from '@ixp/core'
import type { NodeServerOptions } from '@ixp/plugin-http/node'

/** A definition, or the path of a reference-format JSON file holding some (relative to the config file). */
export type DefinitionSource<T> = T | string

/** How `ixp serve` listens and serves HTTP. Command-line flags override these fields. */
export interface ServeHttpConfig {
  /**
   * TCP port; `0` picks a free one. The `PORT` environment variable is not read implicitly: write
   * `port: Number(process.env.PORT ?? 4100)` to honour it.
   * @default 4100
   */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
  /** Path the IXP routes are mounted under. @default '/ixp' */
  base?: string
  /**
   * Origins that get CORS headers (`['*']` for any). Replaces `handler.cors.origins`.
   * @default the HTTP plugin's default (`['http://localhost:3000']`, as the IXP reference)
   */
  cors?: string[]
  /** Worker processes sharing the port (`'auto'` = one per core). @default 1 */
  workers?: number | 'auto'
  /** How long a graceful shutdown waits for in-flight requests, in milliseconds (formerly `shutdownTimeout`). @default 10000 */
  shutdownTimeoutMs?: number
  /**
   * Options of the HTTP handler and node server of `@ixp/plugin-http` (body limit, security headers, metrics,
   * request logging, keep-alive, …); the mount path is `base`.
   * @default {}
   */
  handler?: Omit<NodeServerOptions, 'basePath'>
}

export interface IxpConfig {
  /**
   * Intent definitions, and/or paths of reference-format `{"intents":[…]}` JSON files (a single path is accepted).
   * @default []
   */
  intents?: DefinitionSource<IntentDefinition<any>>[] | string
  /**
   * Component definitions (server-rendered or remote), and/or paths of reference-format `{"components":{…}}`
   * JSON files (a single path is accepted).
   * @default []
   */
  components?: DefinitionSource<ComponentDefinition<any>>[] | string
  /** Engine plugins, installed in this order. @default [] */
  plugins?: PluginInput[]
  /** Options for `createEngine` (validation, limits, logger, …); plugins go in `plugins`. @default {} */
  engine?: Omit<EngineOptions, 'plugins'>
  /** How `ixp serve` listens. @default {} */
  http?: ServeHttpConfig
}

/** What a config module may export: the config, or a function (possibly async) returning it. */
export type IxpConfigExport = IxpConfig | (() => IxpConfig | Promise<IxpConfig>)

/** Types a config; returns its argument unchanged. */
export function defineConfig<T extends IxpConfigExport>(config: T): T {
  return config
}
