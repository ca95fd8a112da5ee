/**
 * What a request's scope is made of: its path under the base path, its request id, and the IXP context the
 * routes (built-in and plugin ones) and upgrade taps receive.
 */
import type { IxpContext, Logger } from '@ixp/core'
import { safeLog } from './error-body.js'
import type { TransportRequest } from './exchange.js'
import type { ResolvedOptions } from './options.js'
import { SANE_REQUEST_ID, sequentialRequestIds } from './request-id.js'

/** Lower-cases, drops one trailing slash (as Express does) and removes the base path; undefined when outside it. */
export function routePath(request: TransportRequest, basePath: string): string | undefined {
  let path = request.path.toLowerCase()
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  if (request.relative || basePath === '') return path === '' ? '/' : path
  if (!path.startsWith(basePath)) return undefined
  if (path.length === basePath.length) return '/'
  return path.charCodeAt(basePath.length) === 0x2f ? path.slice(basePath.length) : undefined
}

const NO_STORE = /(?:^|[\s,])no-store(?:$|[\s,=])/i
const NO_CACHE = /(?:^|[\s,])no-cache(?:$|[\s,=])/i

/**
 * The cache directive a request asks for: `no-store` → `'bypass'` (neither read nor write a cache),
 * `no-cache` → `'refresh'` (do not answer from a cache, render and store anew).
 */
function cacheDirective(cacheControl: string | undefined): IxpContext['cache'] {
  if (cacheControl === undefined) return undefined
  if (NO_STORE.test(cacheControl)) return 'bypass'
  return NO_CACHE.test(cacheControl) ? 'refresh' : undefined
}

export interface RequestScope {
  /** A new request id (the option's generator, when it gives a sane one). */
  newRequestId(): string
  /** The IXP context of a request. */
  contextFor(request: TransportRequest, requestId: string | undefined, path: string): IxpContext
}

export function requestScope(settings: ResolvedOptions, logger: Logger): RequestScope {
  const { generateRequestId } = settings
  const defaultRequestId = sequentialRequestIds()

  function newRequestId(): string {
    if (generateRequestId === undefined) return defaultRequestId()
    try {
      const id = generateRequestId()
      if (typeof id === 'string' && SANE_REQUEST_ID.test(id)) return id
    } catch (error) {
      safeLog(logger, 'requestId.generate threw; using a generated id', {
        error: (error as Error)?.message,
      })
    }
    return defaultRequestId()
  }

  function contextFor(request: TransportRequest, requestId: string | undefined, path: string): IxpContext {
    const headers = request.headers()
    const ctx: IxpContext = { headers }
    if (requestId !== undefined) ctx.requestId = requestId
    const origin = headers.origin
    if (origin !== undefined) ctx.origin = origin
    if (request.signal !== undefined) ctx.signal = request.signal
    const cache = cacheDirective(headers['cache-control'])
    if (cache !== undefined) ctx.cache = cache
    if (request.ip !== undefined) ctx.ip = request.ip
    if (request.query !== '') ctx.query = request.query
    if (settings.context) Object.assign(ctx, settings.context({ headers, path }))
    return ctx
  }

  return { newRequestId, contextFor }
}
