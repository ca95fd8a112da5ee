/**
 * Error codes of @ixp/plugin-semantic, each declared once with its status and message template. Every failure
 * reported to a caller is an `IxpError` with one of these codes and a message saying what to fix; definition
 * problems use the core's `INVALID_DEFINITION` (built with `coreError`).
 */
import { defineErrors } from '@ixp/core'

const SEMANTIC_ERRORS = {
  /** An option has the wrong type or an impossible value (raised by `semantic()` and the classifier). */
  SEMANTIC_INVALID_OPTIONS: { status: 500, message: '{problem}' },
  /** Training or evaluation examples are malformed (no text, no intent, nothing to learn from). */
  SEMANTIC_INVALID_EXAMPLES: { status: 400, message: '{problem}' },
  /** A serialised model cannot be read: wrong format, unsupported version or corrupt arrays. */
  SEMANTIC_INVALID_MODEL: { status: 400, message: 'Cannot load the semantic model: {reason}' },
  /** An embedding provider failed or returned vectors of the wrong shape. */
  SEMANTIC_EMBEDDING_FAILED: { status: 502, message: "Embedding provider '{provider}' {problem}" },
  /** The optional transformers.js package is not installed (or the model path cannot be loaded). */
  SEMANTIC_EMBEDDINGS_UNAVAILABLE: { status: 500, message: '{reason}' },
} as const

/** Builds this package's errors: `semanticError('SEMANTIC_INVALID_OPTIONS', { problem: '…' })`. */
export const semanticError = defineErrors(SEMANTIC_ERRORS)

/** Error codes of @ixp/plugin-semantic, with their status. */
export const SemanticErrorCodes = semanticError.statuses

export type SemanticErrorCode = keyof typeof SEMANTIC_ERRORS
