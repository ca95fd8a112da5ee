/**
 * The error codes this package adds to the core's, each declared once with its status and message template.
 * Errors of the protocol's shared codes (`INVALID_REQUEST`, `INTERNAL_ERROR`, `ABORTED`, …) are built with the
 * core's `coreError`; this table holds only the transport's own codes.
 */
import { defineErrors } from '@ixp/core'

const HTTP_ERRORS = {
  /** No route at that path under the base path (or nothing there accepts a connection upgrade). */
  NOT_FOUND: { status: 404, message: 'The requested resource was not found{hint}' },
  /** The route exists but not for that method; the `Allow` header and `details.allow` list the methods it has. */
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method {method} is not allowed here; use {allow}' },
  /** The request's head or body did not arrive within its timeout (`headersTimeout`, `bodyTimeoutMs`). */
  REQUEST_TIMEOUT: { status: 408, message: '{what} did not arrive within {limit}; send it at once' },
  /** The request line and headers are larger than the node server's `maxHeaderSize`. */
  HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request line and headers are larger than the server accepts (maxHeaderSize)',
  },
  /** The request body is larger than `bodyLimit` (or a framework's body parser); reading stopped at the limit. */
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than {limit}' },
  /** A body that is not JSON (form, text, no Content-Type) or a charset other than UTF-8. */
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: '{given} is not supported; send UTF-8 JSON with Content-Type: application/json',
  },
  /** An option of `createHttpHandler` / `createNodeServer` is invalid (thrown at start-up, never sent). */
  HTTP_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-http: {problem}' },
  /** Two plugins (or a plugin and a built-in route) serve the same method and path, and none said `replace: true`. */
  HTTP_ROUTE_CONFLICT: {
    status: 500,
    message:
      "@ixp/plugin-http: '{plugin}' adds {route}, which '{owner}' already serves; pass replace: true to serve it instead",
  },
  /** A plugin's route is malformed (method, path, handler or openapi) or its `routes` tap returned no list. */
  HTTP_INVALID_ROUTE: { status: 500, message: '@ixp/plugin-http: {problem}' },
} as const

/** Builds this package's errors: `httpError('NOT_FOUND', { hint: '' })`. */
export const httpError = defineErrors(HTTP_ERRORS)

/** Error codes of `@ixp/plugin-http` with their statuses (the core's codes pass through unchanged). */
export const HttpErrorCodes = httpError.statuses

export type HttpErrorCode = keyof typeof HTTP_ERRORS
