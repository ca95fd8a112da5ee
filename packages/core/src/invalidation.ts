/**
 * Commands and queries, and the one invalidation path between them.
 *
 * An intent is a `query` (the default: it reads, so its answers may be cached and shared) or a `command` (it
 * changes something: never cached, never coalesced). A query names the data its answers show with
 * `cacheTags`; a command names the tags it makes stale with `invalidates`. When a command's handler ran and
 * its render succeeded, the engine calls `engine.invalidate({ tags })`, which emits one `invalidate` event:
 * caches purge on it, live views re-render on it, relays (plugin-cache's Redis bus) carry it to other
 * instances, which re-emit it with `remote: true` (and never relay it again).
 */
import { isRecord } from './definitions.js'
import { coreError, type IxpError } from './errors.js'
import type { Logger } from './logger.js'
import type { IntentDefinition, IxpContext } from './types.js'

/** What an intent does: `query` reads (cacheable), `command` changes something (never cached). */
export type IntentKind = 'query' | 'command'

/** The kinds an intent may declare; the first is the default. */
export const INTENT_KINDS: readonly IntentKind[] = ['query', 'command']

/** Tags computed from a render: its validated parameters, its handler's data and its context. */
export type TagFunction<Params = Record<string, unknown>> = (
  params: Params,
  data: Record<string, unknown> | undefined,
  ctx: IxpContext,
) => readonly string[]

/** What `engine.invalidate()` takes. */
export interface InvalidationRequest {
  /** Answers carrying one of these tags are stale. */
  tags?: readonly string[]
  /** Every answer of these intents is stale. */
  intents?: readonly string[]
  /** Set by relays only: the invalidation was made on another instance (a relay never sends it on). */
  remote?: boolean
}

/** The `invalidate` event (`engine.events.on('invalidate', …)`). */
export interface Invalidation {
  readonly tags: readonly string[]
  readonly intents: readonly string[]
  /** `true` when relayed from another instance. */
  readonly remote: boolean
}

/** Longest accepted tag (plugin-cache indexes tags; a key-sized bound keeps its indexes bounded). */
export const MAX_TAG_LENGTH = 512

const NO_TAGS: readonly string[] = Object.freeze([])

/** What a tag list must be, for messages. */
const TAG_RULE = `an array of non-empty strings of at most ${MAX_TAG_LENGTH} characters`

/** What is wrong with one tag, or `undefined`. */
export function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag === '') return 'must be a non-empty string'
  if (tag.length > MAX_TAG_LENGTH) return `must be at most ${MAX_TAG_LENGTH} characters`
  return undefined
}

/** Whether `value` is a list of valid tags. */
function isTagList(value: unknown): value is string[] {
  return Array.isArray(value) && !value.some(tagProblem)
}

/**
 * Resolves a tag field (`cacheTags`, `invalidates`) for one render. A function's answer is checked like a
 * declared list; what is wrong is thrown as `INTERNAL_ERROR` naming the intent and the field (a bug of the
 * intent's author, not of the caller).
 */
export function resolveTags(
  definition: IntentDefinition,
  field: 'cacheTags' | 'invalidates',
  params: Record<string, unknown>,
  data: Record<string, unknown> | undefined,
  ctx: IxpContext,
): readonly string[] {
  const declared = definition[field] as readonly string[] | TagFunction | undefined
  if (typeof declared !== 'function') return declared ?? NO_TAGS
  const tags: unknown = declared(params, data, ctx)
  if (isTagList(tags)) return tags
  throw coreError('INTERNAL_ERROR', {
    reason: `The ${field} function of intent '${definition.name}' must return ${TAG_RULE}`,
  })
}

function names(value: unknown, field: string): readonly string[] {
  if (value === undefined) return NO_TAGS
  if (!isTagList(value)) throw invalidRequest(`'${field}' must be ${TAG_RULE}`)
  return Object.freeze([...new Set(value)])
}

function invalidRequest(problem: string): IxpError {
  return coreError('INVALID_REQUEST', { reason: `invalidate(): ${problem}` })
}

/** Checks what `engine.invalidate()` was given; `undefined` when it names nothing. */
export function toInvalidation(request: InvalidationRequest): Invalidation | undefined {
  if (!isRecord(request)) throw invalidRequest('takes an object { tags?, intents?, remote? }')
  if (request.remote !== undefined && typeof request.remote !== 'boolean') {
    throw invalidRequest("'remote' must be a boolean")
  }
  const tags = names(request.tags, 'tags')
  const intents = names(request.intents, 'intents')
  if (tags.length === 0 && intents.length === 0) return undefined
  return Object.freeze({ tags, intents, remote: request.remote === true })
}

/** A definition with its kind filled in, so every listing (GET /intents) shows it. */
export function withIntentDefaults(definition: IntentDefinition): IntentDefinition {
  definition.kind ??= 'query'
  return definition
}

/** What {@link applyCommandInvalidation} reads of a finished render. */
interface FinishedRender {
  readonly intent: IntentDefinition
  readonly handled?: boolean
  readonly parameters: Record<string, unknown> | undefined
  readonly data?: Record<string, unknown> | undefined
  readonly context: IxpContext
}

/**
 * After a render succeeded: when it was a command whose handler ran (not an answer a plugin replayed), emits
 * the invalidation its `invalidates` names. Never throws: the command already happened, so its caller gets
 * its answer; a failing `invalidates` function is logged (its answers stay stale until they expire).
 */
export function applyCommandInvalidation(
  render: FinishedRender,
  invalidate: (request: InvalidationRequest) => void,
  logger: Logger,
): void {
  const { intent } = render
  if (!render.handled || intent.kind !== 'command' || intent.invalidates === undefined) return
  try {
    const tags = resolveTags(intent, 'invalidates', render.parameters ?? {}, render.data, render.context)
    if (tags.length > 0) invalidate({ tags })
  } catch (error) {
    logger.error(`intent '${intent.name}': its invalidations failed; its answers stay stale`, {
      error: error instanceof Error ? error.message : String(error),
    })
  }
}
