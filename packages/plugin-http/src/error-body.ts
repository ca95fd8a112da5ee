/**
 * The one place an error becomes the IXP error body `{"error":{"code","message","timestamp","details"?}}`.
 * Unexpected errors never reach the caller: they get a generic message and an error id that is also in the
 * server log.
 */
import { isIxpError, type Logger } from '@ixp/core'

/** Safe messages for 5xx codes whose own message is not exposed. */
const GENERIC_MESSAGES: Record<string, string> = {
  RENDER_TIMEOUT: 'The render did not finish within its deadline',
  ABORTED: 'The request was aborted by the caller',
}

function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return 'a value that cannot be shown'
  }
}

/** Writes to the engine's logger; a logger that throws must not turn an error answer into no answer. */
export function safeLog(
  logger: Logger,
  message: string,
  fields: Record<string, unknown>,
  level: 'error' | 'info' = 'error',
): void {
  try {
    logger[level](message, fields)
  } catch {
    // Nothing better to do with a broken logger than to keep answering.
  }
}

export interface ErrorPayload {
  status: number
  code: string
  /** The message sent. */
  message: string
  /** The id in `details.errorId` (unexpected errors only). */
  errorId: string | undefined
  body: string
  headers: Record<string, string> | undefined
}

function errorId(): string {
  return crypto.randomUUID()
}

function clampStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500
}

/**
 * Turns anything thrown into the wire error. Exposed IxpErrors keep their message and details; anything else
 * keeps its code and status (when it is an IxpError) but gets a generic message and an `errorId`, and the real
 * error is logged with that id. `debug` adds the original message and stack for local development.
 */
export function toErrorPayload(
  error: unknown,
  logger: Logger,
  debug: boolean,
  where: { method: string; path: string; requestId: string | undefined },
): ErrorPayload {
  const ixp = isIxpError(error) ? error : undefined
  const status = clampStatus(ixp?.status ?? 500)
  const code = ixp?.code ?? 'INTERNAL_ERROR'
  let message: string
  let details: Record<string, unknown> | undefined
  if (ixp && ixp.expose) {
    message = ixp.message
    details = ixp.details
  } else {
    const id = errorId()
    message = GENERIC_MESSAGES[code] ?? 'An unexpected error occurred; quote the errorId when reporting it'
    details = { errorId: id }
    const original = ixp?.cause ?? error
    const text = original instanceof Error ? original.message : safeString(original)
    safeLog(logger, 'request failed', {
      errorId: id,
      code,
      status,
      method: where.method,
      path: where.path,
      requestId: where.requestId,
      message: text,
      stack: original instanceof Error ? original.stack : undefined,
    })
    if (debug) {
      details.message = text
      details.stack = original instanceof Error ? original.stack : undefined
    }
  }
  const payload: { code: string; message: string; timestamp: string; details?: Record<string, unknown> } = {
    code,
    message,
    timestamp: new Date().toISOString(),
  }
  if (details !== undefined) payload.details = details
  let body: string
  try {
    body = JSON.stringify({ error: payload })
  } catch {
    // Details a plugin filled with something unserialisable (a BigInt, a cycle) must not hide the error itself.
    body = JSON.stringify({ error: { code, message, timestamp: payload.timestamp } })
  }
  return {
    status,
    code,
    message,
    errorId: details?.errorId as string | undefined,
    body,
    headers: ixp?.headers,
  }
}
