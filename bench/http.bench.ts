/**
 * `pnpm bench http` — `POST /ixp/render` and `GET /ixp/intents` through a real node:http server
 * (`@ixp/plugin-http/node`) under load, against a bare node:http server answering a fixed JSON of the same
 * size, interleaved in the same run. The servers run in a child process and autocannon in this one, so the
 * load generator does not steal the servers' event loop; everything stays on 127.0.0.1. The child runs an
 * esbuild bundle of the sources (as the published build is), not the tsx loader, whose per-closure naming
 * helper would be measured otherwise.
 *
 * Environment: IXP_BENCH_SECONDS (per measurement, default 3), IXP_BENCH_ROUNDS (default 5),
 * IXP_BENCH_CONNECTIONS (default 16). IXP_BENCH_BASELINE=<dir>: also serve the sources of another tree (e.g.
 * `git archive <commit> tsconfig.base.json bench packages | tar -x -C <dir>`) from its own child process, interleaved in the same
 * rounds, so a change is measured against the code before it in one run.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleForNode } from './bundle.js'
import { bareJsonServer, listen, median, printTable, reportCpuOnRequest } from './measure.js'

const CHILD_FLAG = 'IXP_HTTP_BENCH_CHILD'
const FIXTURES_ENV = 'IXP_HTTP_BENCH_FIXTURES'
const RENDER_BODY = JSON.stringify({
  intent: { name: 'show_weather', parameters: { city: 'Paris', units: 'metric', days: 3 } },
})

interface Ports {
  ixp: number
  bare: number
}

/** The child: the IXP server and the bare server, both on loopback. */
async function serve(): Promise<void> {
  const core = await import('../packages/core/src/index.js')
  const { createNodeServer } = await import('../packages/plugin-http/src/node/index.js')
  const { loadComponents, loadIntents } = await import('../packages/core/src/reference-files/index.js')
  // The reference fixtures hold an intent whose component is deliberately missing (`ghost_intent`).
  const engine = core.createEngine({ logger: core.silentLogger, validation: { missingComponents: 'warn' } })
  const read = (name: string) =>
    JSON.parse(readFileSync(join(process.env[FIXTURES_ENV]!, name), 'utf8')) as unknown
  for (const component of loadComponents(read('components.json'))) engine.registerComponent(component)
  for (const intent of loadIntents(read('intents.json'))) engine.registerIntent(intent)
  await engine.ready()
  const ixp = createNodeServer(engine)
  const ixpPort = await listen(ixp)

  // The bare server answers what the IXP server answers (same bytes), computed once.
  const fetchText = async (path: string, init?: RequestInit) =>
    (await fetch(`http://127.0.0.1:${ixpPort}${path}`, init)).text()
  const renderJson = await fetchText('/ixp/render', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: RENDER_BODY,
  })
  const intentsJson = await fetchText('/ixp/intents')
  const bare = bareJsonServer((url) => (url === '/ixp/render' ? renderJson : intentsJson))
  const barePort = await listen(bare)
  reportCpuOnRequest()
  process.send!({ ixp: ixpPort, bare: barePort } satisfies Ports)
  process.on('disconnect', () => process.exit(0))
}

interface Sample {
  rps: number
  p50: number
  p99: number
  /** Server CPU microseconds per request (robust to other load on a shared machine). */
  cpu: number
}

/** The servers' CPU time so far, in microseconds. */
function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { cpu: number }).cpu))
    child.send('cpu')
  })
}

async function measure(
  child: ChildProcess,
  url: string,
  post: boolean,
  seconds: number,
  connections: number,
): Promise<Sample> {
  const before = await serverCpu(child)
  const { default: autocannon } = await import('autocannon')
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(post
      ? { method: 'POST' as const, body: RENDER_BODY, headers: { 'content-type': 'application/json' } }
      : {}),
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  const cpu = (await serverCpu(child)) - before
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu: cpu / result.requests.total,
  }
}

/** Bundles a bench file's servers (its own sources, or another tree's) and starts them in a child process. */
async function startServers(
  entry: string,
  bundle: string,
  fixtures: string,
  alias: Record<string, string> = {},
): Promise<{ process: ChildProcess; ports: Promise<Ports> }> {
  await bundleForNode({ entryPoints: [entry], outfile: bundle, external: ['autocannon', 'esbuild'], alias })
  const child: ChildProcess = fork(bundle, [], {
    env: { ...process.env, [CHILD_FLAG]: '1', [FIXTURES_ENV]: fixtures },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ports = new Promise<Ports>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Ports))
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
  })
  return { process: child, ports }
}

