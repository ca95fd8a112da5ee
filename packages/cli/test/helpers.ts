/** Runs the real `ixp` binary (its TypeScript sources, through tsx) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
export const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
/** Absolute, so children started in a temporary directory still find it. */
export const TSX = pathToFileURL(require.resolve('tsx')).href
export const NODE_ARGS = ['--conditions=source', '--import', TSX]

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd?: string
  env?: Record<string, string>
  timeoutMs?: number
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Vitest's own variables would leak into the children otherwise.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: '1' }
  return { ...env, ...extra }
}

/** Runs `ixp <args>` to completion. */
export function runIxp(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runNode([...NODE_ARGS, BIN, ...args], options)
}

/** Runs `node <args>` to completion (killed after `timeoutMs`). */
export function runNode(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? FIXTURES,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

export interface Served {
  child: ChildProcess
  /** The base URL printed on the first line, e.g. http://127.0.0.1:41234/ixp. */
  url: string
  output(): { stdout: string; stderr: string }
  /** Resolves when stdout or stderr contains `text` (rejects after `timeoutMs`). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>
  /** Sends a signal and resolves with the exit status. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const running = new Set<ChildProcess>()

/** Kills every server a test left running (call in afterAll / afterEach). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
}

/** Starts a long-running node process and waits for the "listening on <url>" line. */
export function startNode(args: string[], options: RunOptions = {}): Promise<Served> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? FIXTURES,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  child.stdout!.on('data', (chunk) => {
    stdout += chunk
    for (const listener of listeners) listener()
  })
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
    for (const listener of listeners) listener()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child)
      for (const listener of listeners) listener()
      resolve({ code, signal })
    })
  })
  let closed = false
  void exited.then(() => (closed = true))

  const waitFor = (text: string | RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        const seen = `${stdout}\n${stderr}`
        if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
          done()
          resolve()
        } else if (closed) {
          done()
          reject(new Error(`process exited before printing ${text}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`timed out waiting for ${text}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      listeners.add(check)
      check()
    })

  return waitFor(/listening on (http:\/\/\S+)/, options.timeoutMs ?? 30_000).then(() => ({
    child,
    url: /listening on (http:\/\/\S+)/.exec(stdout)![1]!,
    output: () => ({ stdout, stderr }),
    waitFor,
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      child.kill(signal)
      return exited
    },
  }))
}

/** Starts `ixp serve <args>`. */
export function startServe(args: string[], options: RunOptions = {}): Promise<Served> {
  return startNode([...NODE_ARGS, BIN, 'serve', ...args], options)
}

export async function postRender(
  url: string,
  name: string,
  parameters: Record<string, unknown> = {},
  headers = {},
) {
  const response = await fetch(`${url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ intent: { name, parameters } }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}
