/**
 * The publishable packages of the workspace (every folder of packages/ with a package.json that is not private)
 * and how to pack them the way `pnpm publish` does: the `prepack` build runs and `workspace:` ranges are rewritten.
 * Shared by scripts/check-packages.mjs and scripts/registry-e2e.mjs, so that a package added under packages/ is
 * covered by both without being listed anywhere.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const root = join(import.meta.dirname, '..', '..')
export const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split(
  '@',
)[1]

/** @returns {{ dir: string, path: string, manifest: Record<string, any> }[]} */
export function publishablePackages() {
  const group = join(root, 'packages')
  return readdirSync(group, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(group, entry.name, 'package.json')))
    .map((entry) => {
      const path = join(group, entry.name)
      return { dir: entry.name, path, manifest: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) }
    })
    .filter((pkg) => pkg.manifest.private !== true)
}

/** Runs a command; resolves with its exit code and combined output (never rejects). */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}` }))
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

/** `pnpm <args>` with the workspace's pinned pnpm. */
export function pnpm(args, options) {
  return run('npx', ['-y', `pnpm@${pnpmVersion}`, ...args], options)
}

/** The file name `pnpm pack` gives a package's tarball. */
export function tarballName(manifest) {
  return `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`
}

/**
 * Packs every package into `outDir` (two at a time: each pack runs a tsup build), reusing a tarball already
 * there (so that CI packs once for the package checks and the registry flow). Resolves with one entry per
 * package: its tarball path, or the pack's output when it failed.
 */
export async function packAll(packages, outDir) {
  mkdirSync(outDir, { recursive: true })
  const queue = [...packages]
  const results = []
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
        const existing = join(outDir, tarballName(pkg.manifest))
        if (existsSync(existing)) {
          results.push({ pkg, tarball: existing, output: '' })
          continue
        }
        const { code, output } = await pnpm(['pack', '--pack-destination', outDir], { cwd: pkg.path })
        const tarball = output.match(/^\S+\.tgz$/m)?.[0]
        results.push({ pkg, tarball: code === 0 ? tarball : undefined, output })
      }
    }),
  )
  return results.sort((a, b) => a.pkg.dir.localeCompare(b.pkg.dir))
}
