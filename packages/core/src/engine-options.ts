/**
 * The options of `createEngine`, their defaults, and the one check that reads them: an unknown key (a misspelt
 * `plugin: [...]` or `limits: { renderTimeout: … }` would otherwise be ignored and the default used) is refused
 * naming the nearest valid option, and a bad value naming the option and what it accepts — when the engine is
 * created, not at the first request.
 */
import type { CodeGeneration } from './hooks/portable.js'
import { IxpError } from './errors.js'
import type { Logger } from './logger.js'
import { isPlainObject } from './objects.js'
import type { PluginInput } from './plugins.js'
import { closestName } from './suggest.js'

/** Options of {@link createEngine}; every field is optional. */
export interface EngineOptions {
  /** Plugins to install, in order (same as calling `use()` for each). @default [] */
  plugins?: PluginInput[]
  validation?: {
    /** What to do with parameters an intent's schema does not declare. @default 'strip' (as the IXP reference) */
    additionalProperties?: 'strip' | 'reject'
    /** Deepest nesting accepted in parameters. @default 64 */
    maxDepth?: number
    /**
     * An intent whose component is not registered when `ready()` runs: `'error'` fails `ready()` naming it;
     * `'warn'` logs it and leaves the render to fail with `COMPONENT_NOT_FOUND` (what the IXP reference server
     * does with such files). @default 'error'
     */
    missingComponents?: 'error' | 'warn'
  }
  limits?: {
    /** Longest accepted intent name. @default 256 */
    maxIntentNameLength?: number
    /** Deadline of one render in milliseconds (`0` disables it). @default 10000 */
    renderTimeoutMs?: number
    /** Deadline of one plugin's `apply()` in milliseconds (`0` disables it). @default 10000 */
    pluginTimeoutMs?: number
    /** Deepest render tree a server component may return. @default 64 */
    maxTreeDepth?: number
    /** Most nodes a render tree may have. @default 100000 */
    maxTreeNodes?: number
  }
  /** Where the engine and plugins log. @default consoleLogger('warn') */
  logger?: Logger
  hooks?: {
    /**
     * `'auto'` keeps tapable's compiled hooks where `new Function` works and interprets them elsewhere;
     * `'off'` always interprets. Interpreting needs `@ixp/core/portable-hooks` (edge bundlers load it with
     * `@ixp/core`). @default 'auto'
     */
    codeGeneration?: CodeGeneration
  }
}

type Groups = 'validation' | 'limits' | 'hooks'

/** Every grouped option with its value filled in. */
export type EngineSettings = {
  [G in Groups]: Required<NonNullable<EngineOptions[G]>>
}

/** A grouped option's default and what it accepts: the allowed values, or the smallest allowed number. */
type Spec = readonly [fallback: unknown, accepts: readonly string[] | number]

/** The grouped options; the mapped type makes the compiler keep this table complete. */
const SPECS: { [G in Groups]: { [K in keyof EngineSettings[G]]: Spec } } = {
  validation: {
    additionalProperties: ['strip', ['strip', 'reject']],
    maxDepth: [64, 1],
    missingComponents: ['error', ['error', 'warn']],
  },
  limits: {
    maxIntentNameLength: [256, 1],
    renderTimeoutMs: [10_000, 0],
    pluginTimeoutMs: [10_000, 0],
    maxTreeDepth: [64, 1],
    maxTreeNodes: [100_000, 1],
  },
  hooks: { codeGeneration: ['auto', ['auto', 'off']] },
}

const TOP_LEVEL = ['plugins', 'validation', 'limits', 'logger', 'hooks']

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : typeof value
}

function invalid(message: string, details?: Record<string, unknown>): IxpError {
  return new IxpError('INVALID_OPTIONS', message, details && { details })
}

function refuseUnknown(group: string, given: Record<string, unknown>, known: string[]): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue
    const prefix = group ? `${group}.` : ''
    const shown = (prefix + key).length > 80 ? `${(prefix + key).slice(0, 80)}…` : prefix + key
    const near = closestName(key, known)
    throw invalid(
      `\`${shown}\` is not an option of createEngine; ${near === undefined ? `the options are ${known.join(', ')}` : `did you mean \`${prefix}${near}\`?`}`,
      near === undefined ? { option: shown } : { option: shown, suggestion: near },
    )
  }
}

/** Checks `options` and fills in the defaults; throws `INVALID_OPTIONS` naming the option at fault. */
export function engineSettings(options: unknown): EngineSettings {
  if (!isPlainObject(options)) {
    throw invalid(
      `createEngine takes an options object ({ ${TOP_LEVEL.join(', ')} }), got ${kindOf(options)}`,
    )
  }
  refuseUnknown('', options, TOP_LEVEL)
  const settings: Record<string, Record<string, unknown>> = {}
  for (const [group, specs] of Object.entries(SPECS) as [Groups, Record<string, Spec>][]) {
    const given = options[group] ?? {}
    if (!isPlainObject(given)) throw invalid(`\`${group}\` must be an object, got ${kindOf(given)}`)
    refuseUnknown(group, given, Object.keys(specs))
    const filled: Record<string, unknown> = (settings[group] = {})
    for (const [key, [fallback, accepts]] of Object.entries(specs)) {
      const value = given[key] === undefined ? fallback : given[key]
      const ok =
        typeof accepts === 'number'
          ? typeof value === 'number' && Number.isFinite(value) && value >= accepts
          : accepts.includes(value as string)
      if (!ok) {
        throw invalid(
          `${group}.${key} must be ${typeof accepts === 'number' ? `a finite number ≥ ${accepts}` : `'${accepts.join("' or '")}'`}, got ${JSON.stringify(value)?.slice(0, 80)}`,
        )
      }
      filled[key] = value
    }
  }
  return settings as EngineSettings
}
