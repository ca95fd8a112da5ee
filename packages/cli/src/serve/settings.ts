/**
 * The effective settings of `ixp serve`: command-line flags over the config's `http` section over the
 * environment (`PORT`) over the defaults.
 */
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { integerValue, stringValue, type ParsedCommand } from '../args.js'
import { usageError } from '../errors.js'
import type { ResolvedConfig } from '../config/load.js'
import type { DefinitionKind } from '../config/json-file.js'
import type { WatchedFiles } from './reload.js'

export const SERVE_DEFAULTS = {
  port: 4100,
  host: '127.0.0.1',
  base: '/ixp',
  workers: 1,
  shutdownTimeoutMs: 10_000,
}

export interface ServeSettings {
  port: number
  host: string
  base: string
  /** CORS origins from `--cors` or the config; `undefined` keeps the HTTP plugin's default. */
  cors: string[] | undefined
  workers: number
  watch: boolean
  shutdownTimeoutMs: number
  /** Every JSON file the server reads, with the kinds it provides (what `--watch` watches). */
  files: WatchedFiles
}

function parseWorkers(raw: string | number | undefined): number {
  if (raw === undefined) return SERVE_DEFAULTS.workers
  if (raw === 'auto' || raw === 0 || raw === '0') return availableParallelism()
  if (typeof raw === 'number') return raw
  return integerValue(raw, '--workers', 1, 1024)
}

function parseCors(raw: string): string[] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  if (origins.length === 0) throw usageError('--cors needs at least one origin (or *)')
  for (const origin of origins) {
    if (origin === '*' || origin === 'null') continue
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      throw usageError(`--cors: '${origin}' is not an origin like https://app.example.com`)
    }
    if (url.origin !== origin.replace(/\/$/, '')) {
      throw usageError(`--cors: '${origin}' is not an origin (scheme://host[:port], no path)`)
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''))
}

/** Adds the `--intents` / `--components` files to the config's, resolved against the working directory. */
export function withFlagFiles(resolved: ResolvedConfig, parsed: ParsedCommand, cwd: string): ResolvedConfig {
  const list = (name: string) =>
    ((parsed.values[name] as string[] | undefined) ?? []).map((file) => resolve(cwd, file))
  const unique = (files: string[]) => [...new Set(files)]
  return {
    ...resolved,
    intentFiles: unique([...resolved.intentFiles, ...list('intents')]),
    componentFiles: unique([...resolved.componentFiles, ...list('components')]),
  }
}

export function serveSettings(
  parsed: ParsedCommand,
  resolved: ResolvedConfig,
  env: Record<string, string | undefined>,
): ServeSettings {
  const http = resolved.http
  const portFlag = stringValue(parsed, 'port')
  const port =
    portFlag !== undefined
      ? integerValue(portFlag, '--port', 0, 65_535)
      : (http.port ?? (env.PORT ? integerValue(env.PORT, 'PORT', 0, 65_535) : SERVE_DEFAULTS.port))
  const host = stringValue(parsed, 'host') ?? http.host ?? SERVE_DEFAULTS.host
  if (host.trim() === '') throw usageError('--host must not be empty')
  const base = stringValue(parsed, 'base') ?? http.base ?? SERVE_DEFAULTS.base
  if (base !== '' && !base.startsWith('/')) throw usageError(`--base must start with '/', got '${base}'`)
  const corsFlag = stringValue(parsed, 'cors')
  const timeoutFlag = stringValue(parsed, 'shutdown-timeout')
  const files: WatchedFiles = new Map()
  const add = (kind: DefinitionKind, file: string) =>
    files.set(file, new Set([...(files.get(file) ?? []), kind]))
  for (const file of resolved.intentFiles) add('intents', file)
  for (const file of resolved.componentFiles) add('components', file)
  const watch = parsed.values.watch === true
  if (watch && files.size === 0) {
    throw usageError(
      '--watch needs JSON definition files to watch (--intents, --components or paths in the config)',
    )
  }
  return {
    port,
    host,
    base,
    cors: corsFlag !== undefined ? parseCors(corsFlag) : http.cors,
    workers: parseWorkers(stringValue(parsed, 'workers') ?? http.workers),
    watch,
    shutdownTimeoutMs:
      timeoutFlag !== undefined
        ? integerValue(timeoutFlag, '--shutdown-timeout', 0, 3_600_000)
        : (http.shutdownTimeoutMs ?? SERVE_DEFAULTS.shutdownTimeoutMs),
    files,
  }
}
