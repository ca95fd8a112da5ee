/**
 * Bun's own WebSocket server: Bun hands sockets to the `websocket` handlers given to `Bun.serve`, not to a fetch
 * handler's `Response`, so the plugin offers those handlers ({@link bunWebSocket}) and the upgrade call
 * ({@link bunUpgrade}) to use in `fetch`. Typed structurally: nothing of Bun is imported.
 */
import type { Connection } from './connection.js'
import type { PeerRequest, PeerSocket } from './peer.js'
import { SUBPROTOCOL } from './protocol.js'

/** What the plugin uses of Bun's `ServerWebSocket`. */
export interface BunSocket {
  readonly data: BunSocketData
  send(data: string): number
  close(code?: number, reason?: string): void
  terminate?(): void
  ping?(): number
  getBufferedAmount?(): number
}

/** What the plugin keeps on a Bun socket (`ws.data`). */
export interface BunSocketData {
  ixp: { peer: PeerRequest; subprotocol: boolean; connection?: Connection }
}

/** What the plugin uses of Bun's `Server` in `fetch`. */
export interface BunServer {
  upgrade(request: Request, options: { data: BunSocketData; headers?: Record<string, string> }): boolean
}

/** The `websocket` handlers of `Bun.serve`. */
export interface BunWebSocketHandlers {
  open(ws: BunSocket): void
  message(ws: BunSocket, message: string | Uint8Array | ArrayBuffer): void
  close(ws: BunSocket): void
  pong(ws: BunSocket): void
}

export function offersSubprotocol(request: Request): boolean {
  const offered = request.headers.get('sec-websocket-protocol') ?? ''
  return offered.split(',').some((protocol) => protocol.trim() === SUBPROTOCOL)
}

/** Upgrades `request` on a Bun server, selecting `ixp.v1` when offered; `false` when Bun refused. */
export function bunUpgrade(server: BunServer, request: Request, peer: PeerRequest): boolean {
  const subprotocol = offersSubprotocol(request)
  return server.upgrade(request, {
    data: { ixp: { peer, subprotocol } },
    ...(subprotocol ? { headers: { 'sec-websocket-protocol': SUBPROTOCOL } } : {}),
  })
}

export function bunSocket(ws: BunSocket): PeerSocket {
  return {
    send: (text) => void ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => (ws.terminate ? ws.terminate() : ws.close()),
    get bufferedAmount() {
      return ws.getBufferedAmount?.() ?? 0
    },
    ...(ws.ping ? { ping: () => void ws.ping!() } : {}),
  }
}
