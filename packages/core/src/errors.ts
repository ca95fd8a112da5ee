/**
 * The one error type of IXP Engine and its code table. Every failure the engine or a plugin reports to a
 * caller is an `IxpError` with a stable `code`, an HTTP-style `status` and a message that says what to fix.
 */
import type { Engine } from './engine.js'
import { defineErrors } from './error-table.js'
import { Stage } from './hooks/stages.js'
import type { ResolveNoMatch } from './types.js'

/**
 * Every error code the core declares, with its status and message template. The protocol's shared codes
 * (`INVALID_REQUEST`, `UNAUTHORIZED`, `FORBIDDEN`, `RATE_LIMITED`, …) live here once; plugins build them with
 * {@link coreError} and declare only their own codes in their own table.
 */
const CORE_ERRORS = {
  /** The request or its parameters are malformed; validation failures carry `details.validationErrors`. */
  INVALID_REQUEST: { status: 400, message: '{reason}' },
  /** No intent with that name is registered. */
  INTENT_NOT_SUPPORTED: { status: 404, message: "Intent '{intent}' not found{hint}" },
  /** The intent's (or a composition part's) component is not registered; `{where}` is `''` or names the part. */
  COMPONENT_NOT_FOUND: { status: 404, message: "Component '{component}' not found{where}" },
  /** The caller's origin is not in the component's `allowedOrigins`. */
  ORIGIN_NOT_ALLOWED: { status: 403, message: "Origin '{origin}' not allowed for component '{component}'" },
  /** No or invalid credentials. */
  UNAUTHORIZED: { status: 401, message: '{reason}' },
  /** Valid credentials, but not allowed. */
  FORBIDDEN: { status: 403, message: '{reason}' },
  /** Too many requests. */
  RATE_LIMITED: { status: 429, message: 'Too many requests: {reason}' },
  /** The render did not finish within its deadline. */
  RENDER_TIMEOUT: { status: 504, message: 'The render did not finish within {timeoutMs} ms' },
  /** The caller went away (its abort signal fired) before the render finished. */
  ABORTED: { status: 499, message: 'The request was aborted by the caller' },
  /**
   * An intent or component definition is invalid — at registration, or found while rendering (a composition
   * that contains itself). The server's own definitions: a developer's error, never the caller's, so 5xx like
   * every `…_INVALID_OPTIONS`.
   */
  INVALID_DEFINITION: { status: 500, message: '{reason}' },
  /** A definition with that name is already registered and `replace` was not set. */
  DUPLICATE_DEFINITION: {
    status: 409,
    message: "A {kind} named '{name}' is already registered; pass { replace: true } to replace it",
  },
  /** A plugin object is malformed (no name, no apply function). */
  PLUGIN_INVALID: { status: 500, message: '{reason}' },
  /** A plugin with the same name is already installed. */
  PLUGIN_DUPLICATE: { status: 500, message: "Plugin '{plugin}' is already registered" },
  /** A plugin names a dependency that is not installed before it (`{problem}`: not registered, or after it). */
  PLUGIN_DEPENDENCY_MISSING: {
    status: 500,
    message: "Plugin '{plugin}' depends on '{dependency}', which is {problem}",
  },
  /** A plugin's `apply` threw or rejected. */
  PLUGIN_APPLY_FAILED: { status: 500, message: "Plugin '{plugin}' failed to apply: {reason}" },
  /** A plugin's teardown threw or rejected during `close()` or `unuse()` (`{failures}`: `'name' (why)`, …). */
  PLUGIN_TEARDOWN_FAILED: { status: 500, message: 'Teardown failed for {failures}{note}' },
  /** `use()`: the plugin's `core` range does not include this `@ixp/core` version. */
  PLUGIN_VERSION_MISMATCH: {
    status: 500,
    message:
      "Plugin '{plugin}' supports @ixp/core {range}, but this is @ixp/core {core}: install a version of the plugin made for it",
  },
  /** `unuse()`: another installed or queued plugin depends on that plugin (`details.dependants`). */
  PLUGIN_IN_USE: {
    status: 500,
    message: "Plugin '{plugin}' cannot be removed: first remove what depends on it ({dependants})",
  },
  /** `unuse()`: no plugin of that name is installed or queued. */
  PLUGIN_NOT_FOUND: { status: 500, message: "No plugin named '{plugin}' is installed" },
  /** An option of `createEngine` (or of a plugin) is invalid; reported at creation, not at the first request. */
  INVALID_OPTIONS: { status: 500, message: '{reason}' },
  /** The engine was used after `close()`. */
  ENGINE_CLOSED: { status: 500, message: 'The engine is closed; create a new one' },
  /**
   * A server component returned something that is not a valid render tree (`details.path` says where), or `h()`
   * was given something it cannot build one from.
   */
  INVALID_RENDER_TREE: { status: 500, message: '{reason}' },
  /** Anything unexpected; the original error is kept as `cause`, never sent to callers. */
  INTERNAL_ERROR: { status: 500, message: '{reason}' },
} as const

