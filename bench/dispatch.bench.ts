/**
 * `pnpm bench dispatch` — plugin-http's dispatcher and the core render of one `POST /ixp/render`, in process, with
 * no socket: the JavaScript a render request costs on the server, without node:http and the kernel (a third to a
 * half of the whole request, and the noisiest part of it on a shared machine). The request is the http
 * benchmark's (`show_weather`, a remote component); the body is already read, as the node adapter hands it over.
 * Reported: CPU nanoseconds per request, medians of rotating rounds.
 *
 * IXP_BENCH_BASELINE=<dir>: the same dispatcher built from another source tree (its core and plugin-http sources),
 * in the same process and rounds, so a change is measured against the code before it in one run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createEngine, silentLogger } from '@ixp/core'
import { loadComponents, loadIntents } from '../packages/core/src/reference-files/index.js'
import { createHttpHandler } from '../packages/plugin-http/src/index.js'
import { median, printTable } from './measure.js'

const FIXTURES = fileURLToPath(new URL('../packages/plugin-http/test/fixtures/', import.meta.url))
const BODY = JSON.stringify({
  intent: { name: 'show_weather', parameters: { city: 'Paris', units: 'metric', days: 3 } },
})
const DISPATCH = Symbol.for('@ixp/plugin-http.dispatch')

type Dispatch = (request: unknown) => { status: number; body: unknown } | Promise<unknown>

/** Builds the engine and handler (of the tree this module was bundled from) and gives one request's dispatch. */
export async function prepare(fixtures: string): Promise<() => unknown> {
  const engine = createEngine({ logger: silentLogger, validation: { missingComponents: 'warn' } })
  const read = (name: string) => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as unknown
  for (const component of loadComponents(read('components.json'))) engine.registerComponent(component)
  for (const intent of loadIntents(read('intents.json'))) engine.registerIntent(intent)
  await engine.ready()
  const handler = createHttpHandler(engine) as unknown as Record<symbol, Dispatch>
  const dispatch = handler[DISPATCH]!
  const signal = new AbortController().signal
  const headers: Record<string, string> = {
    host: '127.0.0.1:3000',
    'content-type': 'application/json',
    'content-length': String(BODY.length),
    connection: 'keep-alive',
  }
  const body = { present: true, length: BODY.length, text: () => BODY }
  // What the node adapter hands the dispatcher: a transport request whose body was read already.
  const request = () => ({
    method: 'POST',
    path: '/ixp/render',
    relative: false,
    query: '',
    signal,
    ip: '127.0.0.1',
    body,
    header: (name: string) => headers[name],
    headers: () => headers,
    toWeb: () => {
      throw new Error('not used by the render route')
    },
  })
  const one = () => {
    const answer = dispatch(request())
    if (answer instanceof Promise || answer.status !== 200)
      throw new Error('the render did not answer 200 at once')
    return answer
  }
  one()
  return one
}

/** CPU nanoseconds per call over `count` calls. */
function cpuNsPerCall(fn: () => unknown, count: number): number {
  const before = process.cpuUsage()
  for (let i = 0; i < count; i++) fn()
  const used = process.cpuUsage(before)
  return ((used.user + used.system) * 1000) / count
}

export default async function run(): Promise<void> {
  const rounds = Number(process.env.IXP_BENCH_ROUNDS ?? 9)
  const count = 50_000
  const trees = [{ name: 'this tree', dir: fileURLToPath(new URL('..', import.meta.url)) }]
  const baseline = process.env.IXP_BENCH_BASELINE
  if (baseline !== undefined) trees.push({ name: 'baseline tree', dir: baseline })
  const dir = mkdtempSync(join(tmpdir(), 'ixp-dispatch-bench-'))
  const { build } = await import('esbuild')
  const candidates: { name: string; fn: () => unknown; samples: number[] }[] = []
  try {
    for (const [index, tree] of trees.entries()) {
      // Each tree is bundled from its own core and plugin-http sources; dependencies resolve from this tree.
      const outfile = join(dir, `dispatch-${index}.mjs`)
      await build({
        entryPoints: [fileURLToPath(import.meta.url)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['source'],
        external: ['esbuild'],
        logLevel: 'warning',
        alias: { '@ixp/core': join(tree.dir, 'packages/core/src/index.ts') },
        plugins: [
          {
            name: 'plugin-http-of-the-tree',
            setup(plugin) {
              plugin.onResolve({ filter: /plugin-http\/src\/index\.js$/ }, () => ({
                path: join(tree.dir, 'packages/plugin-http/src/index.ts'),
              }))
              // The reference-file loaders: core's root exported them in older trees.
              plugin.onResolve({ filter: /core\/src\/reference-files\/index\.js$/ }, () => {
                const own = join(tree.dir, 'packages/core/src/reference-files/index.ts')
                return { path: existsSync(own) ? own : join(tree.dir, 'packages/core/src/index.ts') }
              })
            },
          },
        ],
        nodePaths: ['../node_modules/.pnpm/node_modules', '../packages/core/node_modules'].map((path) =>
          fileURLToPath(new URL(path, import.meta.url)),
        ),
        banner: {
          js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
      })
      const module = (await import(pathToFileURL(outfile).href)) as {
        prepare: (fixtures: string) => Promise<() => unknown>
      }
      candidates.push({ name: tree.name, fn: await module.prepare(FIXTURES), samples: [] })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  for (const candidate of candidates) cpuNsPerCall(candidate.fn, count * 2) // warm-up
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[(round + i) % candidates.length]!
      candidate.samples.push(cpuNsPerCall(candidate.fn, count))
    }
  }
  const first = median(candidates[0]!.samples)
  printTable(
    candidates.map((candidate) => ({
      dispatcher: candidate.name,
      'CPU ns/request (median)': Math.round(median(candidate.samples)),
      'vs this tree': (median(candidate.samples) / first).toFixed(3),
    })),
  )
}
