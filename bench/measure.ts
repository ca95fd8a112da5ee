/**
 * Measuring helpers shared by the benchmarks. The machines are shared and noisy, so every figure is a
 * median over several interleaved rounds, and comparisons are ratios against a baseline from the same run.
 */
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'

export interface Rate {
  name: string
  /** Median operations per second over the rounds. */
  opsPerSec: number
  /** Every round's operations per second. */
  rounds: number[]
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/**
 * This process's CPU time in milliseconds. Rates are taken per CPU second, not per wall second: on a shared machine
 * the wall clock also counts the time other processes had the cores.
 */
function cpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** Runs `fn` in a loop for `ms` milliseconds of CPU time and returns operations per CPU second. */
async function rateOf(fn: () => unknown, ms: number): Promise<number> {
  let ops = 0
  const start = cpuMs()
  let now = start
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) await fn()
    ops += 100
    now = cpuMs()
  }
  return (ops * 1000) / (now - start)
}

/**
 * Where synchronous candidates' results go: a value that is kept cannot be optimised away (V8 removes the
 * allocations of a result nobody reads, which made a hand-written baseline look several times cheaper than the
 * work it stands for).
 */
export const sink: { value: unknown } = { value: undefined }

/** {@link rateOf} for synchronous functions: no `await` per call, so a microtask is not what is measured. */
function syncRateOf(fn: () => unknown, ms: number): number {
  let ops = 0
  const start = cpuMs()
  let now = start
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) sink.value = fn()
    ops += 1000
    now = cpuMs()
  }
  return (ops * 1000) / (now - start)
}

/** {@link compareRates} for synchronous functions (same warm-up and rotating rounds). */
export function compareSyncRates(
  candidates: Record<string, () => unknown>,
  { rounds = 7, ms = 300, warmupMs = 300 }: { rounds?: number; ms?: number; warmupMs?: number } = {},
): Rate[] {
  const names = Object.keys(candidates)
  for (const name of names) syncRateOf(candidates[name]!, warmupMs)
  const samples = new Map<string, number[]>(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!
      samples.get(name)!.push(syncRateOf(candidates[name]!, ms))
    }
  }
  return names.map((name) => ({ name, opsPerSec: median(samples.get(name)!), rounds: samples.get(name)! }))
}

/**
 * Compares several functions fairly: a warm-up, then `rounds` rounds in which every candidate runs for
 * `ms` milliseconds, in rotating order so drift on a shared machine hits them all alike.
 */
export async function compareRates(
  candidates: Record<string, () => unknown>,
  { rounds = 7, ms = 300, warmupMs = 300 }: { rounds?: number; ms?: number; warmupMs?: number } = {},
): Promise<Rate[]> {
  const names = Object.keys(candidates)
  for (const name of names) await rateOf(candidates[name]!, warmupMs)
  const samples = new Map<string, number[]>(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!
      samples.get(name)!.push(await rateOf(candidates[name]!, ms))
    }
  }
  return names.map((name) => ({ name, opsPerSec: median(samples.get(name)!), rounds: samples.get(name)! }))
}

export function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

/** Prints a small aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!)
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(row[column]).length)),
  )
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')
  console.log(line(columns))
  console.log(line(widths.map((width) => '-'.repeat(width))))
  for (const row of rows) console.log(line(columns.map((column) => String(row[column]))))
}

/** Listens on a free loopback port and gives the port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}

/**
 * The baseline of the HTTP benchmarks: a bare node:http server that reads each request's body and answers the
 * JSON `bodyOf(url)` with only the two headers it needs.
 */
export function bareJsonServer(bodyOf: (url: string | undefined) => string): Server {
  return createServer((req, res) => {
    const body = bodyOf(req.url)
    req.resume()
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      })
      res.end(body)
    })
  })
}

/** In a benchmark's server process: answers every message from the parent with this process's CPU time (µs). */
export function reportCpuOnRequest(): void {
  process.on('message', () => {
    const usage = process.cpuUsage()
    process.send!({ cpu: usage.user + usage.system })
  })
}

/**
 * Whether `command` runs here. Only a spawn error means no: some tools exit non-zero after printing their version
 * (`wrk -v` exits with 1).
 */
export function isInstalled(command: string, versionArgs: readonly string[]): Promise<boolean> {
  return new Promise((resolve) =>
    execFile(command, versionArgs, (error) => resolve(error?.code !== 'ENOENT')),
  )
}
