/**
 * @ixp/plugin-http/hono — the IXP routes as Hono middleware: `app.use(ixpHono(engine))` (or
 * `app.use('/ixp/*', …)`). Requests outside the handler's base path go on to the next handler, so the IXP
 * routes sit beside the application's own. Requests under it are answered by the handler's `fetch`, exactly as
 * on any web runtime (`around`, plugin routes, upgrades and every header included). Runs wherever Hono runs.
 */
import type { Engine } from '@ixp/core'
import type { Context, MiddlewareHandler } from 'hono'
import type { HttpHandler } from '../handler.js'
import { clientAddresses } from '../internal.js'
import type { HttpHandlerOptions } from '../options.js'
import { toHandler } from '../target.js'
import { splitTarget } from '../url.js'

/** Options of {@link ixpHono}: the handler's (when given an engine), plus where the client address comes from. */
export interface HonoOptions extends HttpHandlerOptions {
  /** The client address (`ctx.ip`), e.g. from `getConnInfo(c)` of the runtime's adapter. @default undefined */
  ip?: (c: Context) => string | undefined
}

export function ixpHono(target: Engine | HttpHandler, options: HonoOptions = {}): MiddlewareHandler {
  const handler = toHandler(target, options)
  const ipOf = options.ip
  return async (c, next) => {
    let request = c.req.raw
    if (!handler.handles(splitTarget(request.url).path)) return next()
    // An earlier handler that read the body through Hono (`c.req.json()`) left it in Hono's cache: send that.
    if (request.bodyUsed) {
      const { url, method, headers, signal } = request
      request = new Request(url, { method, headers, signal, body: await c.req.arrayBuffer() })
    }
    const ip = ipOf?.(c)
    if (ip !== undefined) clientAddresses.set(request, ip)
    return handler.fetch(request)
  }
}
