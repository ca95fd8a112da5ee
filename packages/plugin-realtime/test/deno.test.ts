/** The protocol on Deno's own WebSocket server (`acceptWebSocket`), the server bundled and run in Deno. */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { TestClient } from './helpers.js'

function denoBinary(): string | undefined {
  try {
    const require = createRequire(import.meta.url)
    const wrapper = createRequire(require.resolve('deno/package.json'))
    const cpu = process.arch === 'arm64' ? 'arm64' : 'x64'
    const file = join(dirname(wrapper.resolve(`@deno/${process.platform}-${cpu}-glibc/package.json`)), 'deno')
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

const deno = denoBinary()
const skip = deno === undefined && !process.env.CI ? 'no Deno binary for this platform' : undefined
const dir = mkdtempSync(join(tmpdir(), 'ixp-realtime-deno-'))
let child: ChildProcess | undefined
afterAll(() => {
  child?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

async function startDeno(): Promise<number> {
  const outfile = join(dir, 'server.mjs')
  await build({
    entryPoints: [join(import.meta.dirname, 'deno/server.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    conditions: ['source'],
    outfile,
    external: ['ioredis'],
    // ws (bundled) loads Node built-ins with require(); Deno provides it through node:module.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  })
  child = spawn(deno!, ['run', '--quiet', '--allow-net', '--allow-env', '--allow-read', outfile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let errors = ''
  child.stderr!.on('data', (chunk) => (errors += chunk))
  return new Promise((resolve, reject) => {
    child!.stdout!.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { port: number }).port),
    )
    child!.once('exit', (code) => reject(new Error(`deno exited with ${code}: ${errors}`)))
  })
}

describe.skipIf(skip !== undefined)(`ixp.v1 on Deno${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('handshakes, pushes live renders, answers malformed frames and pings', async () => {
    const port = await startDeno()
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`)
    expect(client.ws.protocol).toBe('ixp.v1')
    client.send({ id: 'live', type: 'subscribe', payload: { intent: { name: 'count', parameters: {} } } })
    expect((await client.next()).payload.tree.children).toEqual(['1'])
    await fetch(`http://127.0.0.1:${port}/bump`)
    expect((await client.next()).payload.tree.children).toEqual(['2'])
    client.send('{not json')
    expect(await client.next()).toMatchObject({ type: 'error', payload: { code: 'INVALID_MESSAGE' } })
    client.send({ type: 'ping' })
    expect(await client.next()).toEqual({ type: 'pong' })
    const refused = await TestClient.open(`ws://127.0.0.1:${port}/ws`, { protocol: null })
    expect(await refused.closed).toBe(4406)
  }, 60_000)
})
