/**
 * The plugin's endpoints through plugin-http's hooks: the WebSocket endpoint `<base><path>` on the `upgrade` hook
 * (Node: the socket is handed to `ws`; Deno: `Deno.upgradeWebSocket` and its `Response`), and the Server-Sent
 * Events endpoint `GET <base><ssePath>` on the `routes` hook.
 */
import type { Engine } from '@ixp/core'
import { httpHooks, type HttpRoute, type HttpUpgrade, type HttpUpgradeResult } from '@ixp/plugin-http'
import { realtimeError } from './errors.js'
import type { PeerRequest } from './peer.js'
import { offersSubprotocol } from './bun.js'
import { SUBPROTOCOL } from './protocol.js'
import type { RealtimeServer } from './server.js'

const TAP = '@ixp/plugin-realtime'

/** `Deno.upgradeWebSocket`, where the runtime has it. */
type UpgradeWebSocket = (
  request: Request,
  options?: { protocol?: string },
) => { socket: globalThis.WebSocket; response: Response }

function denoUpgrade(): UpgradeWebSocket | undefined {
  const deno = (globalThis as { Deno?: { upgradeWebSocket?: UpgradeWebSocket } }).Deno
  return typeof deno?.upgradeWebSocket === 'function' ? deno.upgradeWebSocket : undefined
}

function peerOf(
  upgrade: { context: { headers?: Record<string, string | undefined>; ip?: string } },
  request: Request,
): PeerRequest {
  return {
    headers: { ...upgrade.context.headers },
    ip: upgrade.context.ip,
    origin: request.headers.get('origin') ?? undefined,
  }
}

/** Taps the engine's HTTP hooks (they live as long as the engine). */
export function wireHttp(engine: Engine, server: RealtimeServer): void {
  const hooks = httpHooks(engine)
  const { path, ssePath } = server.options
  hooks.upgrade.tap(TAP, (upgrade: HttpUpgrade): HttpUpgradeResult => {
    if (upgrade.path !== path.toLowerCase()) return undefined
    const peer = peerOf(upgrade, upgrade.request)
    if (upgrade.node) {
      server.handleUpgrade(upgrade.node.request, upgrade.node.socket, upgrade.node.head, peer)
      return true
    }
    const upgradeWebSocket = denoUpgrade()
    if (upgradeWebSocket === undefined) {
      const error = realtimeError('REALTIME_UNSUPPORTED_RUNTIME')
      return new Response(
        JSON.stringify({
          error: { code: error.code, message: error.message, timestamp: new Date().toISOString() },
        }),
        {
          status: error.status,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        },
      )
    }
    const offered = offersSubprotocol(upgrade.request)
    const { socket, response } = upgradeWebSocket(upgrade.request, offered ? { protocol: SUBPROTOCOL } : {})
    server.acceptWebSocket(socket, peer, offered)
    return response
  })
  if (ssePath === false) return
  hooks.routes.tap(TAP, (routes: HttpRoute[]) => {
    routes.push({
      method: 'GET',
      path: ssePath,
      handler: (request, ctx) => server.sse(request, peerOf(ctx, request)),
      openapi: {
        summary: 'A live render as Server-Sent Events',
        description:
          'Streams `next` events (the render answer) now and after each invalidation of its tags, `error`, `complete` and `event` events. Name the render with `intent` and `parameters` (JSON), or `query` (free text).',
        parameters: [
          { name: 'intent', in: 'query', schema: { type: 'string' } },
          { name: 'parameters', in: 'query', schema: { type: 'string', description: 'A JSON object' } },
          { name: 'query', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'The event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          '400': { description: 'Nothing to render named' },
        },
      },
    })
    return routes
  })
}
