import { afterEach, describe, expect, it } from 'vitest'
import { invalidate, serve, stockEngine, type Running } from './helpers.js'

const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

/** Reads SSE events (`event:` + `data:`) from a response body, in order. */
function eventReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  return async (): Promise<{ event: string; data: any }> => {
    for (;;) {
      const end = buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (block.startsWith(':')) continue
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
        const data = /^data: (.*)$/m.exec(block)?.[1]
        return { event, data: data === undefined ? undefined : JSON.parse(data) }
      }
      const { value, done } = await reader.read()
      if (done) throw new Error('stream ended')
      buffer += value
    }
  }
}

const peer = { headers: {}, ip: '127.0.0.1', origin: undefined }

async function start() {
  const store = { stock: new Map([['SKU-1', 3]]) }
  const server = await serve(stockEngine(store))
  running.push(server)
  return { server, store, realtime: server.plugin.server! }
}

describe('Server-Sent Events', () => {
  it('streams next now and on each invalidation', async () => {
    const { server, store, realtime } = await start()
    const parameters = encodeURIComponent(JSON.stringify({ sku: 'SKU-1' }))
    const controller = new AbortController()
    const request = new Request(`http://localhost/ixp/live?intent=stock_level&parameters=${parameters}`, {
      signal: controller.signal,
    })
    const response = realtime.sse(request, peer)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const next = eventReader(response)
    const first = await next()
    expect(first.event).toBe('next')
    expect(first.data.tree.children).toEqual(['SKU-1: 3'])
    store.stock.set('SKU-1', 4)
    invalidate(server.engine, { intents: ['stock_level'] })
    expect((await next()).data.tree.children).toEqual(['SKU-1: 4'])
    expect(server.plugin.connections().map((c) => c.transport)).toEqual(['sse'])
    server.plugin.broadcastAll('notice', 'hello')
    expect(await next()).toEqual({ event: 'event', data: { event: 'notice', data: 'hello' } })
    controller.abort()
    expect(server.plugin.connections()).toEqual([])
  })

  it('is served at <base>/live through plugin-http, with its headers and its listing in openapi.json', async () => {
    const { server, store } = await start()
    const controller = new AbortController()
    const parameters = encodeURIComponent(JSON.stringify({ sku: 'SKU-1' }))
    const response = await fetch(`${server.url}/live?intent=stock_level&parameters=${parameters}`, {
      signal: controller.signal,
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('x-request-id')).toBeTruthy()
    const next = eventReader(response)
    expect((await next()).data.tree.children).toEqual(['SKU-1: 3'])
    store.stock.set('SKU-1', 11)
    invalidate(server.engine, { tags: ['stock:SKU-1'] })
    expect((await next()).data.tree.children).toEqual(['SKU-1: 11'])
    controller.abort()
    const bad = await fetch(`${server.url}/live`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } })
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>
    }
    expect(Object.keys(openapi.paths)).toContain('/live')
  })

  it('answers 400 with the error object when nothing to render is named', async () => {
    const { realtime } = await start()
    const response = realtime.sse(new Request('http://localhost/ixp/live'), peer)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } })
    const bad = realtime.sse(new Request('http://localhost/ixp/live?intent=x&parameters=[1'), peer)
    expect(bad.status).toBe(400)
  })

  it('sends the error event of a failed render and ends the stream', async () => {
    const { realtime } = await start()
    const response = realtime.sse(new Request('http://localhost/ixp/live?intent=missing'), peer)
    const next = eventReader(response)
    expect(await next()).toMatchObject({ event: 'error', data: { code: 'INTENT_NOT_SUPPORTED' } })
    await expect(next()).rejects.toThrow('stream ended')
  })
})
