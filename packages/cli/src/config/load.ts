/**
 * Finds, imports and checks an `ixp.config.*` module (`.mjs`, `.js`, `.cjs`, `.ts`, `.mts`, `.cts` or `.json`),
 * then splits its definitions into inline ones and the JSON files to read (paths relative to the config).
 */
import { existsSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  isObject,
  type ComponentDefinition,
  type EngineOptions,
  type IntentDefinition,
  type PluginInput,
} from '@ixp/core'
import { cliError } from '../errors.js'
import type { IxpConfig, ServeHttpConfig } from './define.js'
import { displayPath, readJsonFile } from './json-file.js'

/** File names looked for, in order, when no `--config` is given. */
export const CONFIG_FILE_NAMES = [
  'ixp.config.ts',
  'ixp.config.mts',
  'ixp.config.mjs',
  'ixp.config.js',
  'ixp.config.cjs',
  'ixp.config.json',
]

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts'])
const JAVASCRIPT = new Set(['.js', '.mjs', '.cjs'])
const CONFIG_KEYS = ['intents', 'components', 'plugins', 'engine', 'http']
const HTTP_KEYS = ['port', 'host', 'base', 'cors', 'workers', 'shutdownTimeoutMs', 'handler']
/** `http` keys renamed since the first version: an old config is told the new name, not just refused. */
const RENAMED_HTTP_KEYS: Readonly<Record<string, string>> = { shutdownTimeout: 'shutdownTimeoutMs' }

/** A checked config with its definitions split by where they come from. */
export interface ResolvedConfig {
  /** Absolute path of the config file, when there is one. */
  file: string | undefined
  intents: IntentDefinition[]
  components: ComponentDefinition[]
  /** Absolute paths of reference-format intents files. */
  intentFiles: string[]
  /** Absolute paths of reference-format components files. */
  componentFiles: string[]
  plugins: PluginInput[]
  engine: Omit<EngineOptions, 'plugins'>
  http: ServeHttpConfig
}

/** The first `ixp.config.*` in `dir`, if any. */
export function findConfig(dir: string): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => resolve(dir, name)).find((file) => existsSync(file))
}

async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  const extension = extname(file)
  if (TYPESCRIPT.has(extension)) {
    // tsx compiles the config (and what it imports) on the fly; no build step for TypeScript configs. It is
    // registered for the process rather than used through `tsImport`, whose namespace would load a second copy
    // of every package the config imports: @ixp/core's IxpError from that copy is not the CLI's, so every error
    // a plugin or handler threw would reach callers as a 500.
    const { register } = await import('tsx/esm/api')
    register()
    return import(url)
  }
  return import(url)
}

/** Imports a config file and returns its default export (called, when it is a function). */
export async function importConfig(file: string): Promise<unknown> {
  if (!existsSync(file))
    throw cliError('FILE_NOT_FOUND', { file: `Config file ${displayPath(file)}`, reason: 'does not exist' })
  const extension = extname(file)
  if (extension === '.json') return readJsonFile(file)
  if (!TYPESCRIPT.has(extension) && !JAVASCRIPT.has(extension)) {
    throw cliError('CONFIG_INVALID', {
      file: `Config file ${displayPath(file)}`,
      problem: `must be .mjs, .js, .cjs, .ts, .mts, .cts or .json, not '${extension || '(none)'}'`,
    })
  }
  let exported: unknown
  try {
    const module = (await importModule(file)) as { default?: unknown }
    exported = module.default
    // A CommonJS module compiled by tsx can nest the default export one level deeper.
    if (
      exported &&
      typeof exported === 'object' &&
      'default' in exported &&
      Object.keys(exported).every((key) => key === 'default' || key === '__esModule')
    ) {
      exported = (exported as { default: unknown }).default
    }
    if (typeof exported === 'function') exported = await (exported as () => unknown)()
  } catch (error) {
    throw cliError(
      'CONFIG_LOAD_FAILED',
      { file: displayPath(file), reason: (error as Error)?.message ?? String(error) },
      { cause: error },
    )
  }
  if (exported === undefined) {
    throw cliError('CONFIG_INVALID', {
      file: displayPath(file),
      problem: 'has no default export (export default defineConfig({ … }))',
    })
  }
  return exported
}

interface Issue {
  path: string
  message: string
}

