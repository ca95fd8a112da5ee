/**
 * The protocol on the runtimes' own WebSocket servers — Deno (`Deno.upgradeWebSocket` + `acceptWebSocket`) and Bun
 * (`Bun.serve` + `bunUpgrade` / `bunWebSocket`) — each server bundled and run in its runtime, driven from Node.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { TestClient } from './helpers.js'

type Runtime = 'deno' | 'bun'

/** The runtime's binary from its npm package (`deno`, `bun`), or undefined when none fits this platform. */
function binaryOf(runtime: Runtime): string | undefined {
  try {
    const require = createRequire(import.meta.url)
    const wrapper = createRequire(require.resolve(`${runtime}/package.json`))
    const cpu = process.arch === 'arm64' ? (runtime === 'bun' ? 'aarch64' : 'arm64') : 'x64'
    const [name, binary] =
      runtime === 'bun'
        ? [`@oven/bun-${process.platform}-${cpu}`, 'bin/bun']
        : [`@deno/${process.platform}-${cpu}-glibc`, 'deno']
    const file = join(dirname(wrapper.resolve(`${name}/package.json`)), binary)
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ixp-realtime-runtimes-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Bundles `runtimes/<runtime>-server.ts`, starts it in the runtime, and resolves with the port it listens on. */
async function start(runtime: Runtime, binary: string): Promise<number> {
  const outfile = join(dir, `${runtime}-server.mjs`)
  await build({
    entryPoints: [join(import.meta.dirname, `runtimes/${runtime}-server.ts`)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    conditions: ['source'],
    outfile,
    external: ['ioredis'],
    // ws (bundled) loads Node built-ins with require(); both runtimes provide it through node:module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  })
  const args =
    runtime === 'deno' ? ['run', '--quiet', '--allow-net', '--allow-env', '--allow-read', outfile] : [outfile]
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  children.push(child)
  let errors = ''
  child.stderr!.on('data', (chunk) => (errors += chunk))
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { port: number }).port),
    )
    child.once('exit', (code) => reject(new Error(`${runtime} exited with ${code}: ${errors}`)))
  })
}

describe.each(['deno', 'bun'] as const)('ixp.v1 on %s', (runtime) => {
  const binary = binaryOf(runtime)
  const skip = binary === undefined && !process.env.CI ? `no ${runtime} binary for this platform` : undefined
  it.skipIf(skip !== undefined)(
    `handshakes, pushes live renders, answers malformed frames and pings${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const port = await start(runtime, binary!)
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/ixp/ws`)
      expect(client.ws.protocol).toBe('ixp.v1')
      client.send({ id: 'live', type: 'subscribe', payload: { intent: { name: 'count', parameters: {} } } })
      expect((await client.next()).payload.tree.children).toEqual(['1'])
      await fetch(`http://127.0.0.1:${port}/bump`)
      expect((await client.next()).payload.tree.children).toEqual(['2'])
      client.send('{not json')
      expect(await client.next()).toMatchObject({ type: 'error', payload: { code: 'INVALID_MESSAGE' } })
      client.send({ type: 'ping' })
      expect(await client.next()).toEqual({ type: 'pong' })
      const refused = await TestClient.open(`ws://127.0.0.1:${port}/ixp/ws`, { protocol: null })
      expect(await refused.closed).toBe(4406)
    },
    60_000,
  )
})
