/**
 * `pnpm bench semantic-scale` — how plugin-semantic's training at `engine.ready()` grows with the number of
 * intents: synthetic intent sets (bench/scale/synthetic-intents.ts) of 100 to 10,000 intents with ten
 * examples each, one child process per size (so each peak memory is its own). Prints the wall and CPU time
 * of `ready()`, peak resident memory, held-out top-1 accuracy and the mean `engine.resolve()` latency.
 *
 * Sizes: IXP_BENCH_SCALE_SIZES (default `100,1000,3000,10000`); examples per intent: IXP_BENCH_SCALE_EXAMPLES
 * (default 10).
 */
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { printTable } from './measure.js'

const here = dirname(fileURLToPath(import.meta.url))

interface SizeResult {
  intents: number
  examples: number
  readyMs: number
  cpuMs: number
  peakRssMb: number
  accuracy: number
  resolveUs: number
}

export default async function run(): Promise<void> {
  const sizes = (process.env.IXP_BENCH_SCALE_SIZES ?? '100,1000,3000,10000').split(',').map(Number)
  const perIntent = process.env.IXP_BENCH_SCALE_EXAMPLES ?? '10'
  const results: SizeResult[] = []
  for (const size of sizes) {
    const output = execFileSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(here, 'scale/train-once.ts'), String(size), perIntent],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    )
    results.push(JSON.parse(output.trim().split('\n').pop()!) as SizeResult)
  }
  const first = results[0]!
  printTable(
    results.map((r) => ({
      intents: r.intents.toLocaleString('en-US'),
      examples: r.examples.toLocaleString('en-US'),
      'ready() wall': `${(r.readyMs / 1000).toFixed(1)} s`,
      'ready() CPU': `${(r.cpuMs / 1000).toFixed(1)} s`,
      'CPU per example vs first size': (r.cpuMs / r.examples / (first.cpuMs / first.examples)).toFixed(2),
      'peak RSS': `${r.peakRssMb} MB`,
      'held-out top-1': `${(r.accuracy * 100).toFixed(1)}%`,
      'resolve()': `${r.resolveUs} µs`,
    })),
  )
}
