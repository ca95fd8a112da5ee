/**
 * Error codes of @ixp/plugin-semantic. Every failure reported to a caller is an `IxpError` with one of
 * these codes and a message saying what to fix.
 */
import { IxpError } from '@ixp/core'

export const SemanticErrorCodes = {
  /** An option has the wrong type or an impossible value (raised by `semantic()` and the classifier). */
  SEMANTIC_INVALID_OPTIONS: 500,
  /** Training or evaluation examples are malformed (no text, no intent, nothing to learn from). */
  SEMANTIC_INVALID_EXAMPLES: 400,
  /** A serialised model cannot be read: wrong format, unsupported version or corrupt arrays. */
  SEMANTIC_INVALID_MODEL: 400,
  /** An embedding provider failed or returned vectors of the wrong shape. */
  SEMANTIC_EMBEDDING_FAILED: 502,
  /** The optional transformers.js package is not installed (or the model path cannot be loaded). */
  SEMANTIC_EMBEDDINGS_UNAVAILABLE: 500,
} as const

export type SemanticErrorCode = keyof typeof SemanticErrorCodes

export function semanticError(
  code: SemanticErrorCode,
  message: string,
  options: { details?: Record<string, unknown>; cause?: unknown } = {},
): IxpError {
  return new IxpError(code, message, { status: SemanticErrorCodes[code], ...options })
}
