/**
 * The child process of `pnpm bench attacks`: runs one scenario against one source tree (argv: scenario, tree
 * root) and talks to the benchmark over IPC (see protocol.ts). Server scenarios serve HTTP until told to stop,
 * so the attacking clients (and their memory) stay in the parent.
 */
import {
  CHILD_FLAG,
  SERVER_SCENARIOS,
  type ChildMessage,
  type ParentMessage,
  type Scenario,
  type ServerScenario,
} from './protocol.js'
import { futureIat, hugeWorkflow, hungRedis, throwingListeners, totpGuessing } from './self-scenarios.js'
import { listenOnLoopback, loadPackage, pingEngine, type LooseEngine, type LooseServer } from './tree.js'

interface NodeModule {
  createNodeServer(engine: LooseEngine, options?: Record<string, unknown>): LooseServer
}

function send(message: ChildMessage): void {
  process.send!(message)
}

/**
 * The server of a server scenario. `proxy` trusts one proxy hop in front and limits each client to 50 a minute:
 * this tree says so with `trustProxy: 1`; the tree before the hardening only had `trustProxy: true` (which it
 * took as "believe the leftmost X-Forwarded-For entry"), and this tree refuses `true` — so trying `true` first
 * tells the two apart.
 */
async function serve(root: string, scenario: ServerScenario): Promise<void> {
  const http = await loadPackage<NodeModule>(root, 'plugin-http', 'node')
  let server: LooseServer
  let config = 'defaults'
  if (scenario === 'proxy') {
    const { rateLimit } = await loadPackage<{ rateLimit(options: unknown): unknown }>(
      root,
      'plugin-rate-limit',
    )
    const { engine } = await pingEngine(root, [rateLimit({ limit: 50, windowMs: 60_000, key: 'ip' })])
    try {
      server = http.createNodeServer(engine, { trustProxy: true })
      config = 'trustProxy: true'
    } catch {
      server = http.createNodeServer(engine, { trustProxy: 1 })
      config = 'trustProxy: 1'
    }
  } else {
    server = http.createNodeServer((await pingEngine(root)).engine)
  }
  const port = await listenOnLoopback(server)
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') process.exit(0)
    // Retained memory, not garbage not yet collected (the child runs with --expose-gc).
    globalThis.gc?.()
    const { rss, arrayBuffers } = process.memoryUsage()
    send({ type: 'memory', rss, buffers: arrayBuffers })
  })
  send({ type: 'listening', port, config })
}

async function run(scenario: Scenario, root: string): Promise<void> {
  if ((SERVER_SCENARIOS as readonly string[]).includes(scenario)) {
    await serve(root, scenario as ServerScenario)
    return
  }
  const progress = (done: number) => send({ type: 'progress', done })
  const spawned = (pid: number, exited: Promise<void>) => {
    send({ type: 'spawned', pid })
    void exited.then(() => send({ type: 'reaped', pid }))
  }
  const runs: Record<string, () => Promise<Record<string, unknown>>> = {
    jwt: () => futureIat(root),
    totp: () => totpGuessing(root),
    workflow: () => hugeWorkflow(root),
    redis: () => hungRedis(root, spawned),
    listener: () => throwingListeners(root, progress, (figures) => send({ type: 'partial', figures })),
  }
  send({ type: 'result', result: await runs[scenario]!() })
  process.disconnect()
}

if (process.env[CHILD_FLAG] === '1') {
  const [scenario, root] = process.argv.slice(2) as [Scenario, string]
  await run(scenario, root)
}
