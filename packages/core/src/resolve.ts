/**
 * The engine's part of `resolve()`: the query's shape, the exact-name resolver every engine taps first, and
 * hiding from an outcome the intents a caller may not see (when a discovery filter is installed).
 */
import { isRecord } from './definitions.js'
import { IxpError } from './errors.js'
import type { EngineHooks } from './hooks/index.js'
import type { IntentDefinition, IxpContext, ResolveOutcome, ResolveQuery } from './types.js'

/** What `resolve()` answers when nothing matched. */
export function noMatch(
  alternatives: ResolveOutcome['alternatives'] = [],
  source?: ResolveOutcome['source'],
): ResolveOutcome {
  const outcome: ResolveOutcome = {
    matched: false,
    intent: null,
    confidence: 0,
    alternatives,
    reason: 'no-match',
  }
  if (source !== undefined) outcome.source = source
  return outcome
}

/** A resolve query from `resolve()`'s argument, or `INVALID_REQUEST`. */
export function toQuery(query: unknown): ResolveQuery {
  const normalized = typeof query === 'string' ? { text: query } : query
  if (!isRecord(normalized) || typeof normalized.text !== 'string' || normalized.text.trim() === '') {
    throw new IxpError('INVALID_REQUEST', 'Resolve needs a non-empty text (a string or { text })')
  }
  return normalized as ResolveQuery
}

/** The exact-name resolver: a query that is a registered intent's name resolves to it. */
export function exactName(query: ResolveQuery, has: (name: string) => boolean): ResolveOutcome | undefined {
  const name = query.text.trim()
  if (!has(name)) return undefined
  return {
    matched: true,
    intent: name,
    parameters: {},
    confidence: 1,
    alternatives: [],
    source: 'exact-name',
  }
}

/** Hides intents the caller may not use from a resolve outcome (when a discovery filter is installed). */
export async function visibleOutcome(
  outcome: ResolveOutcome,
  context: IxpContext,
  hooks: EngineHooks,
  get: (name: string) => IntentDefinition | undefined,
): Promise<ResolveOutcome> {
  if (!hooks.discoverIntents.isUsed()) return outcome
  // Only the outcome's own intents go through the filter: a resolve costs the same at 10 or 10,000 intents.
  const candidates: IntentDefinition[] = []
  const named = outcome.alternatives.map((alternative) => alternative.intent)
  if (outcome.matched) named.unshift(outcome.intent)
  for (const name of named) {
    const definition = get(name)
    if (definition !== undefined && !candidates.includes(definition)) candidates.push(definition)
  }
  const shown = await hooks.discoverIntents.promise(candidates, context, 'resolve')
  const visible = new Set(shown.map((intent) => intent.name))
  const alternatives = outcome.alternatives.filter((alternative) => visible.has(alternative.intent))
  if (outcome.matched && !visible.has(outcome.intent)) return noMatch(alternatives, outcome.source)
  return { ...outcome, alternatives }
}
