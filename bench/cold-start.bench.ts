/**
 * `pnpm bench cold-start` — what starting costs, from built JavaScript (esbuild bundles of the sources, as
 * the published packages are built), each figure the median wall time of fresh `node` processes minus Node's
 * own floor (`node` running an empty module) measured in the same run:
 * - `import '@ixp/core'`, and `import 'typebox/schema'` alone (the parameter compiler, most of the core's cost);
 * - the demo (examples/demo): process start until `GET /ixp/intents` answers 200 (engine ready, plugins
 *   applied, semantic index trained). Target (issue 19): ≤ 0.5 s of its own.
 *
 * Environment: IXP_BENCH_RUNS (processes per figure, default 7).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleForNode } from './bundle.js'
import { median, printTable } from './measure.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Bundles `source` (a module resolved from the repository root) into `outfile`. */
async function bundle(source: string, outfile: string): Promise<void> {
  await bundleForNode({ stdin: { contents: source, resolveDir: root, loader: 'ts' }, outfile })
}

/** Milliseconds from spawning `node file` until it exits. */
function runToExit(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(process.execPath, [file], { stdio: 'ignore' })
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - start) : reject(new Error(`${file} exited with ${code}`)),
    )
  })
}

/** Milliseconds from spawning the demo until `GET /ixp/intents` answers 200. */
function demoReady(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.once('error', reject)
    child.stdout!.on('data', async (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output)
      if (!match || output.includes('\u0000')) return
      output += '\u0000' // asked once
      try {
        const response = await fetch(`${match[1]}/ixp/intents`)
        await response.arrayBuffer()
        const elapsed = performance.now() - start
        child.kill('SIGTERM')
        if (response.status !== 200) reject(new Error(`demo answered ${response.status}`))
        else resolve(elapsed)
      } catch (error) {
        child.kill('SIGKILL')
        reject(error as Error)
      }
    })
  })
}

async function medianOf(runs: number, once: () => Promise<number>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push(await once())
  return median(times)
}

export default async function run(): Promise<void> {
  const runs = Number(process.env.IXP_BENCH_RUNS ?? 7)
  const dir = mkdtempSync(join(tmpdir(), 'ixp-cold-start-'))
  try {
    const empty = join(dir, 'empty.mjs')
    writeFileSync(empty, '')
    const core = join(dir, 'core.mjs')
    const schema = join(dir, 'schema.mjs')
    const demo = join(dir, 'demo.mjs')
    // Each prints what it imported, so the bundler keeps the import.
    await bundle("import * as core from './packages/core/src/index.ts'\nconsole.log(typeof core)", core)
    await bundle("import Schema from 'typebox/schema'\nconsole.log(typeof Schema)", schema)
    await bundle("await import('./examples/demo/src/main.ts')", demo)

    const floor = await medianOf(runs, () => runToExit(empty))
    const rows = [
      { what: "import '@ixp/core'", ms: await medianOf(runs, () => runToExit(core)) },
      { what: "import 'typebox/schema' alone", ms: await medianOf(runs, () => runToExit(schema)) },
      { what: 'demo: start → GET /ixp/intents 200', ms: await medianOf(runs, () => demoReady(demo)) },
    ]
    console.log(
      `${runs} fresh processes per figure (medians), Node's floor ${floor.toFixed(0)} ms; ` +
        `load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}\n`,
    )
    printTable(
      rows.map((row) => ({
        what: row.what,
        'ms (wall)': row.ms.toFixed(0),
        'ms over the floor': (row.ms - floor).toFixed(0),
      })),
    )
    const own = rows[2]!.ms - floor
    console.log(`\ndemo start of its own: ${(own / 1000).toFixed(2)} s (target ≤ 0.5 s)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