/** Builds the core's errors — and, for plugins, the protocol's shared codes — from {@link CORE_ERRORS}. */
export const coreError = defineErrors(CORE_ERRORS)

/** Every error code the core declares, with its HTTP status. Plugins add their own codes in their own tables. */
export const ErrorCodes = coreError.statuses

export type CoreErrorCode = keyof typeof CORE_ERRORS

/** A single parameter problem, located by a path array (`[]` for the root) and a JSON pointer. */
export interface ValidationIssue {
  /**
   * Path of the offending value as an array, as zod and the IXP reference server give it: `['address', 'zip']`,
   * `['items', 0]`; `[]` for the parameters object (`path.join('.')` gives the dotted form).
   */
  path: (string | number)[]
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
  return coreError('INTERNAL_ERROR', { reason: message }, { cause: error })
}

/** Builds the `INVALID_REQUEST` error for parameter validation failures (the IXP reference's message form). */
export function validationError(issues: readonly ValidationIssue[]): IxpError {
  const summary = issues
    .slice(0, 10)
    .map((issue) => (issue.path.length > 0 ? `${issue.message} at '${issue.path.join('.')}'` : issue.message))
    .join(', ')
  const more = issues.length > 10 ? ` (and ${issues.length - 10} more)` : ''
  return coreError(
    'INVALID_REQUEST',
    { reason: `Parameter validation failed: ${summary}${more}` },
    {
      details: { validationErrors: issues.map((issue) => ({ ...issue, path: [...issue.path] })) },
    },
  )
}

/**
 * `INTENT_NOT_SUPPORTED` for a free-text query nothing resolved (HTTP `POST /render {query}`, real-time render
 * frames: one message for every transport), with `details.reason` and `details.alternatives`. The
 * message names the candidates of an ambiguous query; when no plugin resolves free text (only the core's
 * exact-name lookup is tapped), it says what to install instead of a bare "no match". The core's own template
 * names one intent (`Intent '{intent}' not found`) and a query has none, hence a message of its own.
 */
export function queryNotResolved(engine: Engine, outcome: ResolveNoMatch): IxpError {
  const { reason, alternatives } = outcome
  let message = 'No intent matches the query'
  if (reason === 'ambiguous' && alternatives.length > 0) {
    message = `The query is ambiguous: did you mean ${alternatives.map((a) => `'${a.intent}'`).join(' or ')}?`
  } else if (!engine.hooks.resolve.taps.some((tap) => (tap.stage ?? 0) !== Stage.EXACT_NAME)) {
    message +=
      ': this engine has no resolver for free text (only exact intent names); ' +
      'install @ixp/plugin-semantic (engine.use(semantic())) or send { intent: { name, parameters } }'
  }
  return new IxpError('INTENT_NOT_SUPPORTED', message, {
    status: coreError.statuses.INTENT_NOT_SUPPORTED,
    details: { reason, alternatives },
  })
}
