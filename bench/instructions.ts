/**
 * Instructions per operation, counted by valgrind's callgrind: the same figure for the same code and inputs
 * whatever else the shared machine is doing, where times move by tens of percent between runs. An entry script
 * (bundled with {@link bundleForNode}) runs the operation as many times as its last argument says; it is run
 * twice, for a warm-up count and for the warm-up plus the measured count, and the difference of the two totals
 * is the measured operations' own: start-up, compilation and the warm-up cancel out. V8 runs single-threaded
 * with a predictable GC schedule, so concurrent compilers and GC helpers do not move the count between runs
 * (what is left varies by ~2 %).
 *
 * Instructions are not time: a VM's clock read, a cache miss or a garbage collection costs more time than its
 * instruction count says. The benches print both.
 */
import { execFile } from 'node:child_process'
import { isInstalled } from './measure.js'

/**
 * Whether this run also counts instructions: `IXP_BENCH_INSTRUCTIONS=1` asks for it (`0` or unset: no; any other
 * value is refused, so that a typo does not silently skip the count), and valgrind must be installed (without it
 * a line says the count was skipped). Benches ask before measuring anything.
 */
export async function countingInstructions(): Promise<boolean> {
  const value = process.env.IXP_BENCH_INSTRUCTIONS
  if (value === undefined || value === '' || value === '0') return false
  if (value !== '1') throw new Error(`IXP_BENCH_INSTRUCTIONS must be '1' or '0' (got '${value}')`)
  if (await isInstalled('valgrind', ['--version'])) return true
  console.log('\ninstructions: valgrind is not installed (apt-get install valgrind); skipped')
  return false
}

/** Runs `node <script> <args…> <count>` under callgrind and gives the instructions it executed. */
function countInstructions(script: string, args: readonly string[], count: number): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(
      'valgrind',
      [
        '--tool=callgrind',
        '--callgrind-out-file=/dev/null',
        process.execPath,
        '--single-threaded',
        '--predictable-gc-schedule',
        script,
        ...args,
        String(count),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        const collected = /Collected : (\d+)/.exec(stderr)
        if (error !== null || collected === null) {
          reject(new Error(`callgrind run of ${script} failed: ${error?.message ?? stderr.slice(-500)}`))
        } else resolve(Number(collected[1]))
      },
    ),
  )
}

/**
 * Instructions per operation of `script` (which runs its operation as often as its last argument says):
 * `warmup` operations are run first in both runs, `measured` more in the second.
 */
export async function instructionsPerOp(
  script: string,
  args: readonly string[] = [],
  { warmup = 20_000, measured = 100_000 }: { warmup?: number; measured?: number } = {},
): Promise<number> {
  const before = await countInstructions(script, args, warmup)
  const after = await countInstructions(script, args, warmup + measured)
  return (after - before) / measured
}
