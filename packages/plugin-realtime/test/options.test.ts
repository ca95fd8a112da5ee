import { createEngine } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import * as api from '@ixp/plugin-realtime'
import { realtime } from '../src/index.js'
import { silent } from './helpers.js'

describe('options', () => {
  it.each([
    [{ path: 'ws' }, /path must be a path starting with '\/'/],
    [{ path: '/live' }, /path and ssePath must differ/],
    [{ redis: 'localhost:6379' }, /redis:\/\/ or rediss:\/\/ URL/],
    [{ redis: {} }, /a redis:\/\/ URL or an ioredis client/],
    [{ limits: { subscriptions: 0 } }, /limits.subscriptions must be an integer ≥ 1, got 0/],
    [{ limits: { maxFrameBytes: 1.5 } }, /limits.maxFrameBytes must be an integer/],
    [{ heartbeatMs: -1 }, /heartbeatMs must be an integer ≥ 0/],
    [{ authorizeRoom: 'yes' }, /authorizeRoom must be a function/],
    [{ channel: '' }, /channel must be a non-empty string/],
  ])('refuses %j at creation, saying what to fix', (options, message) => {
    let error: unknown
    try {
      realtime(options as never)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ code: 'REALTIME_INVALID_OPTIONS', status: 500 })
    expect((error as Error).message).toMatch(message)
  })

  it('refuses the server API before engine.ready() with REALTIME_NOT_STARTED', async () => {
    const plugin = realtime()
    expect(() => plugin.broadcast('room', 'event', 1)).toThrow(
      expect.objectContaining({ code: 'REALTIME_NOT_STARTED' }),
    )
    const engine = createEngine({ plugins: [plugin], logger: silent })
    await engine.ready()
    expect(plugin.connections()).toEqual([])
    await engine.close()
    expect(() => plugin.connections()).toThrow(expect.objectContaining({ code: 'REALTIME_NOT_STARTED' }))
  })

  it('serves one engine per plugin instance', async () => {
    const plugin = realtime()
    const first = createEngine({ plugins: [plugin], logger: silent })
    await first.ready()
    const second = createEngine({ plugins: [plugin], logger: silent })
    await expect(second.ready()).rejects.toThrow(/one plugin instance serves one engine/)
    await first.close()
    await second.close()
  })
})

describe('errors', () => {
  it('builds them from one table: code, status and message template', () => {
    expect(api.RealtimeErrorCodes).toEqual({
      INVALID_MESSAGE: 400,
      NOT_ACKNOWLEDGED: 401,
      ROOM_FORBIDDEN: 403,
      REALTIME_RATE_LIMITED: 429,
      TOO_MANY_SUBSCRIPTIONS: 429,
      TOO_MANY_ROOMS: 429,
      REALTIME_UNSUPPORTED_RUNTIME: 501,
      REALTIME_CLOSING: 503,
      REALTIME_NOT_STARTED: 500,
      REALTIME_INVALID_OPTIONS: 500,
      INVALID_REQUEST: 400,
    })
    expect(() => realtime({ heartbeatMs: -1 })).toThrow(
      expect.objectContaining({
        code: 'REALTIME_INVALID_OPTIONS',
        status: 500,
        message: expect.stringMatching(/^@ixp\/plugin-realtime: heartbeatMs must be/),
      }),
    )
  })
})

describe('exports', () => {
  it('exports exactly its API', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CloseCodes',
      'RealtimeErrorCodes',
      'RealtimeServer',
      'RedisBus',
      'SUBPROTOCOL',
      'engineInvalidations',
      'realtime',
      'resolveOptions',
    ])
  })
})
