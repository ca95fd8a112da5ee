/** The attacking clients of the server scenarios; they run in the benchmark's process, not the server's. */
import { connect, type Socket } from 'node:net'

const RENDER_HEAD =
  'POST /ixp/render HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'

/**
 * `count` renders one after another, each with `X-Forwarded-For: <random address>, <proxy>` — a client choosing
 * the left of the header, behind a proxy that appends the address it saw. Gives how many were admitted (200).
 */
export async function rotatingForwardedFor(port: number, count: number, proxy: string): Promise<number> {
  let admitted = 0
  for (let i = 0; i < count; i++) {
    const spoofed = `203.0.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`
    const response = await fetch(`http://127.0.0.1:${port}/ixp/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `${spoofed}, ${proxy}` },
      body: JSON.stringify({ intent: { name: 'ping', parameters: {} } }),
    })
    await response.arrayBuffer()
    if (response.status === 200) admitted++
  }
  return admitted
}

export interface SlowBodyOutcome {
  /** Milliseconds each connection was held open by the server (`windowMs` for those still open at the end). */
  heldMs: number[]
  /** Connections the server had not closed when the window ended. */
  stillOpen: number
  /** Connections answered 408 with a JSON body. */
  answered408: number
  /** Peak server memory during the window, in bytes. */
  peak: Memory
  /** Server memory when the window ended, in bytes. */
  end: Memory
}

/** A server's resident memory and the part of it in buffers (request bodies), in bytes. */
export interface Memory {
  rss: number
  buffers: number
}

/**
 * Opens `count` connections that each start a chunked render body and then either stop sending after
 * `stopAfterBytes` (even ones: the server buffers what came) or send one byte every `trickleEveryMs` (odd ones),
 * and watches them for `windowMs`. `rss()` samples the server's memory once a second.
 */
export async function slowBodies(
  port: number,
  count: number,
  windowMs: number,
  { trickleEveryMs, stopAfterBytes }: { trickleEveryMs: number; stopAfterBytes: number },
  memory: () => Promise<Memory>,
): Promise<SlowBodyOutcome> {
  // A JSON string's characters (the body is never completed, so its content does not matter).
  const stoppedChunk = `${stopAfterBytes.toString(16)}\r\n${'["'.padEnd(stopAfterBytes, 'a')}\r\n`
  const sockets: Socket[] = []
  const heldMs: number[] = []
  let answered408 = 0
  const started = performance.now()
  const closed = new Set<Socket>()
  for (let i = 0; i < count; i++) {
    const socket = connect(port, '127.0.0.1')
    const opened = performance.now()
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      closed.add(socket)
      heldMs.push(performance.now() - opened)
      if (/^HTTP\/1\.1 408/.test(answer) && answer.includes('"error"')) answered408++
    })
    socket.write(RENDER_HEAD)
    if (i % 2 === 0) socket.write(stoppedChunk)
    else {
      const timer = setInterval(() => {
        if (socket.destroyed) clearInterval(timer)
        else socket.write('1\r\n \r\n')
      }, trickleEveryMs)
      socket.on('close', () => clearInterval(timer))
    }
    sockets.push(socket)
    // Connections arrive in bursts of 50, not all in one tick (the listen backlog).
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const peak: Memory = { rss: 0, buffers: 0 }
  while (performance.now() - started < windowMs) {
    const sample = await memory()
    peak.rss = Math.max(peak.rss, sample.rss)
    peak.buffers = Math.max(peak.buffers, sample.buffers)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
  const end = await memory()
  const stillOpen = sockets.filter((socket) => !closed.has(socket))
  for (let i = 0; i < stillOpen.length; i++) heldMs.push(windowMs)
  for (const socket of stillOpen) {
    socket.removeAllListeners('close')
    socket.destroy()
  }
  return { heldMs, stillOpen: stillOpen.length, answered408, peak, end }
}

export type RawKind = 'json' | 'bare' | 'none'

/** What the server answered to one raw request: a JSON error body, a status line without one, or nothing. */
export function rawExchange(
  port: number,
  request: string | Buffer,
  timeoutMs: number,
): Promise<{ kind: RawKind; status: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const finish = () => {
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)
      const body = text.slice(text.indexOf('\r\n\r\n') + 4)
      let kind: RawKind = status === 0 ? 'none' : 'bare'
      try {
        if (
          status > 0 &&
          typeof (JSON.parse(body) as { error?: { code?: unknown } }).error?.code === 'string'
        )
          kind = 'json'
      } catch {
        // not JSON: a bare status line
      }
      resolve({ kind, status })
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', finish)
    socket.end(request)
  })
}
