/**
 * The scenarios a child process runs by itself against one tree: a JWT issued in the future, TOTP guessing,
 * a 5,000-step workflow, renders while Redis hangs, and throwing event listeners. Each resolves with its figures.
 */
import { spawn } from 'node:child_process'
import { createHmac, randomInt } from 'node:crypto'
import { createServer, connect } from 'node:net'
import { median, percentile } from '../measure.js'
import { failureOf, loadPackage, pingEngine, type LooseEngine } from './tree.js'

type Figures = Record<string, unknown>
const PING = { intent: { name: 'ping', parameters: {} } }
const JWT_SECRET = 'a-benchmark-secret-of-at-least-thirty-two-bytes'

function hs256(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const signed = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`
  return `${signed}.${createHmac('sha256', JWT_SECRET).update(signed).digest('base64url')}`
}

/** A JWT whose `iat` is a day ahead, beside a control token issued now (which must pass). */
export async function futureIat(root: string): Promise<Figures> {
  const { auth } = await loadPackage<{ auth(options: unknown): unknown }>(root, 'plugin-auth')
  const { engine } = await pingEngine(root, [auth({ jwt: { secret: JWT_SECRET } })], {
    auth: { roles: ['user'] },
  })
  const now = Math.floor(Date.now() / 1000)
  const outcome = async (iat: number) => {
    const token = hs256({ sub: 'mallory', roles: ['user'], iat, exp: iat + 600 })
    try {
      await engine.render(PING, { headers: { authorization: `Bearer ${token}` } })
      return 'accepted'
    } catch (error) {
      const { code, status } = failureOf(error)
      return `refused (${status} ${code})`
    }
  }
  return { futureToken: await outcome(now + 86_400), controlToken: await outcome(now) }
}

interface TotpModule {
  generateTotpSecret(): string
  generateTotp(secret: string, options: { now: number }): Promise<string>
  verifyTotp(
    code: string,
    secret: string,
    options: { account: string },
  ): Promise<{ valid: boolean; reason?: string }>
}

/** Wrong six-digit codes for one subject as fast as `verifyTotp` answers, for `seconds`. */
export async function totpGuessing(root: string, seconds = 5): Promise<Figures> {
  const totp = await loadPackage<TotpModule>(root, 'plugin-auth')
  const secret = totp.generateTotpSecret()
  const started = Date.now()
  // Every code that could be valid during the run is left out, so each guess is wrong.
  const steps = Array.from({ length: Math.ceil(seconds / 30) + 3 }, (_, i) => started + (i - 1) * 30_000)
  const valid = new Set(await Promise.all(steps.map((now) => totp.generateTotp(secret, { now }))))
  let checked = 0
  let locked = 0
  let accepted = 0
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    let code: string
    do code = String(randomInt(1_000_000)).padStart(6, '0')
    while (valid.has(code))
    const verdict = await totp.verifyTotp(code, secret, { account: 'alice' })
    if (verdict.valid) accepted++
    else if (verdict.reason === 'locked') locked++
    else checked++
  }
  return { checked, locked, accepted }
}

interface WorkflowsModule {
  defineWorkflow(definition: unknown): unknown
  workflows(options: { workflows: unknown[] }): unknown
  runWorkflow(engine: LooseEngine, id: string, input: unknown): Promise<{ status?: string }>
}

/** A workflow of `count` steps (each a render of `ping`): refused when defined, or run — with what outcome. */
export async function hugeWorkflow(root: string, count = 5_000): Promise<Figures> {
  const wf = await loadPackage<WorkflowsModule>(root, 'plugin-workflows')
  let warnings = 0
  process.on('warning', (warning) => {
    if (warning.name === 'MaxListenersExceededWarning') warnings++
  })
  const steps = Array.from({ length: count }, (_, i) => ({ id: `s${i}`, intentName: 'ping' }))
  let definition: unknown
  try {
    definition = wf.defineWorkflow({ id: 'huge', name: 'Huge', description: `${count} steps`, steps })
  } catch (error) {
    return { outcome: 'refused when defined', ...failureOf(error), stepsRun: 0 }
  }
  const started = performance.now()
  let setUp: Awaited<ReturnType<typeof pingEngine>>
  try {
    setUp = await pingEngine(root, [wf.workflows({ workflows: [definition] })])
  } catch (error) {
    return { outcome: 'refused at start', ...failureOf(error), stepsRun: 0 }
  }
  try {
    const result = await wf.runWorkflow(setUp.engine, 'huge', {})
    return { outcome: `answered (${String(result.status)})`, stepsRun: setUp.calls(), warnings }
  } catch (error) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    return { outcome: 'run failed', ...failureOf(error), stepsRun: setUp.calls(), seconds, warnings }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

async function redisAnswers(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('PING\r\n'))
      socket.once('data', (chunk) => resolve(chunk.toString().startsWith('+PONG')))
      socket.once('error', () => resolve(false))
    })
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the private redis-server on port ${port} did not answer`)
}

