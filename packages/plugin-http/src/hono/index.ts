/**
 * @ixp/plugin-http/hono — the IXP routes as Hono middleware: `app.use(ixpHono(engine))` (or
 * `app.use('/ixp/*', …)`). Requests outside the handler's base path go on to the next handler, so the IXP
 * routes sit beside the application's own. Runs on every runtime Hono runs on.
 */
import type { Engine } from '@ixp/core'
import type { Context, MiddlewareHandler } from 'hono'
import { payloadTooLarge } from '../body.js'
import type { BodySource } from '../exchange.js'
import type { HttpHandler } from '../handler.js'
import { DISPATCH } from '../internal.js'
import type { HttpHandlerOptions } from '../options.js'
import { toHandler } from '../target.js'
import { splitTarget } from '../url.js'
import { fromRequest, toResponse } from '../web.js'

/** Options of {@link ixpHono}: the handler's (when given an engine), plus where the client address comes from. */
export interface HonoOptions extends HttpHandlerOptions {
  /** The client address (`ctx.ip`), e.g. from `getConnInfo(c)` of the runtime's adapter. @default undefined */
  ip?: (c: Context) => string | undefined
}

export function ixpHono(target: Engine | HttpHandler, options: HonoOptions = {}): MiddlewareHandler {
  const handler = toHandler(target, options)
  const dispatch = handler[DISPATCH]
  const ipOf = options.ip
  return async (c, next) => {
    const raw = c.req.raw
    if (!handler.handles(splitTarget(raw.url).path)) {
      await next()
      return
    }
    // An earlier handler that read the body through Hono (`c.req.json()`) left it in Hono's cache: read it there.
    const body: BodySource | undefined = raw.bodyUsed
      ? {
          present: true,
          length: undefined,
          text: (limit) =>
            c.req.text().then((text) => {
              if (new TextEncoder().encode(text).byteLength > limit) throw payloadTooLarge(limit)
              return text
            }),
        }
      : undefined
    return toResponse(await dispatch(fromRequest(raw, { ip: ipOf?.(c), ...(body ? { body } : {}) })))
  }
}
