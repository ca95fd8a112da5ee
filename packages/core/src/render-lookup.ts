/**
 * The first step of a render: the request's shape, the intent it names (with a "did you mean" when every
 * intent is visible to every caller) and whether the caller's origin may use the intent's component.
 */
import { isRecord } from './definitions.js'
import { IxpError } from './errors.js'
import type { EngineHooks } from './hooks/index.js'
import type { ComponentEntry, IntentEntry } from './registrations.js'
import { shorten } from './registrations.js'
import type { Registry } from './registry.js'
import { didYouMean } from './suggest.js'
import type { IntentDefinition, IxpContext, RenderRequest } from './types.js'

function invalidRequest(message: string): IxpError {
  return new IxpError('INVALID_REQUEST', message)
}

/** The registered intent a request names; `INVALID_REQUEST` or `INTENT_NOT_SUPPORTED` otherwise. */
export function lookupIntent(
  request: RenderRequest,
  intents: Registry<IntentDefinition, IntentEntry, unknown>,
  maxNameLength: number,
  hooks: EngineHooks,
): IntentEntry {
  const intent = isRecord(request) ? request.intent : undefined
  const name = isRecord(intent) ? intent.name : undefined
  if (name === undefined || name === null || name === '') {
    throw invalidRequest("Missing required parameter 'intent.name'")
  }
  if (typeof name !== 'string') throw invalidRequest("Parameter 'intent.name' must be a string")
  if (name.length > maxNameLength) {
    throw invalidRequest(`Parameter 'intent.name' must be at most ${maxNameLength} characters`)
  }
  const options = (request as RenderRequest).options
  if (options !== undefined && !isRecord(options)) {
    throw invalidRequest("Parameter 'options' must be an object")
  }
  const entry = intents.entry(name)
  if (!entry) {
    // A near name is suggested only when every intent is visible to every caller (no discovery filter).
    const hint = hooks.discoverIntents.isUsed()
      ? ''
      : didYouMean(
          name,
          intents.list().map((definition) => definition.name),
        )
    throw new IxpError('INTENT_NOT_SUPPORTED', `Intent '${shorten(name)}' not found${hint}`)
  }
  return entry
}

/** Refuses a caller whose origin the component's `allowedOrigins` does not list (`ORIGIN_NOT_ALLOWED`). */
export function checkOrigin(entry: ComponentEntry, context: IxpContext): void {
  const allowed = entry.definition.allowedOrigins
  const origin = context.origin
  if (typeof origin !== 'string' || !Array.isArray(allowed)) return
  if (allowed.includes(origin) || allowed.includes('*')) return
  throw new IxpError(
    'ORIGIN_NOT_ALLOWED',
    `Origin '${shorten(origin)}' not allowed for component '${entry.definition.name}'`,
    { details: { origin: shorten(origin), componentName: entry.definition.name } },
  )
}
