/**
 * The answer an idempotency record keeps: a command's result (everything the transport writes: component
 * description, props, TTL, tree or record, tags) or the client error it failed with, as JSON. A repeat is
 * answered from it, so its body is the first answer's, byte for byte.
 */
import type { IxpError, RenderMeta, RenderResult } from '@ixp/core'
import { replayedError, type StoredError as StoredErrorFields } from '../errors.js'
import { serialise } from '../json.js'

/** The response header that marks a replayed answer (IETF `Idempotency-Key` draft, Stripe). */
export const REPLAYED_HEADER = 'idempotent-replayed'

interface StoredResult {
  result: Omit<RenderResult, 'meta' | 'intent'>
}

interface StoredError {
  error: StoredErrorFields
}

/** JSON of a command's result, or `undefined` when it is not plain JSON (then it cannot be kept). */
export function encodeResult(result: RenderResult): string | undefined {
  const kept: StoredResult['result'] = { component: result.component, props: result.props, ttl: result.ttl }
  if (result.tree !== undefined) kept.tree = result.tree
  if (result.record !== undefined) kept.record = result.record
  if (result.tags !== undefined) kept.tags = result.tags
  const json = serialise({ result: kept } satisfies StoredResult)
  return json.ok ? json.json : undefined
}

/** JSON of a client error a command failed with (its details only when they are plain JSON). */
export function encodeError(error: IxpError): string {
  const kept: StoredError['error'] = { code: error.code, message: error.message, status: error.status }
  if (error.details !== undefined && serialise(error.details).ok) kept.details = error.details
  return JSON.stringify({ error: kept } satisfies StoredError)
}

/**
 * The stored answer again: a result (with this render's meta, marked replayed) or the stored error thrown
 * again (marked replayed too). `undefined` when the record is unreadable (another version wrote it).
 */
export function replay(answer: string, intent: string, meta: RenderMeta): RenderResult | undefined {
  let parsed: Partial<StoredResult & StoredError>
  try {
    parsed = JSON.parse(answer) as Partial<StoredResult & StoredError>
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { error, result } = parsed
  if (error && typeof error.code === 'string' && typeof error.status === 'number') {
    throw replayedError(error, { [REPLAYED_HEADER]: 'true' })
  }
  if (!result || typeof result !== 'object') return undefined
  meta.headers = { ...meta.headers, [REPLAYED_HEADER]: 'true' }
  return { intent, ...result, meta }
}
