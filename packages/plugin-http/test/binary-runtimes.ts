/**
 * Runs a bundled portable suite in Bun and Deno, both installed from the npm registry (`bun`, `deno`): their
 * platform packages carry the binaries, found here without any install script.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { arch, platform } from 'node:os'
import { dirname, join } from 'node:path'
import type { SuiteReport } from '../../core/test/portable/harness.js'
import type { PortableBundle } from '../../core/test/portable/run.js'

export type BinaryRuntime = 'bun' | 'deno'

const MARKER = '@@ixp-http-report@@'

function platformPackage(runtime: BinaryRuntime): { name: string; binary: string } {
  const cpu = arch() === 'arm64' ? 'aarch64' : 'x64'
  if (runtime === 'bun') return { name: `@oven/bun-${platform()}-${cpu}`, binary: 'bin/bun' }
  const denoCpu = arch() === 'arm64' ? 'arm64' : 'x64'
  return { name: `@deno/${platform()}-${denoCpu}-glibc`, binary: 'deno' }
}

/** The runtime's binary, or undefined when its package has no binary for this platform. */
export function binaryOf(runtime: BinaryRuntime): string | undefined {
  try {
    const require = createRequire(import.meta.url)
    const wrapper = createRequire(require.resolve(`${runtime}/package.json`))
    const { name, binary } = platformPackage(runtime)
    const file = join(dirname(wrapper.resolve(`${name}/package.json`)), binary)
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

export async function runInBinary(
  bundle: PortableBundle,
  runtime: BinaryRuntime,
  timeoutMs = 120_000,
): Promise<SuiteReport> {
  const binary = binaryOf(runtime)
  if (!binary) throw new Error(`no ${runtime} binary for ${platform()}-${arch()}`)
  const runner = join(bundle.dir, `${runtime}-runner.mjs`)
  await writeFile(
    runner,
    `const { run } = await import('./suite.mjs')\nconsole.log('${MARKER}' + JSON.stringify(await run()))\n`,
  )
  const args = runtime === 'bun' ? [runner] : ['run', '--quiet', '--no-prompt', runner]
  const child = spawn(binary, args, {
    cwd: bundle.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  const at = stdout.lastIndexOf(MARKER)
  if (at < 0)
    throw new Error(`${runtime} exited with ${code} and no report\nstdout:\n${stdout}\nstderr:\n${stderr}`)
  return JSON.parse(
    stdout
      .slice(at + MARKER.length)
      .trim()
      .split('\n')[0]!,
  ) as SuiteReport
}
