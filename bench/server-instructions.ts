/**
 * Instructions per request of a bench server, counted by valgrind's callgrind: the same figure for the same
 * code whatever else the shared machine does, where server CPU time moves by tens of percent between rounds.
 *
 * The server (a bundle forked with the environment given, which announces its port over IPC as the stack bench's
 * children do) runs under callgrind, one output file per thread. A client outside valgrind sends `warmup`
 * requests over keep-alive connections (V8 is still optimising the server's code for thousands of requests),
 * the counters are zeroed (`callgrind_control -z`), `measured` requests are sent, and the counters are dumped
 * (`callgrind_control -d`). callgrind reads a command only while the program runs, so single requests trickle in
 * until the command returns; each of those is counted as half a request (it may fall on either side), which
 * moves the figure by well under 0.1 %.
 *
 * Two figures: all threads, and the main thread alone. The other threads are mostly V8's optimising compiler
 * and GC helpers, whose share still moves between runs; the main thread is the steadier figure (2–4 % between runs).
 */
import { execFile, fork } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ServerInstructions {
  /** Instructions per request, every thread of the server process. */
  total: number
  /** Instructions per request on the main thread (the JavaScript, node's I/O, most of the GC). */
  mainThread: number
}

export interface ServerCountOptions {
  /** The request every call sends (a POST of `body`, JSON). */
  path: string
  body: string
  /** Requests before the count. @default 15000 */
  warmup?: number
  /** Requests counted. @default 5000 */
  measured?: number
  /** Keep-alive connections the client uses. @default 10 */
  connections?: number
}

/** Counts a server's instructions per request; `env` selects the server the bundle serves. */
export async function serverInstructions(
  bundle: string,
  env: Record<string, string>,
  options: ServerCountOptions,
): Promise<ServerInstructions> {
  const { warmup = 15_000, measured = 5_000, connections = 10 } = options
  const dir = mkdtempSync(join(tmpdir(), 'ixp-callgrind-'))
  const outFile = join(dir, 'callgrind.out')
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const child = fork(bundle, [], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      `--callgrind-out-file=${outFile}`,
      '--dump-instr=no',
      '--separate-threads=yes',
      process.execPath,
    ],
    env: { ...process.env, ...env },
    // valgrind's own messages go to stderr: kept, and shown only if the server fails.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { port: number }).port))
      child.once('exit', (code) =>
        reject(new Error(`the server under callgrind exited with ${code}:\n${stderr}`)),
      )
    })
    const send = () => post(agent, port, options)
    await sendMany(send, warmup, connections)
    const duringZero = await whileCommandRuns('-z', child.pid!, send)
    await sendMany(send, measured, connections)
    const duringDump = await whileCommandRuns('-d', child.pid!, send)
    const requests = measured + (duringZero + duringDump) / 2
    // The dump after the zeroing is number 1: `callgrind.out.1-01` is the main thread, `-02`… the others.
    let total = 0
    let mainThread = 0
    for (const name of readdirSync(dir).filter((file) => file.startsWith('callgrind.out.1-'))) {
      const text = readFileSync(join(dir, name), 'utf8')
      const count = Number(/^(?:summary|totals):\s+(\d+)/m.exec(text)?.[1] ?? 0)
      total += count
      if (name.endsWith('-01')) mainThread = count
    }
    if (mainThread === 0) throw new Error(`callgrind wrote no dump of the main thread in ${dir}`)
    return { total: total / requests, mainThread: mainThread / requests }
  } finally {
    agent.destroy()
    // SIGKILL: the counts are already dumped, and callgrind's own dump at a normal exit takes seconds.
    child.kill('SIGKILL')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
}

function post(agent: Agent, port: number, { path, body }: ServerCountOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`${path} answered ${response.statusCode}`))
        response.resume()
        response.on('end', resolve)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

/** `count` requests, `connections` at a time. */
async function sendMany(send: () => Promise<void>, count: number, connections: number): Promise<void> {
  let sent = 0
  const worker = async () => {
    while (sent < count) {
      sent++
      await send()
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
}

/** Runs `callgrind_control <flag> <pid>`, sending one request every 20 ms until it returns; how many were sent. */
async function whileCommandRuns(flag: string, pid: number, send: () => Promise<void>): Promise<number> {
  let returned = false
  const command = new Promise<void>((resolve, reject) =>
    execFile('callgrind_control', [flag, String(pid)], (error) => {
      returned = true
      if (error) reject(error)
      else resolve()
    }),
  )
  let sent = 0
  while (!returned) {
    await send()
    sent++
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await command
  return sent
}
