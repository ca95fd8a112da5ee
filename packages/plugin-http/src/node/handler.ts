/** `toNodeHandler`: a node:http request listener (also usable as connect-style middleware) over the handler. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpHandler } from '../handler.js'
import { DISPATCH, WRAPPED } from '../internal.js'
import { NodeTransportRequest } from './request.js'
import { writeNodeResponse } from './response.js'
import { answerViaFetch } from './via-fetch.js'

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /** Take the client address (`ctx.ip`) from the first `X-Forwarded-For` entry. @default false */
  trustProxy?: boolean
}

/** A node:http listener; with `next`, requests outside the base path are passed on instead of answered 404. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void

/** @internal What the node server learns from the listener (for its graceful close). */
export interface ListenerLifecycle {
  /** Answers get `Connection: close` while this is true. */
  closing(): boolean
  /** Called once per dispatched request, after its answer was written (or the write failed). */
  done(): void
}

const NO_LIFECYCLE: ListenerLifecycle = { closing: () => false, done: () => undefined }

/** @internal Shared by the node server. */
export function createNodeListener(
  handler: HttpHandler,
  options: NodeHandlerOptions,
  lifecycle: ListenerLifecycle = NO_LIFECYCLE,
): NodeListener {
  const dispatch = handler[DISPATCH]
  const trustProxy = options.trustProxy === true
  const wrapped = handler[WRAPPED]
  return (req, res, next) => {
    const url = req.url ?? '/'
    if (next !== undefined && !handler.handles(url.split('?', 1)[0]!)) {
      next()
      return
    }
    const request = new NodeTransportRequest(req, url, { relative: false, trustProxy })
    if (wrapped) {
      answerViaFetch(handler, request, req, res, lifecycle.closing()).then(
        () => lifecycle.done(),
        () => {
          if (!res.destroyed) res.destroy()
          lifecycle.done()
        },
      )
      return
    }
    dispatch(request).then(
      (response) => {
        try {
          writeNodeResponse(res, response, lifecycle.closing())
        } catch {
          // A socket that broke mid-write; nothing can be answered on it any more.
          if (!res.destroyed) res.destroy()
        }
        lifecycle.done()
      },
      () => {
        // The dispatcher answers every error itself and never rejects; this is a last guard.
        if (!res.destroyed) res.destroy()
        lifecycle.done()
      },
    )
  }
}

/** Turns the handler into a node:http request listener: `http.createServer(toNodeHandler(handler))`. */
export function toNodeHandler(handler: HttpHandler, options: NodeHandlerOptions = {}): NodeListener {
  return createNodeListener(handler, options)
}
