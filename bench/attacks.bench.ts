/**
 * `pnpm bench attacks` — the figures of the hardening findings (issue 21), measured on this tree and, with
 * IXP_BENCH_BASELINE=<dir> (a checkout of another commit, with its dependencies installed), on that tree in the
 * same run: proxy trust under a rate limit, slow bodies, TOTP guessing, a JWT issued in the future, malformed
 * requests, a 5,000-step workflow, renders while Redis hangs, and throwing event listeners.
 *
 * Every scenario runs in a child process of its own per tree (bench/attacks/child.ts, through the tsx loader
 * and the trees' sources), so a crash, a leak or a hung store of one cannot touch the others; the attacking
 * clients run here. Environment: IXP_BENCH_SLOW_CONNECTIONS (default 500), IXP_BENCH_SLOW_WINDOW_S (how long
 * slow bodies are watched, default 25), IXP_BENCH_SCENARIOS (a comma list, default all).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rawExchange, rotatingForwardedFor, slowBodies, type Memory } from './attacks/clients.js'
import { MALFORMED_REQUESTS } from './attacks/malformed-corpus.js'
import {
  CHILD_FLAG,
  SERVER_SCENARIOS,
  type ChildMessage,
  type ParentMessage,
  type Scenario,
} from './attacks/protocol.js'
import { median, printTable } from './measure.js'

const here = dirname(fileURLToPath(import.meta.url))
const CHILD = join(here, 'attacks', 'child.ts')
/** Longest a scenario may take on one tree before its child is stopped and the scenario reported as hung. */
const SCENARIO_TIMEOUT_MS = 90_000
const MB = 1024 * 1024

/** What a scenario measured on one tree, as the child or the attacking client reports it. */
type Figures = Record<string, unknown>

interface Child {
  process: ChildProcess
  /** The next message of a type. */
  next<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>>
  /** Resolves with the exit code (or signal) when the child exits. */
  exited: Promise<string>
  /** The last `progress` message's count, the figures of `partial` messages, and what the child wrote to stderr. */
  progress(): number
  partial(): Figures
  stderr(): string
}

