/** The transport under a connection: a `ws` socket on Node, the runtime's own WebSocket on Bun and Deno. */

export interface PeerSocket {
  send(text: string): void
  /** Closes with a close frame (the peer is told why). */
  close(code: number, reason: string): void
  /** Drops the connection at once (a dead or hopelessly slow peer). */
  terminate(): void
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number
  /** Sends a transport-level ping when the transport has one; otherwise a `ping` frame is sent. */
  ping?(): void
}

/** What a connection knows of the request that opened it. */
export interface PeerRequest {
  /** Request headers, lower-case names. */
  headers: Record<string, string | undefined>
  ip: string | undefined
  origin: string | undefined
}

/** Longest close reason RFC 6455 allows (123 bytes); reasons are cut to it. */
export function closeReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason)
  if (bytes.length <= 123) return reason
  return new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD$/, '') + '…'
}