/** Starts a render every `everyMs` for `ms`, open loop (as traffic arrives), and gives each one's latency. */
async function openLoop(engine: LooseEngine, ms: number, everyMs: number): Promise<number[]> {
  const pending: Promise<number>[] = []
  const end = performance.now() + ms
  while (performance.now() < end) {
    const start = performance.now()
    pending.push(engine.render(PING, { ip: '198.51.100.20' }).then(() => performance.now() - start))
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return Promise.all(pending)
}

const latency = (values: number[]) => ({
  p50: Number(median(values).toFixed(2)),
  p99: Number(percentile(values, 99).toFixed(1)),
})

/**
 * Cached renders through a Redis-backed rate limit (limit far above the traffic) while a private Redis is
 * stopped with SIGSTOP: the connection stays open and every command hangs until the store's timeout.
 * `onSpawned` hears the redis-server's pid first (and when it has exited), so the parent can stop it if this
 * process dies.
 */
export async function hungRedis(
  root: string,
  onSpawned: (pid: number, exited: Promise<void>) => void,
  seconds = 5,
): Promise<Figures> {
  const port = await freePort()
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  const redisExited = new Promise<void>((resolve) => redis.once('exit', () => resolve()))
  onSpawned(redis.pid!, redisExited)
  try {
    await redisAnswers(port, 10_000)
    const limits = await loadPackage<{ rateLimit(options: unknown): unknown }>(root, 'plugin-rate-limit')
    const store = await loadPackage<{ redisStore(options: unknown): unknown }>(
      root,
      'plugin-rate-limit',
      'redis',
    )
    const { cache } = await loadPackage<{ cache(options: unknown): unknown }>(root, 'plugin-cache')
    const { engine, calls } = await pingEngine(root, [
      limits.rateLimit({
        limit: 1_000_000,
        windowMs: 60_000,
        store: store.redisStore({ url: `redis://127.0.0.1:${port}` }),
      }),
      cache({ ttl: 600 }),
    ])
    for (let i = 0; i < 50; i++) await engine.render(PING, { ip: '198.51.100.20' })
    const healthy = await openLoop(engine, 2_000, 10)
    process.kill(redis.pid!, 'SIGSTOP')
    const stoppedAt = performance.now()
    const hung = await openLoop(engine, seconds * 1000, 10)
    const elapsed = performance.now() - stoppedAt
    // Renders that started after the first second: past the store's first timeout (1 s), when it is known hung.
    const afterFirst = hung.slice(Math.floor(hung.length * (1000 / elapsed)))
    return {
      renders: hung.length,
      handlerCalls: calls(),
      healthy: latency(healthy),
      hung: latency(hung),
      hungAfterFirstSecond: latency(afterFirst),
      over100Ms: hung.filter((ms) => ms > 100).length,
      over100MsAfterFirstSecond: afterFirst.filter((ms) => ms > 100).length,
    }
  } finally {
    process.kill(redis.pid!, 'SIGCONT')
    redis.kill('SIGKILL')
    await redisExited
  }
}

/**
 * 100 renders with a synchronously throwing `intent:after` listener on one engine, then 100 with a rejecting
 * one on another; `onPartial` hears the first run's figures and `onRender` each answered render of the second
 * (the process may not survive it).
 */
export async function throwingListeners(
  root: string,
  onRender: (done: number) => void,
  onPartial: (figures: Figures) => void,
): Promise<Figures> {
  const syncRun = await pingEngine(root)
  syncRun.engine.events.on('intent:after', () => {
    throw new Error('a listener that throws')
  })
  let syncFailed = 0
  for (let i = 0; i < 100; i++) await syncRun.engine.render(PING).catch(() => syncFailed++)
  onPartial({ syncFailed })

  const asyncRun = await pingEngine(root)
  asyncRun.engine.events.on('intent:after', async () => {
    throw new Error('a listener that rejects')
  })
  let asyncFailed = 0
  for (let i = 0; i < 100; i++) {
    await asyncRun.engine.render(PING).then(
      () => onRender(i + 1),
      () => asyncFailed++,
    )
    // Gives an unhandled rejection its turn before the next render.
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { syncFailed, asyncFailed, alive: true }
}
