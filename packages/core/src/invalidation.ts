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
import { isRecord, type DefinitionIssue } from './definitions.js'
import { coreError } from './errors.js'
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

function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag === '') return 'must be a non-empty string'
  if (tag.length > MAX_TAG_LENGTH) return `must be at most ${MAX_TAG_LENGTH} characters`
  return undefined
}

/** Problems with an intent's `kind`, `cacheTags`, `invalidates` and `retrySafe` fields (paths under `prefix`). */
export function intentKindIssues(
  definition: Record<string, unknown>,
  at: (key: string) => string,
): DefinitionIssue[] {
  const issues: DefinitionIssue[] = []
  const { kind, cacheTags, invalidates, retrySafe } = definition
  if (kind !== undefined && !INTENT_KINDS.includes(kind as IntentKind)) {
    issues.push({ path: at('kind'), message: "must be 'query' or 'command'" })
  }
  for (const [field, value] of [
    ['cacheTags', cacheTags],
    ['invalidates', invalidates],
  ] as const) {
    if (value === undefined || typeof value === 'function') continue
    if (!Array.isArray(value)) {
      issues.push({
        path: at(field),
        message: 'must be an array of tags or a function (params, data, ctx) => tags',
      })
      continue
    }
    value.forEach((tag: unknown, index) => {
      const problem = tagProblem(tag)
      if (problem) issues.push({ path: at(`${field}.${index}`), message: problem })
    })
  }
  if (invalidates !== undefined && kind !== 'command') {
    issues.push({ path: at('invalidates'), message: "is only applied by commands: add kind: 'command'" })
  }
  if (retrySafe !== undefined && typeof retrySafe !== 'boolean') {
    issues.push({ path: at('retrySafe'), message: 'must be a boolean' })
  }
  return issues
}

/** The intent's kind (`query` when it declares none). */
export function kindOf(definition: IntentDefinition): IntentKind {
  return definition.kind === 'command' ? 'command' : 'query'
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
  if (declared === undefined) return NO_TAGS
  if (typeof declared !== 'function') return declared
  const tags: unknown = declared(params, data, ctx)
  if (!Array.isArray(tags)) {
    throw coreError('INTERNAL_ERROR', {
      reason: `The ${field} function of intent '${definition.name}' must return an array of tags`,
    })
  }
  for (const tag of tags) {
    const problem = tagProblem(tag)
    if (problem) {
      throw coreError('INTERNAL_ERROR', {
        reason: `The ${field} function of intent '${definition.name}' returned a tag that ${problem}`,
      })
    }
  }
  return tags as string[]
}

function names(value: unknown, field: string): readonly string[] {
  if (value === undefined) return NO_TAGS
  if (!Array.isArray(value)) {
    throw coreError('INVALID_REQUEST', { reason: `invalidate(): '${field}' must be an array of strings` })
  }
  for (const item of value) {
    const problem = tagProblem(item)
    if (problem)
      throw coreError('INVALID_REQUEST', { reason: `invalidate(): every entry of '${field}' ${problem}` })
  }
  return Object.freeze([...new Set(value as string[])])
}

/** Checks what `engine.invalidate()` was given; `undefined` when it names nothing. */
export function toInvalidation(request: InvalidationRequest): Invalidation | undefined {
  if (!isRecord(request)) {
    throw coreError('INVALID_REQUEST', { reason: 'invalidate() takes an object { tags?, intents? }' })
  }
  if (request.remote !== undefined && typeof request.remote !== 'boolean') {
    throw coreError('INVALID_REQUEST', { reason: "invalidate(): 'remote' must be a boolean" })
  }
  const tags = names(request.tags, 'tags')
  const intents = names(request.intents, 'intents')
  if (tags.length === 0 && intents.length === 0) return undefined
  return Object.freeze({ tags, intents, remote: request.remote === true })
}

/** A definition with its kind filled in, so every listing (GET /intents) shows it. */
export function withIntentDefaults(definition: IntentDefinition): IntentDefinition {
  if (definition.kind !== undefined) return definition
  definition.kind = 'query'
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
  if (
    render.handled !== true ||
    render.intent.kind !== 'command' ||
    render.intent.invalidates === undefined
  ) {
    return
  }
  try {
    const tags = resolveTags(
      render.intent,
      'invalidates',
      render.parameters ?? {},
      render.data,
      render.context,
    )
    if (tags.length > 0) invalidate({ tags })
  } catch (error) {
    logger.error(
      `intent '${render.intent.name}': applying its invalidations failed; its answers stay stale`,
      {
        error: error instanceof Error ? error.message : String(error),
      },
    )
  }
}
