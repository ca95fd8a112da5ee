/**
 * `pnpm bench stack` — `POST /ixp/render` through node:http servers under the same load, interleaved in one run:
 * bare node:http answering the same bytes with the two headers it needs (the baseline), the plain engine
 * (`@ixp/plugin-http/node`), the engine with the plugin stack a realistic application installs — tracing (no
 * OpenTelemetry SDK), auth (the intent is public, the request has no credentials), rate limit (memory store) and
 * cache (memory, every request a hit after the first) — and, for reading the others, bare node:http sending the
 * plain engine's answer with all of its headers (what node itself costs to write the default security headers),
 * and Fastify 5 answering the same bytes from a hand-written route (its JSON-schema check of the body, the answer
 * serialised per request): the reference issue 19's targets were set against, measured on the same machine in the
 * same rounds, because the ratios to bare move with the machine (bare's own cost per request does) — once as
 * written, once also sending the engine's default headers and a request id (the same answer, byte for byte but the
 * date and the id); last, bare node:http with those headers that also parses each body and serialises the answer
 * (the JSON work every server of the protocol does, and nothing else).
 * Reported: req/s and server CPU per request — the server process's CPU time (every thread, GC helpers included)
 * read from `/proc/<pid>/stat` by the bench, robust to other load on a shared machine — medians of interleaved
 * rounds, as ratios to bare, with the kernel's share and the spread of the rounds. Each server runs in a process
 * of its own: in one shared process the plain engine and bare node:http paid for the plugin stack's heap (slower
 * garbage collection) and its timers, which inflated both figures. A warm-up of a few seconds per server comes
 * first: V8 keeps re-optimising node's stream code for several seconds after the first requests.
 * Targets (issue 19): plain engine ≤ 1.35×, four-plugin stack ≤ 1.7× bare's server CPU per request (set where
 * Fastify's route measured 1.44×: the plain engine ahead of Fastify, the stack within 1.18× of it).
 *
 * Environment: IXP_BENCH_SECONDS (per measurement, default 3), IXP_BENCH_ROUNDS (default 5),
 * IXP_BENCH_CONNECTIONS (default 50 with wrk, 16 with autocannon), IXP_BENCH_WARMUP_SECONDS (per server,
 * default 3), IXP_BENCH_LOAD (`wrk`: one wrk thread, issue 19's own method and the default where wrk is
 * installed; `autocannon`, the fallback, in the bench's own process), IXP_BENCH_BASELINE (a
 * source tree whose plain engine and stack are measured in the same rounds, e.g. a worktree of main),
 * IXP_BENCH_INSTRUCTIONS=1 (then every server is also counted in instructions per request under callgrind:
 * `server-instructions.ts`).
 */
import { execFile, fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleForNode } from './bundle.js'
import { countingInstructions } from './instructions.js'
import { bareJsonServer, isInstalled, listen, median, printTable, reportCpuOnRequest } from './measure.js'
import { serverInstructions, type ServerInstructions } from './server-instructions.js'

const CHILD_FLAG = 'IXP_STACK_BENCH_CHILD'
/** Which server a child serves: an index into {@link TARGETS}. */
const TARGET_ENV = 'IXP_STACK_BENCH_TARGET'
const RENDER_BODY = JSON.stringify({
  intent: { name: 'product_details', parameters: { productId: 'p-1', quantity: 2 } },
})
const TARGETS = [
  'bare node:http',
  'plain engine',
  'tracing+auth+rate limit+cache',
  "bare node:http + engine's headers",
  'Fastify 5, hand-written route',
  "Fastify 5, route + engine's headers",
  "bare node:http + engine's headers + JSON",
] as const

/** The parameters of the bench's intent, as the engine registers them and Fastify's route checks them. */
const PARAMETERS = {
  type: 'object',
  properties: { productId: { type: 'string', maxLength: 32 }, quantity: { type: 'integer' } },
  required: ['productId'],
}

