/**
 * What an operation answers: the same JSON bodies as plugin-http's `POST /render` and `POST /resolve`, and the
 * same error object (`{ code, message, timestamp, details? }`), so a client reads a socket answer and an HTTP
 * answer alike. Unexpected errors never reach the caller: they get a generic message and an `errorId` that is
 * also in the server log.
 */
import {
  isIxpError,
  isObject,
  type Engine,
  type IxpContext,
  type Logger,
  type RenderRequest,
  type RenderResult,
} from '@ixp/core'
import { queryNotResolved } from '@ixp/core/plugin-kit'
import type { RenderBody, ResolveBody } from './protocol.js'
import { realtimeError } from './errors.js'

/** The body of a render answer (as `POST /render` answers it). */
export interface RenderAnswer {
  tree?: unknown
  record?: unknown
  component: Record<string, unknown>
  ttl: number
  /** Present when the render came from free text. */
  resolution?: Record<string, unknown>
}

/** The error object of an answer (as the `error` field of an HTTP error body). */
export interface ErrorObject {
  code: string
  message: string
  timestamp: string
  details?: Record<string, unknown>
}

/** A render and what a live subscription needs to know about it. */
export interface Rendered {
  answer: RenderAnswer
  /** The intent that rendered (after free-text resolution). */
  intent: string
  /** The render's invalidation tags (the result's `tags`, when the engine reports them). */
  tags: readonly string[]
}

function answerOf(result: RenderResult, resolution?: Record<string, unknown>): RenderAnswer {
  const answer: RenderAnswer =
    result.record !== undefined
      ? { record: result.record, component: result.component, ttl: result.ttl }
      : { tree: result.tree ?? null, component: result.component, ttl: result.ttl }
  if (resolution !== undefined) answer.resolution = resolution
  return answer
}

function tagsOf(result: RenderResult): readonly string[] {
  const tags = (result as { tags?: unknown }).tags
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : []
}

/** Renders a `POST /render` body: an intent by name, or free text resolved through `engine.resolve` first. */
export async function renderBody(engine: Engine, body: RenderBody, ctx: IxpContext): Promise<Rendered> {
  if (body.intent === undefined && body.query !== undefined) {
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      throw realtimeError('INVALID_MESSAGE', { problem: "'payload.query' must be a non-empty string" })
    }
    if (body.parameters !== undefined && !isObject(body.parameters)) {
      throw realtimeError('INVALID_MESSAGE', { problem: "'payload.parameters' must be an object" })
    }
    const outcome = await engine.resolve({ text: body.query }, ctx)
    if (!outcome.matched) throw queryNotResolved(engine, outcome)
    const request: RenderRequest = {
      intent: { name: outcome.intent, parameters: { ...outcome.parameters, ...(body.parameters as object) } },
    }
    if (body.options !== undefined) request.options = body.options as Record<string, unknown>
    const resolution: Record<string, unknown> = {
      intent: outcome.intent,
      confidence: outcome.confidence,
      alternatives: outcome.alternatives,
    }
    if (outcome.source !== undefined) resolution.source = outcome.source
    const result = await engine.render(request, ctx)
    return { answer: answerOf(result, resolution), intent: result.intent, tags: tagsOf(result) }
  }
  const result = await engine.render(body as unknown as RenderRequest, ctx)
  return { answer: answerOf(result), intent: result.intent, tags: tagsOf(result) }
}

/** Resolves a `POST /resolve` body. */
export function resolveBody(engine: Engine, body: ResolveBody, ctx: IxpContext): Promise<unknown> {
  const query: { text: string; previousIntent?: string; limit?: number } = { text: body.query }
  if (body.previousIntent !== undefined) query.previousIntent = body.previousIntent
  if (body.limit !== undefined) query.limit = body.limit
  return engine.resolve(query, ctx)
}

/** Safe messages for 5xx codes whose own message is not exposed. */
const GENERIC_MESSAGES: Record<string, string> = {
  RENDER_TIMEOUT: 'The render did not finish within its deadline',
  ABORTED: 'The request was aborted by the caller',
}

/** Turns anything thrown into the error object; unexposed errors are logged with the `errorId` they get. */
export function errorObject(error: unknown, logger: Logger, where: Record<string, unknown>): ErrorObject {
  const ixp = isIxpError(error) ? error : undefined
  const code = ixp?.code ?? 'INTERNAL_ERROR'
  const timestamp = new Date().toISOString()
  if (ixp && ixp.expose) {
    const object: ErrorObject = { code, message: ixp.message, timestamp }
    if (ixp.details !== undefined) object.details = ixp.details
    return object
  }
  const errorId = crypto.randomUUID()
  const original = ixp?.cause ?? error
  try {
    logger.error('realtime operation failed', {
      ...where,
      errorId,
      code,
      message: original instanceof Error ? original.message : String(original),
      stack: original instanceof Error ? original.stack : undefined,
    })
  } catch {
    // A logger that throws must not turn an error answer into no answer.
  }
  const message =
    GENERIC_MESSAGES[code] ?? 'An unexpected error occurred; quote the errorId when reporting it'
  return { code, message, timestamp, details: { errorId } }
}

/** The HTTP-style status of anything thrown (401 / 403 decide a connection's close code). */
export function statusOf(error: unknown): number {
  return isIxpError(error) ? error.status : 500
}
