/** `ixp serve` processes for the integration test: started from the CLI's sources, stopped or killed. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
const cliBin = join(root, 'packages', 'cli', 'src', 'bin.ts')

export interface ServeProcess {
  url: string
  port: number
  child: ChildProcess
  output: () => string
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** A free TCP port on 127.0.0.1 (so a service can be restarted on the port it had). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Starts `ixp serve --config <fixture>` and resolves once it printed the URL it listens on. */
export function serve(config: string, env: Record<string, string>, port = 0): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      cliBin,
      'serve',
      '--config',
      join(here, 'fixtures', config),
      '--port',
      String(port),
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`ixp serve ${config} did not start within 60 s:\n${output}`))
    }, 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /IXP server listening on (http:\/\/[^\s]+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        const url = new URL(match[1]!)
        resolve({
          url: match[1]!.replace(/\/$/, ''),
          port: Number(url.port),
          child,
          output: () => output,
          kill: (signal = 'SIGKILL') =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done()
              // A graceful stop gets 8 s (its shutdown timeout is 10 s, but nothing is in flight here).
              const force = setTimeout(() => child.kill('SIGKILL'), 8000)
              child.once('exit', () => {
                clearTimeout(force)
                done()
              })
              child.kill(signal)
            }),
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`ixp serve ${config} exited with ${code}:\n${output}`))
    })
  })
}
