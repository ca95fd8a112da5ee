import { describe, expect, it } from 'vitest'
import type { Logger } from '../src/index.js'
import { makeEngine } from './fixtures.js'

function recordingLogger(): Logger & { errors: [string, Record<string, unknown> | undefined][] } {
  const errors: [string, Record<string, unknown> | undefined][] = []
  const noop = () => undefined
  return {
    errors,
    debug: noop,
    info: noop,
    warn: noop,
    error: (message, fields) => errors.push([message, fields]),
  }
}

const request = { intent: { name: 'order_status', parameters: { orderId: '7' } } }

describe('event listeners are isolated from renders and from the process', () => {
  it('a synchronously throwing intent:after listener is logged with its event name and the render succeeds', async () => {
    const logger = recordingLogger()
    const engine = makeEngine({ logger })
    const seen: string[] = []
    engine.events.on('intent:after', () => {
      throw new Error('listener broke')
    })
    engine.events.on('intent:after', ({ intent }) => void seen.push(intent))
    const result = await engine.render(request)
    expect(result.props.status).toBe('shipped:7')
    expect(seen).toEqual(['order_status'])
    expect(logger.errors).toEqual([
      ['an engine event listener failed', { event: 'intent:after', error: 'listener broke' }],
    ])
  })

  it('a rejecting listener never becomes an unhandled rejection', async () => {
    const logger = recordingLogger()
    const engine = makeEngine({ logger })
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      engine.events.on('intent:after', async () => {
        throw new Error('async listener broke')
      })
      engine.events.once('intent:before', () => Promise.reject(new Error('before broke')))
      await engine.render(request)
      await engine.render(request)
      await new Promise((resolve) => setTimeout(resolve, 20))
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(unhandled).toEqual([])
    expect(logger.errors.map(([, fields]) => fields?.event)).toEqual([
      'intent:before',
      'intent:after',
      'intent:after',
    ])
  })

  it('off() removes a listener added with on() or once()', async () => {
    const engine = makeEngine({ logger: recordingLogger() })
    let calls = 0
    const listener = () => void calls++
    engine.events.on('intent:after', listener)
    engine.events.off('intent:after', listener)
    engine.events.once('intent:after', listener)
    engine.events.removeListener('intent:after', listener)
    await engine.render(request)
    expect(calls).toBe(0)
    expect(engine.events.listenerCount('intent:after')).toBe(0)
  })
})

describe('result.meta.durationMs', () => {
  it('is the time spent so far when an afterRender tap reads it', async () => {
    const engine = makeEngine({ logger: recordingLogger() })
    engine.registerIntent(
      {
        name: 'slow',
        description: 'Slow',
        component: 'OrderCard',
        parameters: { type: 'object', properties: {} },
        handler: async () => {
          await new Promise((resolve) => setTimeout(resolve, 30))
          return { orderId: '1', status: 'late' }
        },
      },
      {},
    )
    let seen = -1
    engine.hooks.afterRender.tap('read-duration', (result) => {
      seen = result.meta.durationMs
      return result
    })
    const result = await engine.render({ intent: { name: 'slow', parameters: {} } })
    expect(seen).toBeGreaterThanOrEqual(25)
    expect(result.meta.durationMs).toBeGreaterThanOrEqual(seen)
  })
})

describe('validationErrors[].path', () => {
  it('is an array (zod and the reference server), with array indices as numbers; pointer is kept', async () => {
    const engine = makeEngine({ logger: recordingLogger() })
    engine.registerIntent({
      name: 'order_lines',
      description: 'Lines',
      component: 'OrderCard',
      parameters: {
        type: 'object',
        properties: {
          lines: {
            type: 'array',
            items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
          },
        },
        required: ['lines'],
      },
    })
    const error = await engine
      .render({ intent: { name: 'order_lines', parameters: { lines: [{ sku: 'a' }, { sku: 5 }] } } })
      .then(
        () => undefined,
        (failure: { details?: { validationErrors?: { path: unknown; pointer: string }[] } }) => failure,
      )
    const [issue] = error?.details?.validationErrors ?? []
    expect(issue?.path).toEqual(['lines', 1, 'sku'])
    expect(issue?.pointer).toBe('/lines/1/sku')
    // A drop-in client written for the reference server does this:
    expect((issue?.path as (string | number)[]).join('.')).toBe('lines.1.sku')
  })
})
