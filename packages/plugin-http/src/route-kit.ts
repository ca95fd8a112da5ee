/** What every route shares: the request scope, the answer shape, and the checks of request fields. */
import { coreError, type IxpContext } from '@ixp/core'
import type { TransportRequest } from './exchange.js'

export interface RouteScope {
  readonly request: TransportRequest
  readonly ctx: IxpContext
}

export interface RouteAnswer {
  status: number
  body: string
  /** @default 'application/json; charset=utf-8' */
  contentType?: string
  headers?: Record<string, string>
  /** A plugin route's own answer: its status, headers and body are sent (`body` is then unused). */
  web?: Response
}

/** Answers at once, or later; throws (or rejects with) an `IxpError` for an error answer. */
export type RouteHandler = (scope: RouteScope) => RouteAnswer | Promise<RouteAnswer>

/** Longest free text accepted for resolution. */
const MAX_QUERY_LENGTH = 10_000

export const ok = (body: string): RouteAnswer => ({ status: 200, body })

/** A non-empty, bounded free-text field (`query`, `text`). */
export function queryText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw coreError('INVALID_REQUEST', { reason: `'${field}' must be a non-empty string` })
  }
  if (value.length > MAX_QUERY_LENGTH) {
    throw coreError('INVALID_REQUEST', {
      reason: `'${field}' must be at most ${MAX_QUERY_LENGTH} characters`,
    })
  }
  return value
}
