import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/index.js'
import { captureIo } from './capture.js'
import { BIN, NODE_ARGS, killAll, postRender, runNode, startNode } from './helpers.js'

const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url))
const require = createRequire(import.meta.url)

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ixp-init-'))
})
afterAll(async () => {
  killAll()
  await rm(root, { recursive: true, force: true })
})

/** Installs the workspace packages into a scaffolded project the way `npm install` would link them. */
async function linkWorkspace(project: string): Promise<void> {
  await mkdir(join(project, 'node_modules', '@ixp'), { recursive: true })
  for (const name of ['cli', 'core']) {
    await symlink(join(WORKSPACE, 'packages', name), join(project, 'node_modules', '@ixp', name), 'dir')
  }
}

describe('ixp init', () => {
  it('scaffolds config, intent, component, test and README, and prints the two commands', async () => {
    const out = captureIo(root)
    expect(await runCli(['init', 'my-store'], out.io)).toBe(0)
    const project = join(root, 'my-store')
    for (const file of [
      'package.json',
      'ixp.config.mjs',
      'intents.json',
      'components/greeting.mjs',
      'test/greet.test.mjs',
      'README.md',
      '.gitignore',
    ]) {
      expect(existsSync(join(project, file)), file).toBe(true)
    }
    const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
    expect(pkg.name).toBe('my-store')
    expect(pkg.scripts.start).toBe('ixp serve')
    expect(pkg.dependencies['@ixp/cli']).toMatch(/^\^\d+\.\d+\.\d+/)
    expect(out.stdout).toContain('cd my-store\n  npm install\n  npm start')
  })

  it('refuses a non-empty directory unless --force', async () => {
    const project = join(root, 'busy')
    await mkdir(project)
    await writeFile(join(project, 'notes.txt'), 'mine')
    const refused = captureIo(root)
    expect(await runCli(['init', 'busy'], refused.io)).toBe(1)
    expect(refused.stderr).toContain('INIT_TARGET_NOT_EMPTY')
    expect(refused.stderr).toContain('--force')
    const forced = captureIo(root)
    expect(await runCli(['init', 'busy', '--force', '--name', '@acme/busy'], forced.io)).toBe(0)
    expect(await readFile(join(project, 'notes.txt'), 'utf8')).toBe('mine')
    expect(JSON.parse(await readFile(join(project, 'package.json'), 'utf8')).name).toBe('@acme/busy')
  })

  it('refuses an invalid package name as a usage error', async () => {
    const out = captureIo(root)
    expect(await runCli(['init', 'x', '--name', 'Not A Name'], out.io)).toBe(2)
    expect(existsSync(join(root, 'x'))).toBe(false)
  })

  describe('the scaffolded project', () => {
    let project: string
    beforeAll(async () => {
      project = join(root, 'runs')
      expect(await runCli(['init', 'runs'], captureIo(root).io)).toBe(0)
      await linkWorkspace(project)
    })

    it('passes its own test (npm test = node --test)', async () => {
      const result = await runNode([...NODE_ARGS, '--test'], { cwd: project, timeoutMs: 60_000 })
      expect(result.stdout).toMatch(/# pass 2/)
      expect(result.code).toBe(0)
    }, 90_000)

    it('serves with `ixp serve` (npm start) and renders its intent', async () => {
      const server = await startNode([...NODE_ARGS, BIN, 'serve'], { cwd: project, env: { PORT: '0' } })
      const render = await postRender(server.url, 'greet', { name: 'Ada' })
      expect(render.status).toBe(200)
      expect(JSON.stringify(render.body.tree)).toContain('Hello, Ada!')
      expect(await server.stop()).toEqual({ code: 0, signal: null })
    }, 60_000)

    it('validates clean', async () => {
      const result = await runNode([...NODE_ARGS, BIN, 'validate', 'ixp.config.mjs'], { cwd: project })
      expect(result.stdout).toContain('ok    ixp.config.mjs (1 component)')
      expect(result.stdout).toContain('ok    intents.json (1 intent)')
      expect(result.code).toBe(0)
    }, 60_000)

    it('type-checks (its files carry // @ts-check)', async () => {
      const tsc = require.resolve('typescript/bin/tsc')
      const result = await runNode(
        [
          tsc,
          '--noEmit',
          '--allowJs',
          '--checkJs',
          '--strict',
          '--skipLibCheck',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--customConditions',
          'source',
          '--typeRoots',
          join(WORKSPACE, 'node_modules', '@types'),
          '--types',
          'node',
          'ixp.config.mjs',
          'components/greeting.mjs',
          'test/greet.test.mjs',
        ],
        { cwd: project, timeoutMs: 90_000 },
      )
      expect(result.stdout + result.stderr).toBe('')
      expect(result.code).toBe(0)
    }, 120_000)
  })
})

afterAll(killAll)
