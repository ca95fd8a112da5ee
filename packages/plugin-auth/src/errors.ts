/**
 * The plugin's error table and the `WWW-Authenticate` challenges of its 401 answers (RFC 6750 for Bearer
 * tokens, RFC 9470 for step-up to a second factor). `UNAUTHORIZED` and `FORBIDDEN` are the protocol's shared
 * codes: built with the core's `coreError`, never re-declared here.
 */
import { coreError, defineErrors, type IxpError } from '@ixp/core'

/** The codes of this plugin, with status and message template. */
const AUTH_ERRORS = {
  /** The intent needs a recent second factor the credentials do not show (RFC 9470 step-up). */
  MFA_REQUIRED: {
    status: 401,
    message: 'This intent requires a second factor passed within the last {maxAgeSeconds} seconds',
  },
  /** The remote key set could not be fetched, so no token can be checked right now; the caller may retry. */
  AUTH_UNAVAILABLE: {
    status: 503,
    message: 'The token signing keys could not be fetched; try again shortly',
    expose: true,
  },
  /** The plugin's options (or a second-factor helper's arguments) are unusable; raised at start-up. */
  AUTH_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-auth: {problem}' },
} as const

/** Builds this plugin's errors from its table. */
export const authError = defineErrors(AUTH_ERRORS)

/** A code of this plugin's own table. */
export type AuthErrorCode = keyof typeof AUTH_ERRORS

/** Every error code the plugin raises, with its HTTP status: the shared codes it builds, then its own. */
export const AuthErrorCodes = Object.freeze({
  UNAUTHORIZED: coreError.statuses.UNAUTHORIZED,
  FORBIDDEN: coreError.statuses.FORBIDDEN,
  ...authError.statuses,
})

/** RFC 6750 error codes. */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

/** Characters RFC 6750 allows in `error_description` (printable ASCII without `"` and `\`). */
function descriptionText(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ')
}

/** Builds the challenges of one plugin instance: `Bearer` for tokens, `ApiKey` for key headers. */
export class Challenges {
  readonly #realm: string
  readonly #bearer: boolean
  readonly #apiKeyHeader: string | undefined

  constructor(options: { realm: string; bearer: boolean; apiKeyHeader: string | undefined }) {
    this.#realm = options.realm
    this.#bearer = options.bearer
    this.#apiKeyHeader = options.apiKeyHeader
  }

  /** The challenges; the error parameters go to the one of the credential that failed. */
  #header(params: string[], failed: 'bearer' | 'api-key' = 'bearer'): string {
    const challenges: string[] = []
    const apiKeyOnly = this.#apiKeyHeader !== undefined && !this.#bearer
    if (!apiKeyOnly) {
      const own = failed === 'bearer' || this.#apiKeyHeader === undefined ? params : []
      challenges.push(`Bearer ${[`realm="${this.#realm}"`, ...own].join(', ')}`)
    }
    if (this.#apiKeyHeader !== undefined) {
      const own = failed === 'api-key' || apiKeyOnly ? params : []
      challenges.push(
        `ApiKey ${[`realm="${this.#realm}"`, `header="${this.#apiKeyHeader}"`, ...own].join(', ')}`,
      )
    }
    return challenges.join(', ')
  }

  /** How to send each configured kind of credential, for the hint of a 401. */
  #accepted(): string[] {
    const ways: string[] = []
    if (this.#bearer || this.#apiKeyHeader === undefined) ways.push('Authorization: Bearer <token>')
    if (this.#apiKeyHeader !== undefined) ways.push(`${this.#apiKeyHeader}: <api key>`)
    return ways
  }

  /** No credentials: the challenge carries no error (RFC 6750 §3.1). */
  missing(): IxpError {
    return coreError(
      'UNAUTHORIZED',
      { reason: `Authentication required: send credentials (${this.#accepted().join(' or ')})` },
      {
        headers: { 'WWW-Authenticate': this.#header([]) },
        details: { reason: 'missing_credentials' },
      },
    )
  }

  /** Credentials that were presented and refused. */
  invalid(
    error: Exclude<BearerError, 'insufficient_scope'>,
    description: string,
    failed: 'bearer' | 'api-key' = 'bearer',
  ): IxpError {
    const text = descriptionText(description)
    return coreError(
      'UNAUTHORIZED',
      { reason: text },
      {
        headers: {
          'WWW-Authenticate': this.#header([`error="${error}"`, `error_description="${text}"`], failed),
        },
        details: { reason: error },
      },
    )
  }

  /** Valid credentials that do not allow the intent. */
  forbidden(message: string, bearer: boolean): IxpError {
    const text = descriptionText(message)
    return coreError(
      'FORBIDDEN',
      { reason: text },
      {
        headers: bearer
          ? {
              'WWW-Authenticate': `Bearer realm="${this.#realm}", error="insufficient_scope", error_description="${text}"`,
            }
          : undefined,
        details: { reason: 'insufficient_scope' },
      },
    )
  }

  /** A recent second factor is needed: the client should step up and retry (RFC 9470). */
  mfaRequired(maxAgeSeconds: number): IxpError {
    const maxAge = Math.floor(maxAgeSeconds)
    // The challenge's description is the error's own message, so the text lives only in the table.
    const description = authError('MFA_REQUIRED', { maxAgeSeconds: maxAge }).message
    return authError(
      'MFA_REQUIRED',
      { maxAgeSeconds: maxAge },
      {
        headers: {
          'WWW-Authenticate': `Bearer realm="${this.#realm}", error="insufficient_user_authentication", error_description="${description}", max_age=${maxAge}`,
        },
        details: { reason: 'insufficient_user_authentication', maxAgeSeconds: maxAge },
      },
    )
  }
}

/** The key set cannot be fetched: a 503 with `Retry-After`, so clients retry rather than drop their token. */
export function unavailable(cause: unknown): IxpError {
  return authError('AUTH_UNAVAILABLE', {}, { cause, headers: { 'Retry-After': '5' } })
}
