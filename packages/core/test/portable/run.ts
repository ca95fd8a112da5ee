/**
 * Builds a portable suite (a module that registers tests with `./harness.ts`) into one ES module with esbuild,
 * and runs it where code generation from strings is forbidden: inside workerd (Cloudflare's runtime, from the
 * `workerd` npm package) and in Node started with `--disallow-code-generation-from-strings`.
 *
 * Other packages reuse it for their own portable suites:
 * `runPortableSuite(fileURLToPath(new URL('./portable/suite.ts', import.meta.url)), { runtime: 'workerd' })`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import type { SuiteReport } from './harness.js'

export type PortableRuntime = 'workerd' | 'node-nocodegen'

export interface PortableBundle {
  /** Temporary directory holding the bundle; removed by {@link disposeBundle}. */
  dir: string
  /** The bundled ES module (exports `run()` and a workerd `fetch` handler). */
  file: string
}

export interface PortableRunOptions {
  runtime: PortableRuntime
  /**
   * Longest the whole run may take (start, suite, shutdown) in milliseconds.
   * @default 60000
   */
  timeoutMs?: number
  /**
   * workerd compatibility date.
   * @default '2025-09-01'
   */
  compatibilityDate?: string
}

/** What {@link runPortableSuite} returns: the suite's report plus what the runtime printed on stderr. */
export interface PortableRunReport extends SuiteReport {
  stderr: string
}

export interface PortableBuildOptions {
  /**
   * Export conditions, as an edge bundler (wrangler) resolves them; `source` maps workspace packages to `src/`.
   * @default ['source', 'workerd', 'worker', 'browser']
   */
  conditions?: string[]
}

const HARNESS = fileURLToPath(new URL('./harness.ts', import.meta.url))
const REPORT_MARKER = '@@ixp-portable-report@@'

/**
 * Applies a package's `browser` field map to bare Node built-in names. esbuild only does this for
 * `platform: 'browser'`; edge bundlers (wrangler) do it too, and tapable relies on it (`util` →
 * `lib/util-browser.js`). Without it a `platform: 'neutral'` build would try to import Node's `util`.
 */
export const browserFieldPlugin: esbuild.Plugin = {
  name: 'package-browser-field',
  setup(build) {
    build.onResolve({ filter: /^[a-z_]+$/ }, (args) => {
      if (!args.importer.includes('node_modules')) return undefined
      let dir = dirname(args.importer)
      while (!existsSync(join(dir, 'package.json'))) {
        if (dirname(dir) === dir) return undefined
        dir = dirname(dir)
      }
      const browser = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { browser?: unknown })
        .browser
      const target =
        typeof browser === 'object' && browser !== null
          ? (browser as Record<string, unknown>)[args.path]
          : undefined
      return typeof target === 'string' ? { path: resolve(dir, target) } : undefined
    })
  },
}

/** Bundles `entryFile` with the harness for `platform: 'neutral'` into a fresh temporary directory. */
export async function buildPortableSuite(
  entryFile: string,
  { conditions = ['source', 'workerd', 'worker', 'browser'] }: PortableBuildOptions = {},
): Promise<PortableBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'ixp-portable-'))
  const file = join(dir, 'suite.mjs')
  const entry = [
    `import { runTests } from ${JSON.stringify(HARNESS)}`,
    `import ${JSON.stringify(resolve(entryFile))}`,
    'export const run = () => runTests()',
    'export default {',
    '  async fetch(request) {',
    "    if (new URL(request.url).pathname === '/ping') return new Response('pong')",
    "    return new Response(JSON.stringify(await runTests()), { headers: { 'content-type': 'application/json' } })",
    '  },',
    '}',
  ].join('\n')
  try {
    await esbuild.build({
      stdin: {
        contents: entry,
        resolveDir: dirname(resolve(entryFile)),
        sourcefile: 'portable-entry.js',
        loader: 'js',
      },
      outfile: file,
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      target: 'es2022',
      mainFields: ['browser', 'module', 'main'],
      conditions,
      plugins: [browserFieldPlugin],
      // Suites register tests as a side effect of being imported, and our packages say `sideEffects: false`.
      ignoreAnnotations: true,
      logLevel: 'silent',
    })
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  return { dir, file }
}

export async function disposeBundle(bundle: PortableBundle): Promise<void> {
  await rm(bundle.dir, { recursive: true, force: true })
}

/**
 * Runs a portable suite in one runtime and returns its report. Pass a built bundle to run the same build in
 * several runtimes; pass a file to build, run and clean up in one go.
 */
export async function runPortableSuite(
  entry: string | PortableBundle,
  options: PortableRunOptions,
): Promise<PortableRunReport> {
  const bundle = typeof entry === 'string' ? await buildPortableSuite(entry) : entry
  try {
    return options.runtime === 'workerd'
      ? await runInWorkerd(bundle, options)
      : await runInNode(bundle, options)
  } finally {
    if (typeof entry === 'string') await disposeBundle(bundle)
  }
}

