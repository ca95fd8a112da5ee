/** Adapters accept an engine (and build the handler) or a handler built elsewhere. */
import type { Engine } from '@ixp/core'
import { createHttpHandler, type HttpHandler } from './handler.js'
import { DISPATCH } from './internal.js'
import type { HttpHandlerOptions } from './options.js'

export function isHttpHandler(value: unknown): value is HttpHandler {
  return typeof value === 'object' && value !== null && typeof (value as HttpHandler)[DISPATCH] === 'function'
}

/** The handler itself, or a new one for the engine with `options`. */
export function toHandler(target: Engine | HttpHandler, options: HttpHandlerOptions = {}): HttpHandler {
  return isHttpHandler(target) ? target : createHttpHandler(target, options)
}