/** A child: one of the servers on loopback (the plugins are loaded only by the one that uses them). */
async function serve(): Promise<void> {
  const core = await import('../packages/core/src/index.js')
  const { createNodeServer } = await import('../packages/plugin-http/src/node/index.js')

  const { h } = await import('../packages/core/src/tree/index.js')
  const engineWith = async (plugins: Parameters<InstanceType<typeof core.Engine>['use']>[0][]) => {
    const engine = core.createEngine({ logger: core.silentLogger })
    for (const plugin of plugins) engine.use(plugin)
    engine.registerComponent({
      name: 'ProductCard',
      render: (props) =>
        h('div', { class: 'card' }, h('h2', null, String(props.name)), `Price: ${String(props.price)}`),
    })
    engine.registerIntent({
      name: 'product_details',
      description: 'Product details',
      component: 'ProductCard',
      parameters: PARAMETERS,
      handler: (params) => ({ name: `Product ${String(params.productId)}`, price: 12.5 }),
      auth: { public: true },
    })
    await engine.ready()
    return engine
  }
  /** The plain engine's answer to the bench's request (body and headers), from a plain engine started for it. */
  const plainAnswer = async () => {
    const plainServer = createNodeServer(await engineWith([]))
    const answer = await fetch(`http://127.0.0.1:${await listen(plainServer)}/ixp/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: RENDER_BODY,
    })
    const body = await answer.text()
    plainServer.close()
    return { body, headers: answer.headers }
  }
  const target = Number(process.env[TARGET_ENV])
  let port: number
  /** The plain engine's answer with the headers it always sends (not those node or each request sets). */
  const answerWithHeaders = async () => {
    const { body, headers } = await plainAnswer()
    const constant: string[] = []
    headers.forEach((value, name) => {
      if (!['content-length', 'date', 'connection', 'keep-alive', 'x-request-id'].includes(name))
        constant.push(name, value)
    })
    return { body, constant }
  }
  /** Request ids as the engine makes them: a random prefix and a counter. */
  const prefix = `${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}-`
  let requests = 0
  const requestId = () => prefix + (++requests).toString(36)
  if (target === 4) {
    port = await fastifyServer(JSON.parse((await plainAnswer()).body) as Record<string, unknown>)
  } else if (target === 5) {
    // Fastify's route sending what the engine sends: the same answer with the same headers.
    const { body, constant } = await answerWithHeaders()
    const headers: Record<string, string> = {}
    for (let i = 0; i < constant.length; i += 2) headers[constant[i]!] = constant[i + 1]!
    port = await fastifyServer(JSON.parse(body) as Record<string, unknown>, headers, requestId)
  } else if (target === 3 || target === 6) {
    // What node:http itself costs to send the plain engine's answer with all its headers (the default security
    // and CORS headers, a request id): the part of the engine's figure that no engine code can remove. Target 6
    // also does the JSON work any server of the protocol does per request: it reads the body as text, parses it
    // and serialises the answer, with no check, render or bookkeeping (the floor under every engine).
    const { body: renderJson, constant } = await answerWithHeaders()
    const answer = JSON.parse(renderJson) as unknown
    const length = String(Buffer.byteLength(renderJson))
    const respond = (res: ServerResponse, json: string, contentLength: string) => {
      const headers = constant.slice()
      headers.push('x-request-id', requestId(), 'content-length', contentLength)
      res.writeHead(200, headers)
      res.end(json)
    }
    port = await listen(
      createServer((req, res) => {
        if (target === 3) {
          req.resume()
          req.on('end', () => respond(res, renderJson, length))
          return
        }
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          // A builtin that may throw: V8 never drops the call, used or not.
          JSON.parse(Buffer.concat(chunks).toString('utf8'))
          const json = JSON.stringify(answer)
          respond(res, json, String(Buffer.byteLength(json)))
        })
      }),
    )
  } else if (target === 2) {
    const { tracing } = await import('../packages/plugin-tracing/src/index.js')
    const { auth } = await import('../packages/plugin-auth/src/index.js')
    const { rateLimit } = await import('../packages/plugin-rate-limit/src/index.js')
    const { cache } = await import('../packages/plugin-cache/src/index.js')
    const stacked = await engineWith([
      tracing(),
      auth({ jwt: { secret: 'a-benchmark-secret-that-is-long-enough-for-hs256' } }),
      rateLimit({ limit: 1e9, windowMs: 3_600_000 }),
      cache(),
    ])
    port = await listen(createNodeServer(stacked))
  } else if (target === 0) {
    // The bare server answers what the plain engine answers (same bytes), computed once.
    const renderJson = (await plainAnswer()).body
    port = await listen(bareJsonServer(() => renderJson))
  } else {
    port = await listen(createNodeServer(await engineWith([])))
  }
  reportCpuOnRequest()
  process.send!({ port })
  process.on('disconnect', () => process.exit(0))
}

/**
 * Fastify 5 with the route an application would write by hand: the body checked against a JSON schema (the
 * intent's parameters inside the protocol's envelope), the handler's answer serialised by Fastify per request;
 * with `headers`, the route also sends those and a request id (what the engine sends by default).
 */
async function fastifyServer(
  answer: Record<string, unknown>,
  headers?: Record<string, string>,
  requestId?: () => string,
): Promise<number> {
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  const body = {
    type: 'object',
    properties: {
      intent: {
        type: 'object',
        properties: { name: { type: 'string' }, parameters: PARAMETERS },
        required: ['name', 'parameters'],
      },
    },
    required: ['intent'],
  }
  if (headers === undefined) app.post('/ixp/render', { schema: { body } }, async () => answer)
  else {
    app.post('/ixp/render', { schema: { body } }, async (_request, reply) => {
      reply.headers(headers).header('x-request-id', requestId!())
      return answer
    })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as { port: number }).port
}

interface Sample {
  rps: number
  /** Server CPU microseconds per request (user + system, every thread of the server's process). */
  cpu: number
  /** The part of it spent in the kernel (sockets, and the wake-ups of V8's GC threads). */
  sys: number
}

interface CpuTime {
  user: number
  sys: number
}

/** Clock ticks per second of `/proc/<pid>/stat` (100 on every Linux the project runs on). */
const CLOCK_TICKS = 100

/**
 * The server process's CPU time in µs, read by this process from `/proc/<pid>/stat` (every thread, the server
 * asked nothing and runs no code for it); elsewhere the server reports its own `process.cpuUsage()`.
 */
function serverCpu(child: ChildProcess): Promise<CpuTime> {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) — utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const tick = 1e6 / CLOCK_TICKS
    return Promise.resolve({ user: Number(fields[11]) * tick, sys: Number(fields[12]) * tick })
  } catch {
    return new Promise((resolve) => {
      // `reportCpuOnRequest` answers user + system together.
      child.once('message', (message) => resolve({ user: (message as { cpu: number }).cpu, sys: 0 }))
      child.send('cpu')
    })
  }
}

/** What one load run gives: requests answered, and how many of them were not 2xx or failed. */
interface Load {
  requests: number
  failures: number
}

/** The load generator: wrk (issue 19's own method, the default where it is installed), or autocannon. */
type LoadGenerator = (url: string, seconds: number, connections: number) => Promise<Load>

async function autocannonLoad(url: string, seconds: number, connections: number): Promise<Load> {
  const { default: autocannon } = await import('autocannon')
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    body: RENDER_BODY,
    headers: { 'content-type': 'application/json' },
  })
  return { requests: result.requests.total, failures: result.non2xx + result.errors }
}

/**
 * wrk with one thread, as issue 19 measured: a C client takes less of the shared machine's CPU than autocannon,
 * so less of the server's figure is the two competing for two cores. Needs `wrk` on the PATH.
 */
function wrkLoad(script: string): LoadGenerator {
  return (url, seconds, connections) =>
    new Promise((resolve, reject) => {
      execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url], (error, stdout) => {
        if (error)
          return reject(new Error(`wrk failed (is it installed? apt-get install wrk): ${error.message}`))
        const requests = Number(/(\d+) requests in/.exec(stdout)?.[1])
        const failures =
          Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) +
          (/Socket errors/.test(stdout) ? 1 : 0)
        resolve({ requests, failures })
      })
    })
}

async function measure(
  load: LoadGenerator,
  child: ChildProcess,
  url: string,
  seconds: number,
  connections: number,
) {
  const before = await serverCpu(child)
  const started = performance.now()
  const { requests, failures } = await load(url, seconds, connections)
  const elapsedSeconds = (performance.now() - started) / 1000
  if (failures > 0 || !(requests > 0)) {
    throw new Error(`${url}: ${failures} non-2xx answers or errors of ${requests} requests`)
  }
  const after = await serverCpu(child)
  return {
    rps: requests / elapsedSeconds,
    cpu: (after.user - before.user + after.sys - before.sys) / requests,
    sys: (after.sys - before.sys) / requests,
  } satisfies Sample
}

/**
 * The same servers counted in instructions per request under callgrind (`IXP_BENCH_INSTRUCTIONS=1`, needs
 * valgrind; a few minutes per server), one after another: figures that do not move with the machine's load.
 */
async function countInstructions(servers: { name: string; bundle: string; target: number }[]): Promise<void> {
  const counts: ServerInstructions[] = []
  for (const server of servers) {
    counts.push(
      await serverInstructions(
        server.bundle,
        { [CHILD_FLAG]: '1', [TARGET_ENV]: String(server.target) },
        { path: '/ixp/render', body: RENDER_BODY },
      ),
    )
  }
  console.log('\nInstructions per request under callgrind (15,000 requests of warm-up, 5,000 counted):\n')
  const bare = counts[0]!
  printTable(
    servers.map((server, i) => ({
      server: server.name,
      'all threads': Math.round(counts[i]!.total).toLocaleString('en-US'),
      'main thread': Math.round(counts[i]!.mainThread).toLocaleString('en-US'),
      'main thread vs bare': `${(counts[i]!.mainThread / bare.mainThread).toFixed(2)}×`,
      'vs Fastify': `${(counts[i]!.mainThread / counts[4]!.mainThread).toFixed(2)}×`,
      "vs Fastify + engine's headers": `${(counts[i]!.mainThread / counts[5]!.mainThread).toFixed(2)}×`,
    })),
  )
}

export default async function run(): Promise<void> {
  const seconds = Number(process.env.IXP_BENCH_SECONDS ?? 3)
  const rounds = Number(process.env.IXP_BENCH_ROUNDS ?? 5)
  const warmup = Number(process.env.IXP_BENCH_WARMUP_SECONDS ?? 3)
  const counting = await countingInstructions()
  const loadName = process.env.IXP_BENCH_LOAD ?? ((await isInstalled('wrk', ['-v'])) ? 'wrk' : 'autocannon')
  if (loadName !== 'autocannon' && loadName !== 'wrk') {
    throw new Error(`IXP_BENCH_LOAD must be 'autocannon' or 'wrk' (got '${loadName}')`)
  }
  if (process.env.IXP_BENCH_LOAD === undefined && loadName === 'autocannon') {
    console.log(
      "wrk is not installed (apt-get install wrk): loading with autocannon, not issue 19's method\n",
    )
  }
  // Issue 19 measured with one wrk thread and 50 connections; autocannon shares the two cores with the servers.
  const connections = Number(process.env.IXP_BENCH_CONNECTIONS ?? (loadName === 'wrk' ? 50 : 16))
  const dir = mkdtempSync(join(tmpdir(), 'ixp-stack-bench-'))
  let load: LoadGenerator = autocannonLoad
  if (loadName === 'wrk') {
    const script = join(dir, 'render.lua')
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = '${RENDER_BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
    )
    load = wrkLoad(script)
  }
  // The children run a bundle of the sources (as the published build is), not the tsx loader.
  const bundle = async (entry: string, name: string) => {
    const outfile = join(dir, name)
    await bundleForNode({ entryPoints: [entry], outfile, external: ['autocannon', 'esbuild'] })
    return outfile
  }
  const servers: { name: string; bundle: string; target: number }[] = []
  const own = await bundle(fileURLToPath(import.meta.url), 'servers.mjs')
  TARGETS.forEach((name, target) => servers.push({ name, bundle: own, target }))
  // IXP_BENCH_BASELINE=<dir>: the plain engine and the stack built from another source tree (its own stack bench
  // and sources), measured in the same rounds, so a change is compared with the code before it in one run.
  const baseline = process.env.IXP_BENCH_BASELINE
  if (baseline !== undefined) {
    const before = await bundle(join(baseline, 'bench/stack.bench.ts'), 'baseline-servers.mjs')
    servers.push({ name: `${TARGETS[1]} (baseline tree)`, bundle: before, target: 1 })
    servers.push({ name: `${TARGETS[2]} (baseline tree)`, bundle: before, target: 2 })
  }
  const children: ChildProcess[] = servers.map((server) =>
    fork(server.bundle, [], {
      env: { ...process.env, [CHILD_FLAG]: '1', [TARGET_ENV]: String(server.target) },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  )
  try {
    const ports = await Promise.all(
      children.map(
        (child) =>
          new Promise<number>((resolve, reject) => {
            child.once('message', (message) => resolve((message as { port: number }).port))
            child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
          }),
      ),
    )
    const urls = servers.map((_, i) => `http://127.0.0.1:${ports[i]}/ixp/render`)
    const samples: Sample[][] = servers.map(() => [])
    // Warm-up: node's and the engine's code is re-optimised for a few seconds after the first requests.
    for (let i = 0; i < servers.length; i++) await measure(load, children[i]!, urls[i]!, warmup, connections)
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < servers.length; i++) {
        const index = (round + i) % servers.length
        samples[index]!.push(await measure(load, children[index]!, urls[index]!, seconds, connections))
      }
    }
    const summary = servers.map((server, i) => {
      const cpus = samples[i]!.map((s) => s.cpu)
      return {
        target: server.name,
        rps: median(samples[i]!.map((s) => s.rps)),
        cpu: median(cpus),
        sys: median(samples[i]!.map((s) => s.sys)),
        spread: `${Math.min(...cpus).toFixed(1)}–${Math.max(...cpus).toFixed(1)}`,
      }
    })
    const bare = summary[0]!
    console.log(
      `${rounds} interleaved rounds of ${seconds} s, ${connections} connections (${loadName}), loopback (medians); ` +
        `load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}\n`,
    )
    printTable(
      summary.map((row) => ({
        server: row.target,
        'req/s': Math.round(row.rps).toLocaleString('en-US'),
        'req/s vs bare': (row.rps / bare.rps).toFixed(2),
        'server CPU µs/req': row.cpu.toFixed(1),
        'of it kernel': row.sys.toFixed(1),
        'rounds (min–max)': row.spread,
        'CPU/req vs bare': `${(row.cpu / bare.cpu).toFixed(2)}×`,
      })),
    )
    const fastify = summary[4]!
    const fastifyWithHeaders = summary[5]!
    console.log(
      `\ntargets: plain engine ≤ 1.35×, four-plugin stack ≤ 1.7× bare's server CPU per request; measured ` +
        `${(summary[1]!.cpu / bare.cpu).toFixed(2)}× and ${(summary[2]!.cpu / bare.cpu).toFixed(2)}×\n` +
        `against Fastify's hand-written route in the same rounds (the targets were set where it was 1.44× bare: ` +
        `plain ≤ 0.94×, stack ≤ 1.18× of it): ${(summary[1]!.cpu / fastify.cpu).toFixed(2)}× and ` +
        `${(summary[2]!.cpu / fastify.cpu).toFixed(2)}×; against the same route sending the engine's headers: ` +
        `${(summary[1]!.cpu / fastifyWithHeaders.cpu).toFixed(2)}× and ` +
        `${(summary[2]!.cpu / fastifyWithHeaders.cpu).toFixed(2)}×\n` +
        `floor under any engine (node:http writing the engine's headers, the body parsed, the answer serialised): ` +
        `${(summary[6]!.cpu / bare.cpu).toFixed(2)}× bare`,
    )
    if (counting) await countInstructions(servers)
  } finally {
    for (const child of children) child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.env[CHILD_FLAG] === '1') await serve()