// -------------------------------------------------------------------------------------------------
// Processes

interface Collected {
  stdout: string
  stderr: string
  exited: Promise<number | null>
}

function collect(child: ChildProcess): Collected {
  const collected = { stdout: '', stderr: '' } as Collected
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (collected.stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (collected.stderr += chunk))
  collected.exited = new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })
  return collected
}

/** Ends a child we started: SIGTERM, then SIGKILL if it lingers. */
async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const lingering = setTimeout(() => child.kill('SIGKILL'), 2_000)
  await exited
  clearTimeout(lingering)
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

async function runInNode(bundle: PortableBundle, options: PortableRunOptions): Promise<PortableRunReport> {
  const runner = join(bundle.dir, 'node-runner.mjs')
  await writeFile(
    runner,
    `const { run } = await import('./suite.mjs')\n` +
      `const report = await run()\n` +
      `process.stdout.write('\\n${REPORT_MARKER}' + JSON.stringify(report))\n`,
  )
  const child = spawn(process.execPath, ['--disallow-code-generation-from-strings', runner], {
    cwd: bundle.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = collect(child)
  try {
    const code = await withDeadline(
      output.exited,
      options.timeoutMs ?? 60_000,
      'node --disallow-code-generation-from-strings',
    )
    const at = output.stdout.lastIndexOf(REPORT_MARKER)
    if (code !== 0 || at < 0) {
      throw new Error(
        `the Node run exited with ${String(code)} and no report\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
      )
    }
    return {
      ...(JSON.parse(output.stdout.slice(at + REPORT_MARKER.length)) as SuiteReport),
      stderr: output.stderr,
    }
  } finally {
    await stop(child, output.exited)
  }
}

function workerdBinary(): string {
  // The `workerd` package's main module exports the path of the platform binary it installed.
  const require = createRequire(import.meta.url)
  return (require('workerd') as { default: string }).default
}

function workerdConfig(compatibilityDate: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "suite", worker = .suite) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "suite") ],
);

const suite :Workerd.Worker = (
  modules = [ (name = "suite.mjs", esModule = embed "suite.mjs") ],
  compatibilityDate = ${JSON.stringify(compatibilityDate)},
);
`
}

/** Reads the port workerd reports on its control channel (fd 3) once the socket listens. */
function listeningPort(child: ChildProcess, socket: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = ''
    const control = child.stdio[3] as NodeJS.ReadableStream
    control.setEncoding('utf8')
    control.on('data', (chunk: string) => {
      buffered += chunk
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 1)
        try {
          const message = JSON.parse(line) as { event?: string; socket?: string; port?: number }
          if (message.event === 'listen' && message.socket === socket && typeof message.port === 'number') {
            resolve(message.port)
          }
        } catch {
          // Not a control message we know; keep reading.
        }
      }
    })
    child.once('exit', (code) => reject(new Error(`workerd exited with ${String(code)} before listening`)))
    child.once('error', reject)
  })
}

async function runInWorkerd(bundle: PortableBundle, options: PortableRunOptions): Promise<PortableRunReport> {
  const timeoutMs = options.timeoutMs ?? 60_000
  const started = Date.now()
  const remaining = () => Math.max(1, timeoutMs - (Date.now() - started))
  await writeFile(join(bundle.dir, 'config.capnp'), workerdConfig(options.compatibilityDate ?? '2025-09-01'))
  const child = spawn(workerdBinary(), ['serve', 'config.capnp', '--control-fd=3', '--verbose'], {
    cwd: bundle.dir,
    env: { ...process.env, PWD: bundle.dir },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  })
  const output = collect(child)
  const failure = (message: string, cause?: unknown) =>
    new Error(
      `${message}\nworkerd stderr:\n${output.stderr || '(empty)'}\nworkerd stdout:\n${output.stdout || '(empty)'}`,
      {
        cause,
      },
    )
  try {
    let port: number
    try {
      port = await withDeadline(listeningPort(child, 'http'), remaining(), 'workerd start')
    } catch (error) {
      throw failure(`workerd did not start: ${(error as Error).message}`, error)
    }
    const base = `http://127.0.0.1:${port}`
    // The socket listens before the worker is guaranteed to answer; poll a cheap path first.
    for (;;) {
      try {
        const pong = await fetch(`${base}/ping`, {
          signal: AbortSignal.timeout(Math.min(2_000, remaining())),
        })
        if (pong.ok) break
      } catch (error) {
        if (remaining() <= 1) throw failure('workerd never answered /ping', error)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    let response: Response
    try {
      response = await fetch(`${base}/run`, { signal: AbortSignal.timeout(remaining()) })
    } catch (error) {
      throw failure(`running the suite in workerd failed: ${(error as Error).message}`, error)
    }
    const body = await response.text()
    if (!response.ok) throw failure(`workerd answered ${response.status}: ${body}`)
    return { ...(JSON.parse(body) as SuiteReport), stderr: output.stderr }
  } finally {
    await stop(child, output.exited)
  }
}
