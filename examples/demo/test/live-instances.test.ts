/**
 * Live components across two `ixp serve --config` processes sharing Redis (test/fixtures/live.config.ts: the
 * cache on Redis, `realtime({ redis })`, the stock itself in Redis): a client on instance A subscribes to
 * `stock_level` over `ixp.v1`; a `restock` command over HTTP on instance B makes A push the new stock. Each
 * process's Redis URL carries its own `connectionName`, so `CLIENT LIST` shows what each one opened: realtime
 * shares the cache's bus, so each holds one subscribed connection.
 */
import { randomUUID } from 'node:crypto'
import { namedRedisUrl, redisClientsNamed } from '../../../packages/plugin-cache/test/redis-clients.js'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { LIVE_STAFF_KEY } from './fixtures/live.config.js'
import { killAll, startServeConfig } from './server.js'

afterAll(killAll)

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A socket's frames, parsed, and a way to wait for the next one that matches. */
function framesOf(socket: WebSocket) {
  const frames: Record<string, any>[] = []
  const waiting: {
    test: (frame: Record<string, any>) => boolean
    resolve: (frame: Record<string, any>) => void
  }[] = []
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Record<string, any>
    frames.push(frame)
    const index = waiting.findIndex((w) => w.test(frame))
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(frame)
  })
  return {
    frames,
    next(test: (frame: Record<string, any>) => boolean, timeoutMs = 5_000): Promise<Record<string, any>> {
      const seen = frames.find(test)
      if (seen) {
        frames.splice(frames.indexOf(seen), 1)
        return Promise.resolve(seen)
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame in ${timeoutMs} ms`)), timeoutMs)
        waiting.push({
          test,
          resolve: (frame) => {
            clearTimeout(timer)
            frames.splice(frames.indexOf(frame), 1)
            resolve(frame)
          },
        })
      })
    },
  }
}

const shown = (payload: Record<string, any>) => payload.tree?.children?.[0] as string

describe('live components across two `ixp serve` instances sharing Redis', () => {
  it('pushes the new stock to a subscriber on A within a second of a restock on B', async () => {
    const run = randomUUID()
    const names = [`ixp-live-test-${run.slice(0, 8)}-a`, `ixp-live-test-${run.slice(0, 8)}-b`] as const
    const start = (name: string) =>
      startServeConfig('test/fixtures/live.config.ts', {
        LIVE_REDIS_URL: namedRedisUrl(REDIS_URL, name),
        LIVE_REDIS_PREFIX: `ixp:live-test:${run}:`,
      })
    const [a, b] = await Promise.all([start(names[0]), start(names[1])])
    const socket = new WebSocket(`${a.url.replace(/^http/, 'ws')}/ws`, 'ixp.v1')
    try {
      const frames = framesOf(socket)
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }))
      await frames.next((f) => f.type === 'connection_ack')

      // One subscribed connection per process (the cache store's, carrying realtime's topic too), none of
      // realtime's own.
      for (const name of names) {
        const subscribed = (await redisClientsNamed(REDIS_URL, name, { suffixed: true })).filter(
          (fields) => Number(fields.sub) > 0,
        )
        expect(subscribed.map((fields) => fields.name)).toEqual([`${name}:bus`])
      }

      socket.send(
        JSON.stringify({
          id: 'live-1',
          type: 'subscribe',
          payload: { intent: { name: 'stock_level', parameters: { sku: 'TE-101' } } },
        }),
      )
      const first = await frames.next((f) => f.id === 'live-1' && f.type === 'next')
      expect(shown(first.payload)).toBe('TE-101: 0 in stock')

      const restocked = await fetch(`${b.url}/render`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': LIVE_STAFF_KEY },
        body: JSON.stringify({ intent: { name: 'restock', parameters: { sku: 'TE-101', units: 4 } } }),
      })
      expect(restocked.status).toBe(200)
      const sent = Date.now()
      const pushed = await frames.next((f) => f.id === 'live-1' && f.type === 'next', 1_000)
      expect(Date.now() - sent).toBeLessThan(1_000)
      expect(shown(pushed.payload)).toBe('TE-101: 4 in stock')

      // The same socket answers a render frame under its id, and stays usable after a malformed frame.
      socket.send(
        JSON.stringify({
          id: 'once-1',
          type: 'render',
          payload: { intent: { name: 'stock_level', parameters: { sku: 'TE-101' } } },
        }),
      )
      const result = await frames.next((f) => f.id === 'once-1')
      expect(result.type).toBe('result')
      expect(shown(result.payload)).toBe('TE-101: 4 in stock')
      socket.send('{not json')
      const error = await frames.next((f) => f.type === 'error' && f.id === undefined)
      expect(error.payload.code).toBe('INVALID_MESSAGE')
      socket.send(JSON.stringify({ type: 'ping' }))
      await frames.next((f) => f.type === 'pong')
    } finally {
      socket.close()
      await Promise.all([a.stop(), b.stop()])
    }
  }, 90_000)
})
