/**
 * The node server under slow and malformed clients: a body or a head that trickles in is cut with a 408, and
 * every request node refuses itself is answered with the IXP JSON error body (not node's bare status line).
 */
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeServer, type IxpNodeServer } from '@ixp/plugin-http/node'
import { createTestEngine } from './engine.js'

const servers: IxpNodeServer[] = []

async function start(options: Parameters<typeof createNodeServer>[1] = {}) {
  const server = createNodeServer(createTestEngine(), options)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

interface RawAnswer {
  status: number
  headers: string
  json: { error: { code: string; message: string } }
  elapsedMs: number
}

/** Writes `parts` (with a pause after each) on a raw socket and reads until the server closes it. */
function raw(port: number, parts: string[], pauseMs = 0): Promise<RawAnswer> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n')
      try {
        resolve({
          status: Number(head.split(' ')[1]),
          headers: head.toLowerCase(),
          json: JSON.parse(body) as RawAnswer['json'],
          elapsedMs: Date.now() - started,
        })
      } catch (error) {
        reject(new Error(`not a JSON answer: ${JSON.stringify(text)} (${String(error)})`))
      }
    })
    void (async () => {
      for (const part of parts) {
        if (socket.destroyed) return
        socket.write(part)
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs))
      }
    })()
  })
}

const renderHead = (extra: string) =>
  `POST /ixp/render HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n${extra}\r\n`

describe('slow clients', () => {
  it('a body that stops arriving is answered 408 JSON and its connection closed', async () => {
    const port = await start({ bodyTimeoutMs: 300 })
    const answer = await raw(port, [renderHead('Content-Length: 100\r\n'), '{"intent":'])
    expect(answer.status).toBe(408)
    expect(answer.json.error.code).toBe('REQUEST_TIMEOUT')
    expect(answer.headers).toContain('connection: close')
    expect(answer.elapsedMs).toBeLessThan(3_000)
  })

  it('a chunked body that trickles a byte at a time is cut at the body timeout', async () => {
    const port = await start({ bodyTimeoutMs: 300 })
    const trickle = Array.from({ length: 40 }, () => '1\r\n \r\n')
    const answer = await raw(port, [renderHead('Transfer-Encoding: chunked\r\n'), ...trickle], 50)
    expect(answer.status).toBe(408)
    expect(answer.json.error.code).toBe('REQUEST_TIMEOUT')
    expect(answer.elapsedMs).toBeLessThan(1_500)
  })

  it('a head that does not arrive within headersTimeout is answered 408 JSON', async () => {
    const port = await start({ headersTimeout: 500 })
    const answer = await raw(port, ['POST /ixp/render HTTP/1.1\r\nHost: t\r\n'])
    expect(answer.status).toBe(408)
    expect(answer.json.error.code).toBe('REQUEST_TIMEOUT')
    expect(answer.elapsedMs).toBeLessThan(3_000)
  })

  it('refuses a bodyTimeoutMs that is not a non-negative integer', () => {
    expect(() => createNodeServer(createTestEngine(), { bodyTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'HTTP_INVALID_OPTIONS' }),
    )
  })
})

describe('requests node refuses are answered with the JSON error body', () => {
  const cases: [string, string, number, string][] = [
    [
      'a header without a colon',
      'GET /ixp/health HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n',
      400,
      'INVALID_REQUEST',
    ],
    ['a bad request line', 'GET\r\n\r\n', 400, 'INVALID_REQUEST'],
    ['a bad chunk size', `${renderHead('Transfer-Encoding: chunked\r\n')}zz\r\n`, 400, 'INVALID_REQUEST'],
    [
      'both Content-Length and chunked',
      `${renderHead('Content-Length: 3\r\nTransfer-Encoding: chunked\r\n')}0\r\n\r\n`,
      400,
      'INVALID_REQUEST',
    ],
    [
      'a head over maxHeaderSize',
      `GET /ixp/health HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
  ]
  it.each(cases)('%s', async (_what, request, status, code) => {
    const port = await start()
    const answer = await raw(port, [request])
    expect(answer.status).toBe(status)
    expect(answer.json.error.code).toBe(code)
    expect(answer.headers).toContain('content-type: application/json')
  })
})

describe('a request without a Host header', () => {
  it('HTTP/1.1 is answered 400 with the JSON error body and the connection closed', async () => {
    const port = await start()
    const answer = await raw(port, ['GET /ixp/health HTTP/1.1\r\n\r\n'])
    expect(answer.status).toBe(400)
    expect(answer.json.error.code).toBe('INVALID_REQUEST')
    expect(answer.json.error.message).toContain('Host header')
    expect(answer.headers).toContain('content-type: application/json')
    expect(answer.headers).toContain('connection: close')
  })

  it('HTTP/1.0 needs none and is served', async () => {
    const port = await start()
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => (received += chunk))
      socket.on('error', reject)
      socket.on('close', () => resolve(received))
      socket.write('GET /ixp/health HTTP/1.0\r\n\r\n')
    })
    expect(text.split(' ')[1]).toBe('200')
  })
})
