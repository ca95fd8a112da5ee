import { coreError } from '../../errors.js'
import type { IxpContext } from '../../types.js'
import { describeValue, isPlainObject, isPollutingKey } from '../values.js'

/**
 * How a part's props come from the composed component's props: a function, or an object whose keys are the
 * part's prop names and whose values are dotted paths into the composed props (`'user.address.city'`,
 * `'items.0'`). Paths read own properties only; a path that leads nowhere leaves the part prop unset.
 */
export type PropMapping<P = Record<string, unknown>> =
  ((props: P, ctx: IxpContext) => Record<string, unknown>) | Record<string, string>

/** A mapping checked at composition time. */
export type CompiledMapping =
  | { kind: 'all' }
  | { kind: 'function'; map: (props: unknown, ctx: IxpContext) => unknown }
  | { kind: 'paths'; entries: readonly (readonly [partProp: string, path: readonly string[]])[] }

/** Checks a mapping once, so a typo fails at start-up rather than at the first render. */
export function compileMapping(mapping: unknown, where: string): CompiledMapping {
  if (mapping === undefined) return { kind: 'all' }
  if (typeof mapping === 'function')
    return { kind: 'function', map: mapping as (props: unknown, ctx: IxpContext) => unknown }
  if (!isPlainObject(mapping)) {
    throw coreError('INVALID_DEFINITION', {
      reason: `${where}: props must be a function or an object of dotted paths; got ${describeValue(mapping)}.`,
    })
  }
  const entries = Object.keys(mapping).map((partProp) => {
    const path = mapping[partProp]
    if (isPollutingKey(partProp))
      throw coreError('INVALID_DEFINITION', { reason: `${where}: '${partProp}' cannot be a prop name.` })
    if (
      typeof path !== 'string' ||
      path.length === 0 ||
      path.split('.').some((segment) => segment.length === 0)
    ) {
      throw coreError('INVALID_DEFINITION', {
        reason: `${where}: props.${partProp} must be a dotted path like 'user.city' (no empty segments); got ${JSON.stringify(path) ?? describeValue(path)}.`,
      })
    }
    return [partProp, path.split('.')] as const
  })
  return { kind: 'paths', entries }
}

/** The part's props for one render. */
export function applyMapping(
  mapping: CompiledMapping,
  props: Record<string, unknown>,
  ctx: IxpContext,
  where: string,
): Record<string, unknown> {
  switch (mapping.kind) {
    case 'all':
      // A copy, so that parts rendering in parallel cannot see each other's mutations.
      return { ...props }
    case 'function': {
      const mapped = mapping.map(props, ctx)
      if (!isPlainObject(mapped)) {
        throw coreError('INVALID_DEFINITION', {
          reason: `${where}: the props mapping returned ${describeValue(mapped)}, not a plain object.`,
        })
      }
      return mapped
    }
    case 'paths': {
      const out: Record<string, unknown> = {}
      for (const [partProp, path] of mapping.entries) {
        const value = readPath(props, path)
        if (value !== undefined) out[partProp] = value
      }
      return out
    }
  }
}

/** Reads a dotted path through own properties only (never `constructor`, `__proto__` or other inherited keys). */
export function readPath(source: unknown, path: readonly string[]): unknown {
  let current = source
  for (const segment of path) {
    if (
      typeof current !== 'object' ||
      current === null ||
      !Object.prototype.hasOwnProperty.call(current, segment)
    ) {
      return undefined
    }
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}