function splitSources<T>(
  key: 'intents' | 'components',
  value: unknown,
  base: string,
  issues: Issue[],
): { inline: T[]; files: string[] } {
  const inline: T[] = []
  const files: string[] = []
  if (value === undefined) return { inline, files }
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list)) {
    issues.push({ path: key, message: 'must be an array of definitions or JSON file paths, or one path' })
    return { inline, files }
  }
  list.forEach((item, index) => {
    if (typeof item === 'string' && item.trim() !== '') files.push(resolve(base, item))
    else if (isObject(item)) inline.push(item as T)
    else issues.push({ path: `${key}.${index}`, message: 'must be a definition object or a JSON file path' })
  })
  return { inline, files }
}

function checkHttp(value: unknown, issues: Issue[]): ServeHttpConfig {
  if (value === undefined) return {}
  if (!isObject(value)) {
    issues.push({ path: 'http', message: 'must be an object' })
    return {}
  }
  for (const key of Object.keys(value)) {
    if (HTTP_KEYS.includes(key)) continue
    const renamed = RENAMED_HTTP_KEYS[key]
    issues.push({
      path: `http.${key}`,
      message: renamed ? `was renamed '${renamed}'` : `is not an option (${HTTP_KEYS.join(', ')})`,
    })
  }
  const { port, host, base, cors, workers, shutdownTimeoutMs, handler } = value
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    issues.push({ path: 'http.port', message: 'must be a whole number from 0 to 65535' })
  }
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    issues.push({ path: 'http.host', message: 'must be a non-empty string' })
  }
  if (base !== undefined && (typeof base !== 'string' || !base.startsWith('/'))) {
    issues.push({ path: 'http.base', message: "must be a path starting with '/'" })
  }
  if (cors !== undefined && (!Array.isArray(cors) || cors.some((origin) => typeof origin !== 'string'))) {
    issues.push({ path: 'http.cors', message: 'must be an array of origins' })
  }
  if (
    workers !== undefined &&
    workers !== 'auto' &&
    !(Number.isInteger(workers) && (workers as number) >= 1)
  ) {
    issues.push({ path: 'http.workers', message: "must be a whole number of at least 1, or 'auto'" })
  }
  if (
    shutdownTimeoutMs !== undefined &&
    !(Number.isInteger(shutdownTimeoutMs) && (shutdownTimeoutMs as number) >= 0)
  ) {
    issues.push({ path: 'http.shutdownTimeoutMs', message: 'must be a whole number of milliseconds' })
  }
  if (handler !== undefined && !isObject(handler))
    issues.push({ path: 'http.handler', message: 'must be an object' })
  return value as ServeHttpConfig
}

/**
 * Checks a config's shape and splits its definitions; `file` (when known) is where relative paths start.
 * Every problem is reported at once as `CONFIG_INVALID` with `details.issues`.
 */
export function resolveConfig(exported: unknown, file: string | undefined, cwd: string): ResolvedConfig {
  const where = file ? displayPath(file, cwd) : 'the config'
  if (!isObject(exported)) {
    throw cliError('CONFIG_INVALID', {
      file: where,
      problem: 'must export an object { intents, components, plugins, http }',
    })
  }
  const config = exported as IxpConfig & Record<string, unknown>
  const issues: Issue[] = []
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key))
      issues.push({ path: key, message: `is not a config key (${CONFIG_KEYS.join(', ')})` })
  }
  const base = file ? dirname(file) : cwd
  const intents = splitSources<IntentDefinition>('intents', config.intents, base, issues)
  const components = splitSources<ComponentDefinition>('components', config.components, base, issues)
  let plugins: PluginInput[] = []
  if (config.plugins !== undefined) {
    if (!Array.isArray(config.plugins))
      issues.push({ path: 'plugins', message: 'must be an array of plugins' })
    else plugins = config.plugins
  }
  if (config.engine !== undefined && !isObject(config.engine))
    issues.push({ path: 'engine', message: 'must be an object' })
  const http = checkHttp(config.http, issues)
  if (issues.length > 0) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
    throw cliError('CONFIG_INVALID', { file: where, problem: `has ${count}` }, { details: { file, issues } })
  }
  return {
    file,
    intents: intents.inline,
    components: components.inline,
    intentFiles: intents.files,
    componentFiles: components.files,
    plugins,
    engine: config.engine ?? {},
    http,
  }
}

/** Loads and checks a config file. */
export async function loadConfig(file: string, cwd = process.cwd()): Promise<ResolvedConfig> {
  const absolute = resolve(cwd, file)
  return resolveConfig(await importConfig(absolute), absolute, cwd)
}
