/**
 * `pnpm bench dispatch` — plugin-http's dispatcher and the core render of one `POST /ixp/render`, in process, with
 * no socket: the JavaScript a render request costs on the server, without node:http and the kernel (a third to a
 * half of the whole request, and the noisiest part of it on a shared machine). The request is the http
 * benchmark's (`show_weather`, a remote component); the body is already read, as the node adapter hands it over.
 * Reported: CPU nanoseconds per request, medians of rotating rounds.
 *
 * Measured plain, and with the stack bench's four plugins (tracing, auth for a public intent, memory rate limit,
 * memory cache with every request a hit after the first); a dispatch that waits is awaited.
 *
 * IXP_BENCH_BASELINE=<dir>: the same dispatchers built from another source tree (its core and plugin sources),
 * in the same process and rounds, so a change is measured against the code before it in one run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createEngine, silentLogger } from '@ixp/core'
import { loadComponents, loadIntents } from '../packages/core/src/reference-files/index.js'
import { createHttpHandler } from '../packages/plugin-http/src/index.js'
// A registered symbol: the same key reaches the dispatcher of a baseline tree's handler (IXP_BENCH_BASELINE).
import { DISPATCH } from '../packages/plugin-http/src/internal.js'
import { auth } from '../packages/plugin-auth/src/index.js'
import { cache } from '../packages/plugin-cache/src/index.js'
import { rateLimit } from '../packages/plugin-rate-limit/src/index.js'
import { tracing } from '../packages/plugin-tracing/src/index.js'
import { bundleForNode } from './bundle.js'
import { median, printTable } from './measure.js'

const FIXTURES = fileURLToPath(new URL('../packages/plugin-http/test/fixtures/', import.meta.url))
const BODY = JSON.stringify({
  intent: { name: 'show_weather', parameters: { city: 'Paris', units: 'metric', days: 3 } },
})

type Answer = { status: number; body: unknown }
type Dispatch = (request: unknown) => Answer | Promise<Answer>

/**
 * Builds the engine and handler (of the tree this module was bundled from) and gives one request's dispatch.
 * `stack`: with the stack bench's four plugins — tracing (no SDK), auth (every intent public, no credentials),
 * rate limit (memory) and cache (memory; every request after the first a hit).
 */
export async function prepare(fixtures: string, stack = false): Promise<() => unknown> {
  const engine = createEngine({ logger: silentLogger, validation: { missingComponents: 'warn' } })
  if (stack) {
    engine.use(tracing())
    engine.use(auth({ jwt: { secret: 'a-benchmark-secret-that-is-long-enough-for-hs256' } }))
    engine.use(rateLimit({ limit: 1e9, windowMs: 3_600_000 }))
    engine.use(cache())
  }
  const read = (name: string) => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as unknown
  for (const component of loadComponents(read('components.json'))) engine.registerComponent(component)
  for (const intent of loadIntents(read('intents.json')))
    engine.registerIntent(stack ? Object.assign(intent, { auth: { public: true } }) : intent)
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
  const check = (answer: Answer) => {
    if (answer.status !== 200) throw new Error(`the render answered ${answer.status}: ${String(answer.body)}`)
    return answer
  }
  // A dispatch that waits (an older tree's plugins) is awaited: the figure then includes its promises.
  const one = () => {
    const answer = dispatch(request())
    return answer instanceof Promise ? answer.then(check) : check(answer)
  }
  await one()
  // Whether a request (after the first, which fills the cache) is answered without a promise.
  const second = one()
  await second
  return Object.assign(one, { synchronous: !(second instanceof Promise) })
}

/** CPU nanoseconds per call over `count` calls, each awaited only when it returned a promise. */
async function cpuNsPerCall(fn: () => unknown, count: number): Promise<number> {
  const before = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const answer = fn()
    if (answer instanceof Promise) await answer
  }
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
  const candidates: { name: string; stack: boolean; fn: () => unknown; samples: number[] }[] = []
  try {
    for (const [index, tree] of trees.entries()) {
      // Each tree is bundled from its own core and plugin sources; dependencies resolve from this tree.
      const outfile = join(dir, `dispatch-${index}.mjs`)
      await bundleForNode({
        entryPoints: [fileURLToPath(import.meta.url)],
        outfile,
        external: ['esbuild'],
        plugins: [
          {
            name: 'packages-of-the-tree',
            setup(plugin) {
              // '@ixp/core' and its subpaths ('@ixp/core/plugin-kit', …), as the tree's core exports them.
              const exports = (
                JSON.parse(readFileSync(join(tree.dir, 'packages/core/package.json'), 'utf8')) as {
                  exports: Record<string, { source?: string }>
                }
              ).exports
              plugin.onResolve({ filter: /^@ixp\/core(\/.*)?$/ }, (args) => {
                const source = exports[`.${args.path.slice('@ixp/core'.length)}`]?.source
                if (source === undefined) return undefined
                return { path: join(tree.dir, 'packages/core', source) }
              })
              plugin.onResolve(
                { filter: /plugin-(http|auth|cache|rate-limit|tracing)\/src\/index\.js$/ },
                (args) => ({
                  path: join(tree.dir, 'packages', args.path.split('/').at(-3)!, 'src/index.ts'),
                }),
              )
              // The reference-file loaders: core's root exported them in older trees.
              plugin.onResolve({ filter: /core\/src\/reference-files\/index\.js$/ }, () => {
                const own = join(tree.dir, 'packages/core/src/reference-files/index.ts')
                return { path: existsSync(own) ? own : join(tree.dir, 'packages/core/src/index.ts') }
              })
            },
          },
        ],
      })
      const module = (await import(pathToFileURL(outfile).href)) as {
        prepare: (fixtures: string, stack?: boolean) => Promise<() => unknown>
      }
      for (const stack of [false, true]) {
        candidates.push({
          name: `${tree.name}, ${stack ? 'tracing+auth+rate limit+cache' : 'plain'}`,
          stack,
          fn: await module.prepare(FIXTURES, stack),
          samples: [],
        })
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  for (const candidate of candidates) await cpuNsPerCall(candidate.fn, count * 2) // warm-up
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[(round + i) % candidates.length]!
      candidate.samples.push(await cpuNsPerCall(candidate.fn, count))
    }
  }
  // Each row against this tree's dispatcher of the same kind (plain, or with the plugin stack).
  const reference = (stack: boolean) => median(candidates.find((c) => c.stack === stack)!.samples)
  printTable(
    candidates.map((candidate) => ({
      dispatcher: candidate.name,
      'CPU ns/request (median)': Math.round(median(candidate.samples)),
      'vs this tree': (median(candidate.samples) / reference(candidate.stack)).toFixed(3),
      'answered at once': (candidate.fn as { synchronous?: boolean }).synchronous ? 'yes' : 'no (awaited)',
    })),
  )
}
