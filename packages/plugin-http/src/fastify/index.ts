/**
 * @ixp/plugin-http/fastify — the IXP routes as a Fastify plugin:
 * `app.register(ixpFastify, { engine, prefix: '/ixp' })`.
 *
 * The plugin is encapsulated on purpose (not wrapped to escape its context): inside it, Fastify's content-type
 * parsers are replaced by one that leaves every body unread, so the IXP checks (JSON only, size limit while
 * reading, depth, forbidden keys) apply and answer in the IXP error format — while the rest of the application
 * keeps its own parsers. Hooks registered outside (`onRequest`, `preParsing`, …) still run, and a stream a
 * `preParsing` hook substitutes (decompression) is the one read.
 */
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { Engine } from '@ixp/core'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { HttpHandler } from '../handler.js'
import { toRecord } from '../headers.js'
import { DISPATCH, SERVE, WRAPPED } from '../internal.js'
import { NodeTransportRequest } from '../node/request.js'
import type { HttpHandlerOptions } from '../options.js'
import { toHandler } from '../target.js'

/** Options of {@link ixpFastify}: a handler, or an engine plus the handler's options. */
export type FastifyOptions = (
  | { handler: HttpHandler; engine?: undefined }
  | ({ engine: Engine; handler?: undefined } & HttpHandlerOptions)
) & {
  /** Fastify's own `prefix` of `register()`: the routes live under it (the handler's base path is then unused). */
  prefix?: string
}

/** Marks the body stream we leave unread for the route to read. */
const UNREAD = Symbol('ixp.unread-body')

export const ixpFastify: FastifyPluginAsync<FastifyOptions> = async (fastify: FastifyInstance, options) => {
  const handler = options.handler ?? toHandler(options.engine, options)
  const dispatch = handler[DISPATCH]
  const wrapped = handler[WRAPPED]
  const prefix = fastify.prefix
  const relative = prefix !== ''

  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser(
    '*',
    (_request: FastifyRequest, payload: Readable, done: (error: null, body: unknown) => void) => {
      done(null, { [UNREAD]: payload })
    },
  )

  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = relative ? request.url.slice(prefix.length) || '/' : request.url
    const body = request.body as { [UNREAD]?: Readable } | undefined
    const transport = new NodeTransportRequest(request.raw, url, {
      relative,
      trustProxy: false,
      ip: request.ip,
      stream: body?.[UNREAD],
    })
    if (wrapped) {
      // Through `around`, as `fetch` and the node server answer.
      const answer = await handler[SERVE](transport)
      reply.code(answer.status)
      answer.headers.forEach((value, name) => reply.header(name, value))
      if (answer.status === 413) reply.header('connection', 'close')
      return reply.send(
        answer.body === null ? undefined : Readable.fromWeb(answer.body as NodeReadableStream),
      )
    }
    const response = await dispatch(transport)
    if (response.close) reply.header('connection', 'close')
    reply.code(response.status).headers(toRecord(response.headers))
    const answer = response.body
    return reply.send(
      answer === null
        ? undefined
        : typeof answer === 'string'
          ? answer
          : Readable.fromWeb(answer as NodeReadableStream),
    )
  }

  const base = relative ? '' : handler.basePath
  fastify.all(`${base}/*`, route)
  fastify.all(base === '' ? '/' : base, { prefixTrailingSlash: 'no-slash' }, route)
}