export default async function run(): Promise<void> {
  const seconds = Number(process.env.IXP_BENCH_SECONDS ?? 3)
  const rounds = Number(process.env.IXP_BENCH_ROUNDS ?? 5)
  const connections = Number(process.env.IXP_BENCH_CONNECTIONS ?? 16)
  const here = fileURLToPath(import.meta.url)
  const dir = mkdtempSync(join(tmpdir(), 'ixp-http-bench-'))
  const fixtures = fileURLToPath(new URL('../packages/plugin-http/test/fixtures/', import.meta.url))
  const child = await startServers(here, join(dir, 'servers.mjs'), fixtures)
  const baselineTree = process.env.IXP_BENCH_BASELINE
  const baseline =
    baselineTree === undefined
      ? undefined
      : await startServers(join(baselineTree, 'bench/http.bench.ts'), join(dir, 'baseline.mjs'), fixtures, {
          '@ixp/core': join(baselineTree, 'packages/core/src/index.ts'),
        })
  try {
    const ports = await child.ports
    const baselinePorts = await baseline?.ports
    const cases = [
      { name: 'POST /render', path: '/ixp/render', post: true },
      { name: 'GET /intents', path: '/ixp/intents', post: false },
    ]
    const targets = [
      { name: 'bare node:http', port: ports.bare, process: child.process },
      { name: '@ixp/plugin-http', port: ports.ixp, process: child.process },
    ]
    if (baseline !== undefined && baselinePorts !== undefined) {
      targets.push({ name: 'baseline tree', port: baselinePorts.ixp, process: baseline.process })
    }
    const runs = cases.flatMap((c) =>
      targets.map((t) => ({
        ...c,
        target: t.name,
        process: t.process,
        url: `http://127.0.0.1:${t.port}${c.path}`,
      })),
    )
    const samples = new Map<string, Sample[]>(runs.map((r) => [`${r.name}|${r.target}`, []]))
    // Warm-up: JIT, connection pools, caches.
    for (const r of runs) await measure(r.process, r.url, r.post, 1, connections)
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < runs.length; i++) {
        const r = runs[(round + i) % runs.length]!
        samples
          .get(`${r.name}|${r.target}`)!
          .push(await measure(r.process, r.url, r.post, seconds, connections))
      }
    }
    const rows: Record<string, string | number>[] = []
    const summary = new Map<string, { rps: number; cpu: number }>()
    const percent = (value: number) => `${(value * 100).toFixed(0)}%`
    for (const r of runs) {
      const list = samples.get(`${r.name}|${r.target}`)!
      const rps = median(list.map((s) => s.rps))
      const cpu = median(list.map((s) => s.cpu))
      summary.set(`${r.name}|${r.target}`, { rps, cpu })
      const bare = summary.get(`${r.name}|bare node:http`)
      const isBare = bare === undefined || r.target === 'bare node:http'
      rows.push({
        route: r.name,
        server: r.target,
        'req/s (median)': Math.round(rps).toLocaleString('en-US'),
        'p50 ms': median(list.map((s) => s.p50)),
        'p99 ms': median(list.map((s) => s.p99)),
        'req/s vs bare': isBare ? '' : percent(rps / bare.rps),
        'server CPU µs/req': cpu.toFixed(1),
        'CPU-bound vs bare': isBare ? '' : percent(bare.cpu / cpu),
      })
    }
    console.log(
      `${rounds} interleaved rounds of ${seconds} s, ${connections} connections, loopback (medians)\n`,
    )
    printTable(rows)
    const ixp = summary.get('POST /render|@ixp/plugin-http')!
    const bare = summary.get('POST /render|bare node:http')!
    console.log(
      `\nPOST /render: ${percent(ixp.rps / bare.rps)} of the bare server's req/s, ` +
        `${percent(bare.cpu / ixp.cpu)} by server CPU per request (target ≥ 60%)`,
    )
    for (const route of cases.map((c) => c.name)) {
      const before = summary.get(`${route}|baseline tree`)
      const after = summary.get(`${route}|@ixp/plugin-http`)!
      if (before === undefined) continue
      console.log(
        `${route}: this tree vs the baseline tree — ${percent(after.rps / before.rps)} of its req/s, ` +
          `${percent(before.cpu / after.cpu)} by server CPU per request`,
      )
    }
  } finally {
    child.process.kill()
    baseline?.process.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.env[CHILD_FLAG] === '1') await serve()
