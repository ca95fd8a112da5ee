/**
 * Error tables: a package declares each of its codes once, with its status and a message template, and builds
 * its errors only through the table — a throw site names a code and fills the template, it never restates a
 * status (Fastify's `createError(code, message, status)` idea, typed: the template's `{name}` placeholders are
 * the parameters the call must give).
 */
import { IxpError } from './errors.js'

/** One code of a table. */
export interface ErrorSpec {
  /** HTTP-style status (for CLI codes: the process exit status). */
  readonly status: number
  /** Message template; each `{name}` is replaced by the parameter of that name. */
  readonly message: string
  /** Whether the message may be shown to a remote caller (default: `status < 500`). */
  readonly expose?: boolean
}

/** The `{name}` placeholders of a template, as a union of names. */
export type TemplateNames<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}`
  ? Name | TemplateNames<Rest>
  : never

/** A value a template can show. */
export type TemplateValue = string | number | bigint | boolean

/** The parameters a template needs: one value per placeholder. */
export type TemplateParams<Template extends string> = {
  readonly [Name in TemplateNames<Template>]: TemplateValue
}

/** What a throw site may add to the table's code, status and message. */
export interface ErrorExtras {
  /** Structured, JSON-safe details for the caller. */
  details?: Record<string, unknown>
  /** The underlying error, kept for logs; never serialised. */
  cause?: unknown
  /** Response hints for transports (`Retry-After`, `WWW-Authenticate`, …). */
  headers?: Record<string, string>
}

/** The arguments after the code: parameters (optional when the template has none), then extras. */
export type ErrorArgs<Template extends string> = [TemplateNames<Template>] extends [never]
  ? [params?: Record<string, never>, extras?: ErrorExtras]
  : [params: TemplateParams<Template>, extras?: ErrorExtras]

/** Builds errors of one table; also carries the table, for docs, tests and status lookups. */
export interface ErrorFactory<Table extends Record<string, ErrorSpec>> {
  <Code extends keyof Table & string>(code: Code, ...args: ErrorArgs<Table[Code]['message']>): IxpError
  /** The table as declared. */
  readonly table: Table
  /** Code → status, the shape of the core's `ErrorCodes`. */
  readonly statuses: { readonly [Code in keyof Table]: Table[Code]['status'] }
}

const PLACEHOLDER = /\{(\w+)\}/g

/** Fills a template: `{name}` becomes `String(params.name)`; an unknown name is left as written. */
export function formatMessage(
  template: string,
  params: Readonly<Record<string, unknown>> | undefined,
): string {
  if (params === undefined) return template
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  )
}

/**
 * Declares a package's error table and returns the one function its code builds errors with:
 *
 * ```ts
 * export const cacheError = defineErrors({
 *   CACHE_INVALID_OPTIONS: { status: 500, message: '@ixp/plugin-cache: {problem}' },
 * } as const)
 * throw cacheError('CACHE_INVALID_OPTIONS', { problem: '`ttl` must be a positive number of seconds' })
 * ```
 */
export function defineErrors<const Table extends Record<string, ErrorSpec>>(
  table: Table,
): ErrorFactory<Table> {
  const statuses: Record<string, number> = {}
  for (const code of Object.keys(table)) statuses[code] = table[code]!.status
  const create = (code: string, params?: Record<string, unknown>, extras: ErrorExtras = {}): IxpError => {
    const spec = table[code]
    if (spec === undefined) throw new TypeError(`defineErrors: '${code}' is not a code of this table`)
    return new IxpError(code, formatMessage(spec.message, params), {
      status: spec.status,
      expose: spec.expose ?? spec.status < 500,
      details: extras.details,
      cause: extras.cause,
      headers: extras.headers,
    })
  }
  return Object.assign(create, {
    table: Object.freeze({ ...table }),
    statuses: Object.freeze(statuses),
  }) as unknown as ErrorFactory<Table>
}
