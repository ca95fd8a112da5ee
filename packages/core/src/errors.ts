/**
 * The one error type of IXP Engine and its code table. Every failure the engine or a plugin reports to a
 * caller is an `IxpError` with a stable `code`, an HTTP-style `status` and a message that says what to fix.
 */

/** Every error code the core produces, with its HTTP status. Plugins add `PLUGIN_…` and their own codes. */
export const ErrorCodes = {
  /** The request or its parameters are malformed; validation failures carry `details.validationErrors`. */
  INVALID_REQUEST: 400,
  /** No intent with that name is registered. */
  INTENT_NOT_SUPPORTED: 404,
  /** The intent's component is not registered. */
  COMPONENT_NOT_FOUND: 404,
  /** The caller's origin is not in the component's `allowedOrigins`. */
  ORIGIN_NOT_ALLOWED: 403,
  /** No or invalid credentials. */
  UNAUTHORIZED: 401,
  /** Valid credentials, but not allowed. */
  FORBIDDEN: 403,
  /** Too many requests. */
  RATE_LIMITED: 429,
  /** The render did not finish within its deadline. */
  RENDER_TIMEOUT: 504,
  /** The caller went away (its abort signal fired) before the render finished. */
  ABORTED: 499,
  /** An intent or component definition is invalid (raised at registration). */
  INVALID_DEFINITION: 400,
  /** A definition with that name is already registered and `replace` was not set. */
  DUPLICATE_DEFINITION: 409,
  /** A plugin object is malformed (no name, no apply function). */
  PLUGIN_INVALID: 500,
  /** A plugin with the same name is already installed. */
  PLUGIN_DUPLICATE: 500,
  /** A plugin names a dependency that is not installed before it. */
  PLUGIN_DEPENDENCY_MISSING: 500,
  /** A plugin's `apply` threw or rejected. */
  PLUGIN_APPLY_FAILED: 500,
  /** A plugin's teardown threw or rejected during `close()` or `unuse()`. */
  PLUGIN_TEARDOWN_FAILED: 500,
  /** `use()`: the plugin's `core` range does not include this `@ixp/core` version. */
  PLUGIN_VERSION_MISMATCH: 500,
  /** `unuse()`: another installed or queued plugin depends on that plugin (`details.dependants`). */
  PLUGIN_IN_USE: 500,
  /** `unuse()`: no plugin of that name is installed or queued. */
  PLUGIN_NOT_FOUND: 500,
  /** An option of `createEngine` (or of a plugin) is invalid; reported at creation, not at the first request. */
  INVALID_OPTIONS: 500,
  /** The engine was used after `close()`. */
  ENGINE_CLOSED: 500,
  /** A server component returned something that is not a valid render tree (`details.path` says where). */
  INVALID_RENDER_TREE: 500,
  /** Anything unexpected; the original error is kept as `cause`, never sent to callers. */
  INTERNAL_ERROR: 500,
} as const

export type CoreErrorCode = keyof typeof ErrorCodes

/** A single parameter problem, located by a dotted path (`''` for the root) and a JSON pointer. */
export interface ValidationIssue {
  /** Dotted path of the offending value, e.g. `address.zip` or `items.0`; `''` for the parameters object. */
  path: string
  /** The same location as a JSON pointer, e.g. `/address/zip`. */
  pointer: string
  /** The JSON Schema keyword that failed (`required`, `type`, `minLength`, `additionalProperties`, …). */
  keyword: string
  /** What is wrong, for a person. */
  message: string
  /** Keyword parameters (limits, allowed values, …). */
  params?: Record<string, unknown>
}

export interface IxpErrorOptions {
  /** HTTP-style status; defaults to the code's status in {@link ErrorCodes}, else 500. */
  status?: number
  /** Structured, JSON-safe details for the caller. */
  details?: Record<string, unknown>
  /** The underlying error, kept for logs; never serialised. */
  cause?: unknown
  /** Whether the message may be shown to a remote caller (default true for 4xx, false for 5xx). */
  expose?: boolean
  /** Response hints for transports (`Retry-After`, `WWW-Authenticate`, …); plugin-http sends them as headers. */
  headers?: Record<string, string>
}

/** The engine's error: a stable code, a status, a message that says what to fix, and optional details. */
export class IxpError extends Error {
  override readonly name = 'IxpError'
  readonly code: string
  readonly status: number
  readonly details: Record<string, unknown> | undefined
  readonly expose: boolean
  readonly headers: Record<string, string> | undefined

  constructor(code: string, message: string, options: IxpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status ?? (ErrorCodes as Record<string, number>)[code] ?? 500
    this.details = options.details
    this.expose = options.expose ?? this.status < 500
    this.headers = options.headers
  }

  /** The wire form used by IXP: `{ code, message, details? }` (no stack, no cause). */
  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

/**
 * `value instanceof IxpError`. `@ixp/core` is a peer dependency of every IXP package, so an application has one
 * copy of it and one `IxpError` class: an object that merely looks like an IxpError (same name, a code) is not one.
 */
export function isIxpError(value: unknown): value is IxpError {
  return value instanceof IxpError
}

/** Wraps anything thrown into an {@link IxpError}; IxpErrors pass through unchanged. */
export function toIxpError(error: unknown): IxpError {
  if (isIxpError(error)) return error
  const message = error instanceof Error ? error.message : 'An unexpected error occurred'
  return new IxpError('INTERNAL_ERROR', message, { cause: error, expose: false })
}

/** Builds the `INVALID_REQUEST` error for parameter validation failures (the IXP reference's message form). */
export function validationError(issues: readonly ValidationIssue[]): IxpError {
  const summary = issues
    .slice(0, 10)
    .map((issue) => (issue.path ? `${issue.message} at '${issue.path}'` : issue.message))
    .join(', ')
  const more = issues.length > 10 ? ` (and ${issues.length - 10} more)` : ''
  return new IxpError('INVALID_REQUEST', `Parameter validation failed: ${summary}${more}`, {
    details: { validationErrors: issues.map((issue) => ({ ...issue })) },
  })
}