function start(scenario: Scenario, root: string): Child {
  const child = fork(CHILD, [scenario, root], {
    env: { ...process.env, [CHILD_FLAG]: '1' },
    execArgv: ['--conditions=source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  let progress = 0
  let partial: Figures = {}
  const spawned = new Set<number>()
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)))
  const waiting = new Map<string, (message: ChildMessage) => void>()
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'progress') progress = message.done
    if (message.type === 'spawned') spawned.add(message.pid)
    if (message.type === 'reaped') spawned.delete(message.pid)
    if (message.type === 'partial') partial = { ...partial, ...message.figures }
    waiting.get(message.type)?.(message)
  })
  const exited = new Promise<string>((resolveExit) =>
    child.on('exit', (code, signal) => {
      // A process the child started (a private redis-server) does not outlive it.
      for (const pid of spawned) {
        try {
          process.kill(pid, 'SIGCONT')
          process.kill(pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      resolveExit(signal ?? String(code))
    }),
  )
  return {
    process: child,
    next: (type) =>
      new Promise((resolveMessage, reject) => {
        waiting.set(type, resolveMessage as (message: ChildMessage) => void)
        void exited.then((how) => reject(new Error(`the child exited (${how}) before sending ${type}`)))
      }),
    exited,
    progress: () => progress,
    partial: () => partial,
    stderr: () => stderr,
  }
}

function ask(child: Child, message: ParentMessage): void {
  if (child.process.connected) child.process.send(message)
}

async function memoryOf(child: Child): Promise<Memory> {
  const answer = child.next('memory')
  ask(child, { type: 'memory' })
  const { rss, buffers } = await answer
  return { rss, buffers }
}

/** Drives a server scenario's child from here. */
async function attack(scenario: Scenario, child: Child): Promise<Figures> {
  const { port, config } = await child.next('listening')
  try {
    if (scenario === 'proxy') {
      return { admitted: await rotatingForwardedFor(port, 80, '198.51.100.7'), of: 80, config }
    }
    if (scenario === 'slow') {
      const count = Number(process.env.IXP_BENCH_SLOW_CONNECTIONS ?? 500)
      const windowMs = Number(process.env.IXP_BENCH_SLOW_WINDOW_S ?? 25) * 1000
      const before = await memoryOf(child)
      const stopAfterBytes = 512 * 1024
      const shape = { trickleEveryMs: 2_000, stopAfterBytes }
      const outcome = await slowBodies(port, count, windowMs, shape, () => memoryOf(child))
      return {
        connections: count,
        windowS: windowMs / 1000,
        heldMedianS: Number((median(outcome.heldMs) / 1000).toFixed(1)),
        stillOpen: outcome.stillOpen,
        answered408: outcome.answered408,
        rssBeforeMB: Math.round(before.rss / MB),
        rssPeakMB: Math.round(outcome.peak.rss / MB),
        rssEndMB: Math.round(outcome.end.rss / MB),
        buffersPeakMB: Math.round(outcome.peak.buffers / MB),
        buffersEndMB: Math.round(outcome.end.buffers / MB),
        stoppedAfterKB: stopAfterBytes / 1024,
      }
    }
    const answers = await Promise.all(
      MALFORMED_REQUESTS.map(async ([name, request]) => ({
        name,
        answer: await rawExchange(port, Buffer.from(request, 'latin1'), 5_000),
      })),
    )
    const notJson = answers.filter(({ answer }) => answer.kind !== 'json')
    return {
      json: answers.length - notJson.length,
      of: answers.length,
      notJson: notJson.map(({ name, answer }) => `${name} (${answer.kind} ${answer.status})`),
    }
  } finally {
    ask(child, { type: 'stop' })
  }
}

/** Runs one scenario on one tree. */
async function measure(scenario: Scenario, root: string): Promise<Figures> {
  const child = start(scenario, root)
  const timeout = new Promise<Figures>((resolveTimeout) =>
    setTimeout(
      () => resolveTimeout({ error: `no result within ${SCENARIO_TIMEOUT_MS / 1000} s` }),
      SCENARIO_TIMEOUT_MS,
    ).unref(),
  )
  const work = (SERVER_SCENARIOS as readonly string[]).includes(scenario)
    ? attack(scenario, child)
    : child.next('result').then((message) => message.result)
  try {
    return await Promise.race([work, timeout])
  } catch (error) {
    // The child died (the figure is how), or the attack itself failed (then the child is stopped here).
    const alive = child.process.exitCode === null && child.process.signalCode === null
    if (alive) child.process.kill('SIGKILL')
    const how = await child.exited
    if (alive) return { error: `the attack failed: ${String(error)}` }
    return {
      ...child.partial(),
      exited: how,
      progress: child.progress(),
      stderr: child
        .stderr()
        .split('\n')
        .find((line) => /Error/.test(line)),
    }
  } finally {
    if (child.process.exitCode === null) child.process.kill('SIGKILL')
    await child.exited
  }
}

/** The table cell of a scenario's figures. */
function describe(scenario: Scenario, f: Figures): string {
  if (f.error !== undefined) return String(f.error)
  switch (scenario) {
    case 'proxy':
      return `${f.admitted} of ${f.of} admitted (${f.config})`
    case 'slow':
      return (
        `${f.connections} connections: median held ${f.heldMedianS} s, ${f.stillOpen} still open at ${f.windowS} s, ` +
        `${f.answered408} answered 408 JSON; RSS ${f.rssBeforeMB} → peak ${f.rssPeakMB} → ${f.rssEndMB} MB at ${f.windowS} s, ` +
        `buffers peak ${f.buffersPeakMB} → ${f.buffersEndMB} MB at ${f.windowS} s`
      )
    case 'malformed':
      return `${f.json} of ${f.of} kinds with a JSON error body`
    case 'jwt':
      return `iat +1 day: ${f.futureToken} (iat now: ${f.controlToken})`
    case 'totp':
      return `${f.checked} guesses checked in 5 s, ${f.locked} refused as locked`
    case 'workflow':
      if (f.exited !== undefined) return `process exited (${f.exited})`
      return `${f.outcome}${f.code ? ` ${f.status} ${f.code}` : ''}; ${f.stepsRun} steps ran${f.seconds ? ` in ${f.seconds} s` : ''}${f.warnings ? `, ${f.warnings} MaxListenersExceededWarning` : ''}`
    case 'redis': {
      const at = (latency: unknown) => {
        const { p50, p99 } = latency as { p50: number; p99: number }
        return `${p50} / ${p99} ms`
      }
      return (
        `p50/p99 ${at(f.hung)} (after the first second ${at(f.hungAfterFirstSecond)}), ` +
        `${f.over100Ms} of ${f.renders} renders over 100 ms; Redis up: ${at(f.healthy)}`
      )
    }
    case 'listener':
      if (f.exited !== undefined) {
        return (
          `process exited (${f.exited}) after ${f.progress} of 100 renders with a rejecting listener ` +
          `(throwing listener: ${f.syncFailed} of 100 renders failed)`
        )
      }
      return `alive after 100 renders (rejecting listener: ${f.asyncFailed} failed; throwing listener: ${f.syncFailed} of 100 failed)`
  }
}

const FINDINGS: Record<Scenario, string> = {
  proxy: '3. rotating X-Forwarded-For behind 1 trusted hop, limit 50',
  slow: '5. slow chunked bodies (half stop after 512 KB, half send 1 byte every 2 s)',
  totp: '7. TOTP guesses for one subject in 5 s',
  jwt: '7. JWT with iat a day in the future',
  malformed: '8. malformed requests (clientError corpus)',
  workflow: '6. workflow of 5,000 steps',
  redis: '7. cached renders, one every 10 ms, Redis hung (SIGSTOP) 5 s',
  listener: '1. rejecting intent:after listener, 100 renders',
}

export default async function run(): Promise<void> {
  const trees = [{ name: 'this tree', root: resolve(here, '..') }]
  const baseline = process.env.IXP_BENCH_BASELINE
  if (baseline !== undefined) trees.push({ name: 'baseline tree', root: resolve(baseline) })
  const wanted = process.env.IXP_BENCH_SCENARIOS?.split(',').map((name) => name.trim())
  const scenarios = (Object.keys(FINDINGS) as Scenario[]).filter(
    (scenario) => wanted === undefined || wanted.includes(scenario),
  )
  const rows: Record<string, string>[] = []
  for (const scenario of scenarios) {
    const row: Record<string, string> = { finding: FINDINGS[scenario] }
    const results: Figures[] = []
    // Slow bodies watch separate processes' connections and memory over a long window: both trees at once.
    if (scenario === 'slow')
      results.push(...(await Promise.all(trees.map((tree) => measure(scenario, tree.root)))))
    else for (const tree of trees) results.push(await measure(scenario, tree.root))
    trees.forEach((tree, i) => {
      console.log(`${scenario} on ${tree.name}: ${JSON.stringify(results[i])}`)
      row[tree.name] = describe(scenario, results[i]!)
    })
    rows.push(row)
  }
  console.log('')
  printTable(rows)
}
