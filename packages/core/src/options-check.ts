/**
 * Refuses `createEngine` options it does not know, naming the nearest valid one: a misspelt option
 * (`plugin: [...]`, `limits: { renderTimeout: … }`) would otherwise be silently ignored and the default used.
 */
import type { EngineOptions } from './engine.js'
import { IxpError } from './errors.js'
import { isPlainObject } from './objects.js'
import { closestName } from './suggest.js'

/** Every option of {@link EngineOptions}; `Record<keyof …>` makes the compiler keep this list complete. */
const TOP_LEVEL: Record<keyof EngineOptions, true> = {
  plugins: true,
  validation: true,
  limits: true,
  logger: true,
  hooks: true,
}

const NESTED: {
  [Group in 'validation' | 'limits' | 'hooks']: Record<keyof NonNullable<EngineOptions[Group]>, true>
} = {
  validation: { additionalProperties: true, maxDepth: true, missingComponents: true },
  limits: {
    maxIntentNameLength: true,
    renderTimeoutMs: true,
    pluginTimeoutMs: true,
    maxTreeDepth: true,
    maxTreeNodes: true,
  },
  hooks: { codeGeneration: true },
}

function refuseUnknown(group: string, given: Record<string, unknown>, known: Record<string, true>): void {
  for (const key of Object.keys(given)) {
    if (Object.hasOwn(known, key)) continue
    const name = group ? `${group}.${key}` : key
    const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name
    const near = closestName(key, Object.keys(known))
    const hint =
      near === undefined
        ? `the options are ${Object.keys(known).join(', ')}`
        : `did you mean \`${group ? `${group}.` : ''}${near}\`?`
    throw new IxpError('INVALID_OPTIONS', `\`${shown}\` is not an option of createEngine; ${hint}`, {
      details: { option: shown, ...(near === undefined ? {} : { suggestion: near }) },
    })
  }
}

/** Throws `INVALID_OPTIONS` for an options value that is not an object or has a key createEngine does not know. */
export function checkOptionKeys(options: unknown): void {
  if (!isPlainObject(options)) {
    throw new IxpError(
      'INVALID_OPTIONS',
      `createEngine takes an options object ({ plugins, validation, limits, logger, hooks }), got ${Array.isArray(options) ? 'an array' : typeof options}`,
    )
  }
  refuseUnknown('', options, TOP_LEVEL)
  for (const group of Object.keys(NESTED) as (keyof typeof NESTED)[]) {
    const value = options[group]
    if (value === undefined) continue
    if (!isPlainObject(value)) {
      throw new IxpError(
        'INVALID_OPTIONS',
        `\`${group}\` must be an object, got ${Array.isArray(value) ? 'an array' : typeof value}`,
      )
    }
    refuseUnknown(group, value, NESTED[group])
  }
}
