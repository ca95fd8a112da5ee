import { createServer } from 'node:net'
import { spawn, type ChildProcess } from 'node:child_process'
import {
  createEngine,
  silentLogger,
  type Engine,
  type EngineOptions,
  type IntentDefinition,
  type IxpContext,
  type Logger,
  type RenderResult,
} from '@ixp/core'
import { Redis } from 'ioredis'
import { cache, type CacheOptions, type CachePlugin } from '../src/index.js'

/** A clock the test moves by hand (epoch milliseconds). */
export function manualClock(start = Date.UTC(2030, 0, 1)) {
  let now = start
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms
    },
  }
}

/** A logger that keeps what it is told, to assert on warnings. */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = []
  const at = (level: string) => (message: string) => {
    lines.push({ level, message })
  }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it returns true (or fails the test after `timeoutMs`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`)
    await delay(10)
  }
}

/** A handler whose calls are counted and whose behaviour a test can change between calls. */
export function countingHandler() {
  const control = {
    calls: 0,
    delayMs: 0,
    fail: undefined as Error | undefined,
    extra: {} as Record<string, unknown>,
  }
  const handler = async (params: Record<string, unknown>, ctx: IxpContext) => {
    control.calls++
    const call = control.calls
    if (control.delayMs > 0) await delay(control.delayMs)
    if (control.fail) throw control.fail
    const user = (ctx.user as { id?: string } | undefined)?.id
    return { call, user: user ?? null, echo: params, ...control.extra }
  }
  return { control, handler }
}

export interface Fixture {
  engine: Engine
  plugin: CachePlugin
  handler: ReturnType<typeof countingHandler>['control']
  render: (
    parameters?: Record<string, unknown>,
    context?: IxpContext,
    intent?: string,
  ) => Promise<RenderResult>
}

/**
 * An engine with the cache plugin and one intent `product` ({ id, lang? }) rendered by a server component
 * `Card`; `intent` overrides fields of the intent definition.
 */
export async function setup(
  options: CacheOptions = {},
  intent: Partial<IntentDefinition> = {},
  engineOptions: EngineOptions = {},
): Promise<Fixture> {
  const { control, handler } = countingHandler()
  const plugin = cache(options)
  const engine = createEngine({ logger: silentLogger, ...engineOptions, plugins: [plugin] })
  engine.registerComponent({
    name: 'Card',
    version: '1.0.0',
    render: (props) => ({ type: 'card', props: { title: `call ${String(props.call)}` }, children: [] }),
  })
  engine.registerIntent({
    name: 'product',
    description: 'A product card',
    component: 'Card',
    version: '1.0.0',
    parameters: {
      type: 'object',
      properties: { id: { type: 'string' }, lang: { type: 'string' } },
      required: ['id'],
    },
    handler,
    ...intent,
  })
  await engine.ready()
  const render = (
    parameters: Record<string, unknown> = { id: '42' },
    context: IxpContext = {},
    name = 'product',
  ) => engine.render({ intent: { name, parameters } }, context)
  return { engine, plugin, handler: control, render }
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Whether a Redis answers at `url` within half a second. */
export async function redisAnswers(url = REDIS_URL): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

/** Why Redis tests are skipped, or `undefined` when they run (under CI they always run). */
export async function redisSkipReason(): Promise<string | undefined> {
  if (process.env.CI) return undefined
  return (await redisAnswers()) ? undefined : 'no Redis answers at 127.0.0.1:6379 and CI is not set'
}

/** A key prefix no other test run uses. */
export function uniquePrefix(): string {
  return `ixp:cache:test:${crypto.randomUUID()}:`
}

/** Deletes every key under `prefix` (test cleanup). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = new Redis(url)
  client.on('error', () => undefined)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      cursor = next
      if (keys.length > 0) await client.del(...keys)
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** Whether a `redis-server` binary can be started (for the tests that stop and restart their own server). */
export function redisServerInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('redis-server', ['--version'], { stdio: 'ignore' })
    child.on('error', () => resolve(false))
    child.on('exit', (code) => resolve(code === 0))
  })
}

/** A throwaway redis-server on a free port, which a test may kill and start again on the same port. */
export class ThrowawayRedis {
  #child: ChildProcess | undefined
  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const server = new ThrowawayRedis(await freePort())
    await server.start()
    return server
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** Starts the server again (after `kill`); does nothing while it runs. */
  async start(): Promise<void> {
    if (this.#child && this.#child.exitCode === null) return
    const child = spawn('redis-server', ['--port', String(this.port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    })
    this.#child = child
    let failure: Error | undefined
    child.once('error', (error) => {
      failure = error
    })
    await eventually(
      async () => {
        if (failure) throw new Error(`redis-server could not start: ${failure.message}`)
        return redisAnswers(this.url)
      },
      5_000,
      `redis-server on port ${this.port}`,
    )
  }

  /** Kills the server at once (as a crash would). */
  async kill(): Promise<void> {
    const child = this.#child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    this.#child = undefined
  }
}

/**
 * A context for a signed-in caller. Cast because `ctx.user` is typed by whichever auth plugin is in the
 * program; the cache only reads `user.id` (and `tenant`).
 */
export function asUser(id: string, extra: Record<string, unknown> = {}): IxpContext {
  return { user: { id, roles: [], permissions: [], method: 'api-key' }, ...extra } as unknown as IxpContext
}

/** Kills the server-side connections named `name` (as a network fault or a Redis restart would drop them). */
export async function killConnections(name: string, url = REDIS_URL): Promise<number> {
  const admin = new Redis(url)
  admin.on('error', () => undefined)
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string
    let killed = 0
    for (const line of list.split('\n')) {
      const fields = Object.fromEntries(
        line
          .trim()
          .split(' ')
          .map((field) => field.split('=') as [string, string]),
      )
      if (fields.name === name && fields.id) {
        await admin.call('CLIENT', 'KILL', 'ID', fields.id)
        killed++
      }
    }
    return killed
  } finally {
    admin.disconnect()
  }
}

/** A connection for looking at what the store wrote. */
export function inspector(url = REDIS_URL): Redis {
  const client = new Redis(url)
  client.on('error', () => undefined)
  return client
}
