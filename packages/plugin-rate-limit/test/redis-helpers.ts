import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/**
 * Why Redis tests cannot run here, or `undefined` when they can. Under CI they always run (and fail loudly
 * if Redis is missing); elsewhere an unreachable Redis skips them with this reason.
 */
export async function redisSkipReason(): Promise<string | undefined> {
  if (process.env.CI) return undefined
  if (await ping(REDIS_URL)) return undefined
  const reason = `Redis at ${REDIS_URL} is unreachable (set REDIS_URL, or CI=true to make this a failure)`
  console.warn(`[plugin-rate-limit] skipping Redis tests: ${reason}`)
  return reason
}

/** Like `redisSkipReason`, for tests that start their own `redis-server`. */
export function redisServerSkipReason(): string | undefined {
  if (process.env.CI) return undefined
  if (spawnSync('redis-server', ['--version']).status === 0) return undefined
  const reason = 'no redis-server binary on PATH (needed to stop and restart a private Redis)'
  console.warn(`[plugin-rate-limit] skipping Redis fault tests: ${reason}`)
  return reason
}

/** A key prefix of its own for one test file, and a way to delete everything under it. */
export function testPrefix() {
  return `ixp:rl:test:${randomUUID().slice(0, 8)}:`
}

export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      if (keys.length > 0) await client.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A throwaway `redis-server` (no persistence) that a test can kill and start again on the same port. */
export async function startRedisServer() {
  const port = await freePort()
  let child: ChildProcess | undefined

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) return
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    child = server
    // Never leave a server behind, even when a test run is interrupted.
    const reap = () => server.kill('SIGKILL')
    process.once('exit', reap)
    server.once('exit', () => process.removeListener('exit', reap))
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start on port ${port}: ${output}`)),
        10_000,
      )
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      })
      server.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}: ${output}`))
      })
    })
  }

  async function stop(): Promise<void> {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve())
      running.kill('SIGKILL')
    })
  }

  await start()
  return { port, url: `redis://127.0.0.1:${port}`, start, stop }
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
