/**
 * Answers stay valid JSON whatever an afterRender tap returns (the render route writes its JSON by hand).
 */
import type { RenderResult } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { createHttpHandler, type ErrorReport } from '@ixp/plugin-http'
import { captureLogger, createTestEngine, type CapturedLog } from './engine.js'

const render = (name: string, parameters: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ intent: { name, parameters } }),
})

async function answerWith(change: (result: RenderResult) => unknown, name = 'greet') {
  const engine = createTestEngine()
  engine.hooks.afterRender.tap('test:change-result', (result) => change(result) as RenderResult)
  const handler = createHttpHandler(engine)
  const parameters = name === 'greet' ? { name: 'Ada' } : {}
  const response = await handler.fetch(new Request('http://ixp.test/ixp/render', render(name, parameters)))
  const text = await response.text()
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

describe('render answers are valid JSON whatever afterRender taps return', () => {
  const cases: [string, (result: RenderResult) => unknown, unknown][] = [
    ['ttl dropped', (result) => ({ ...result, ttl: undefined }), 0],
    ['ttl NaN', (result) => ({ ...result, ttl: Number.NaN }), 0],
    ['ttl a string', (result) => ({ ...result, ttl: '60,"x":1' }), 0],
    ['ttl negative', (result) => ({ ...result, ttl: -5 }), 0],
    ['ttl Infinity', (result) => ({ ...result, ttl: Number.POSITIVE_INFINITY }), 0],
  ]
  for (const [what, change, ttl] of cases) {
    it(`${what}: 200 with ttl ${String(ttl)}`, async () => {
      const answer = await answerWith(change)
      expect(answer.status).toBe(200)
      expect(answer.json().ttl).toBe(ttl)
    })
  }

  it('a component dropped is sent as null', async () => {
    const answer = await answerWith((result) => ({ ...result, component: undefined }))
    expect(answer.status).toBe(200)
    expect(answer.json().component).toBeNull()
  })

  it('meta dropped still gives a JSON answer', async () => {
    const answer = await answerWith((result) => ({ ...result, meta: undefined }))
    expect(() => answer.json()).not.toThrow()
  })

  it('a tree that is a function is sent as null', async () => {
    const answer = await answerWith((result) => ({ ...result, tree: () => 1 }))
    expect(answer.status).toBe(200)
    expect(answer.json().tree).toBeNull()
  })

  it('a tap returning null is a JSON 500 with an error id', async () => {
    const answer = await answerWith(() => null)
    expect(answer.status).toBe(500)
    expect((answer.json().error as { details: { errorId: string } }).details.errorId).toMatch(/-/)
  })
})

describe('error reporting', () => {
  it('onError gets every error answer with its id, category, severity and request; /metrics counts them', async () => {
    const reports: ErrorReport[] = []
    const engine = createTestEngine()
    engine.hooks.afterRender.tap('test:break', () => {
      throw new Error('a bug with a secret: hunter2')
    })
    const handler = createHttpHandler(engine, { onError: (report) => void reports.push(report) })
    const failed = await handler.fetch(
      new Request('http://ixp.test/ixp/render', render('greet', { name: 'Ada' })),
    )
    const body = (await failed.json()) as { error: { details: { errorId: string } } }
    await handler.fetch(new Request('http://ixp.test/ixp/nowhere'))
    expect(reports.map(({ code, category, severity }) => [code, category, severity])).toEqual([
      ['INTERNAL_ERROR', 'internal', 'error'],
      ['NOT_FOUND', 'client', 'info'],
    ])
    expect(reports[0]!.errorId).toBe(body.error.details.errorId)
    expect(reports[0]!.request).toMatchObject({ method: 'POST', path: '/ixp/render' })
    expect(reports[0]!.message).not.toContain('hunter2')

    const metrics = (await (await handler.fetch(new Request('http://ixp.test/ixp/metrics'))).json()) as {
      errors: { bySeverity: Record<string, number>; byCategory: Record<string, number> }
    }
    expect(metrics.errors.bySeverity).toEqual({ error: 1, info: 1 })
    expect(metrics.errors.byCategory).toEqual({ internal: 1, client: 1 })

    // The last internal errors are in /health: ids and codes, no messages.
    const health = await (await handler.fetch(new Request('http://ixp.test/ixp/health'))).text()
    expect(JSON.parse(health).recentErrors).toEqual([
      { errorId: body.error.details.errorId, code: 'INTERNAL_ERROR', at: expect.any(String) },
    ])
    expect(health).not.toContain('hunter2')
  })

  it('writes a repeated identical error line once per window, then with how often it repeated', async () => {
    const lines: CapturedLog[] = []
    const engine = createTestEngine({ logger: captureLogger(lines) })
    engine.hooks.afterRender.tap('test:break', () => {
      throw new Error('the same failure')
    })
    const handler = createHttpHandler(engine)
    for (let i = 0; i < 50; i++) {
      await handler.fetch(new Request('http://ixp.test/ixp/render', render('greet', { name: 'Ada' })))
    }
    expect(lines.filter((line) => line.message === 'request failed')).toHaveLength(1)
  })
})
