/**
 * What kind of failure an error code is, for reporting: a category (who has to act) and a severity (how loud to
 * be). One table for every package's codes; a code not in it is classified by its status.
 *
 * - `client`: the caller sent something wrong (4xx); nothing to fix on the server.
 * - `auth`: credentials missing, refused or not enough (401/403).
 * - `limit`: a quota said no (429).
 * - `dependency`: something the server relies on is slow or down (a store, a key set, a deadline: 502–504).
 * - `internal`: a bug or a misconfiguration; the caller got a generic message and an error id.
 */

export type ErrorCategory = 'client' | 'auth' | 'limit' | 'dependency' | 'internal'

/** `info`: expected in normal traffic; `warning`: degraded service; `error`: needs a look. */
export type ErrorSeverity = 'info' | 'warning' | 'error'

export interface ErrorClass {
  category: ErrorCategory
  severity: ErrorSeverity
}

const AUTH: ErrorClass = { category: 'auth', severity: 'info' }
const LIMIT: ErrorClass = { category: 'limit', severity: 'info' }
const CLIENT: ErrorClass = { category: 'client', severity: 'info' }
const DEPENDENCY: ErrorClass = { category: 'dependency', severity: 'warning' }
const INTERNAL: ErrorClass = { category: 'internal', severity: 'error' }

/** Codes whose class their status alone would not give. */
export const ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = Object.freeze({
  ORIGIN_NOT_ALLOWED: AUTH,
  MFA_REQUIRED: AUTH,
  ABORTED: CLIENT,
  RENDER_TIMEOUT: DEPENDENCY,
  AUTH_UNAVAILABLE: DEPENDENCY,
  RATE_LIMIT_UNAVAILABLE: DEPENDENCY,
  CACHE_STORE_UNAVAILABLE: DEPENDENCY,
  WORKFLOW_TIMEOUT: DEPENDENCY,
  WORKFLOW_STEP_TIMEOUT: DEPENDENCY,
})

/** The class of an error: by its code when the table has it, else by its status. */
export function classifyError(code: string, status: number): ErrorClass {
  const known = ERROR_CLASSES[code]
  if (known !== undefined) return known
  if (status === 401 || status === 403) return AUTH
  if (status === 429) return LIMIT
  if (status === 502 || status === 503 || status === 504) return DEPENDENCY
  if (status >= 400 && status < 500) return CLIENT
  return INTERNAL
}
