/** The `around` option and the metrics provider's request, through fetch and a real node:http server. */
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpHandler, type HttpHandlerOptions } from '@ixp/plugin-http'
import { createNodeServer } from '@ixp/plugin-http/node'
import { createTestEngine } from './engine.js'

const servers: { close(): void }[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

function tracingLikeOptions(seen: string[]): HttpHandlerOptions {
  return {
    around: async (request, next) => {
      seen.push(`${request.method} ${new URL(request.url).pathname}`)
      // Answer a modified copy, as a tracing wrapper does with `traceparent`.
      const copy = new Request(request, {
        headers: { ...Object.fromEntries(request.headers), 'x-wrapped': 'yes' },
      })
      const response = await next(copy)
      const headers = new Headers(response.headers)
      headers.set('x-around', 'done')
      return new Response(response.body, { status: response.status, headers })
    },
    metrics: {
      provider: (collector, request) => {
        const url = new URL(request.url)
        const prometheus =
          url.searchParams.get('format') === 'prometheus' || request.headers.get('accept') === 'text/plain'
        return prometheus
          ? {
              contentType: 'text/plain; version=0.0.4',
              body: `requests_total ${collector.snapshot().requests.total}\n`,
            }
          : {
              contentType: 'application/json',
              body: JSON.stringify({ wrapped: collector.snapshot().requests.total }),
            }
      },
    },
  }
}

async function viaNode(options: HttpHandlerOptions) {
  const engine = await createTestEngine()
  const server = createNodeServer(engine, options)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  const { port } = server.address() as AddressInfo
  return (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init)
}

async function viaFetch(options: HttpHandlerOptions) {
  const handler = createHttpHandler(await createTestEngine(), options)
  return (path: string, init?: RequestInit) => handler.fetch(new Request(`http://localhost${path}`, init))
}

describe.each([
  ['fetch', viaFetch],
  ['node:http', viaNode],
])('around and the metrics request (%s)', (_name, mount) => {
  it('wraps every request and lets the wrapper answer a replacement request', async () => {
    const seen: string[] = []
    const request = await mount(tracingLikeOptions(seen))
    const rendered = await request('/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent: { name: 'echo_context', parameters: {} } }),
    })
    expect(rendered.status).toBe(200)
    expect(rendered.headers.get('x-around')).toBe('done')
    const body = (await rendered.json()) as { record: { props: { userAgent: unknown } } }
    expect(body.record.props).toBeTruthy()
    const tooBig = await request('/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent: { name: 'echo_context', parameters: { pad: 'x'.repeat(2_000_000) } } }),
    })
    expect(tooBig.status).toBe(413)
    expect(seen).toEqual(['POST /ixp/render', 'POST /ixp/render'])
  })

  it('hands the metrics provider the request so it can negotiate the format', async () => {
    const request = await mount(tracingLikeOptions([]))
    const prometheus = await request('/ixp/metrics?format=prometheus')
    expect(prometheus.headers.get('content-type')).toBe('text/plain; version=0.0.4')
    expect(prometheus.headers.get('vary')).toContain('Accept')
    expect(await prometheus.text()).toMatch(/^requests_total \d+\n$/)
    const byAccept = await request('/ixp/metrics', { headers: { accept: 'text/plain' } })
    expect(await byAccept.text()).toMatch(/^requests_total/)
    expect(await (await request('/ixp/metrics')).json()).toHaveProperty('wrapped')
  })

  it('answers a throwing wrapper with a JSON 500 and no stack', async () => {
    const request = await mount({
      around: () => {
        throw new Error('wrapper bug at /secret/path.ts:1')
      },
    })
    const response = await request('/ixp/intents')
    expect(response.status).toBe(500)
    const body = (await response.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('INTERNAL_ERROR')
    expect(JSON.stringify(body)).not.toContain('/secret/path.ts')
  })
})
