/**
 * CORS as the IXP reference server applies it: every answer varies on `Origin` and carries
 * `Access-Control-Allow-Credentials`; allowed origins are echoed; other origins are served without
 * `Access-Control-Allow-Origin` (CORS never refuses a request); `OPTIONS` on any path is a preflight.
 */
import type { HeaderList } from './headers.js'
import type { ResolvedCors } from './options.js'

/** The CORS headers every answer carries, whatever its origin (computed once per handler). */
export function constantCorsHeaders(cors: ResolvedCors): HeaderList {
  const headers: HeaderList = cors.wildcard ? ['access-control-allow-origin', '*'] : ['vary', 'Origin']
  if (cors.credentials) headers.push('access-control-allow-credentials', 'true')
  if (cors.exposedHeaders !== undefined) headers.push('access-control-expose-headers', cors.exposedHeaders)
  return headers
}

/** Adds what depends on the request's origin: an allowed origin is echoed. */
export function applyCors(headers: HeaderList, cors: ResolvedCors, origin: string | undefined): void {
  if (!cors.wildcard && origin !== undefined && cors.allow(origin)) {
    headers.push('access-control-allow-origin', origin)
  }
}

/** Adds what a preflight answer says on top of {@link applyCors}. */
export function applyPreflight(headers: HeaderList, cors: ResolvedCors): void {
  headers.push(
    'access-control-allow-methods',
    cors.methods,
    'access-control-allow-headers',
    cors.allowedHeaders,
  )
  if (cors.maxAge !== undefined) headers.push('access-control-max-age', cors.maxAge)
}
