/**
 * Each package's error table is the only place its errors are built: `scripts/check-error-tables.mjs` (also run
 * by `pnpm lint`) refuses `new IxpError(` and 4xx/5xx status literals outside a package's `src/errors.ts`.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('../../../scripts/check-error-tables.mjs', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'ixp-error-tables-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function check(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' })
}

describe('error tables check', () => {
  it('passes on this repository', () => {
    const run = check()
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('names each error built outside a table, and accepts the table file and comments', () => {
    const src = join(scratch, 'packages', 'plugin-demo', 'src')
    mkdirSync(src, { recursive: true })
    writeFileSync(join(src, 'errors.ts'), "export const e = new IxpError('DEMO', 'm', { status: 500 })\n")
    writeFileSync(
      join(src, 'plugin.ts'),
      [
        '// new IxpError( in a comment is fine',
        "throw demoError('DEMO_BROKEN', { reason: 'x' })",
        "throw new IxpError('DEMO', 'by hand')",
        "const answer = { status: 503, body: '' }",
        "const ok = { status: 200, body: '' }",
      ].join('\n'),
    )
    const run = check('--root', scratch)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('packages/plugin-demo/src/plugin.ts:3: new IxpError(')
    expect(run.stderr).toContain('packages/plugin-demo/src/plugin.ts:4: an error status literal')
    expect(run.stderr).not.toContain('errors.ts')
    expect(run.stderr).not.toContain('plugin.ts:1')
    expect(run.stderr).not.toContain('plugin.ts:5')
  })

  it("refuses a plugin table that re-declares one of the core's codes", () => {
    const tree = join(scratch, 'redeclared')
    mkdirSync(join(tree, 'packages', 'core', 'src'), { recursive: true })
    mkdirSync(join(tree, 'packages', 'plugin-demo', 'src'), { recursive: true })
    writeFileSync(
      join(tree, 'packages', 'core', 'src', 'errors.ts'),
      "const CORE_ERRORS = {\n  UNAUTHORIZED: { status: 401, message: '{reason}' },\n} as const\n",
    )
    writeFileSync(
      join(tree, 'packages', 'plugin-demo', 'src', 'errors.ts'),
      [
        'const DEMO_ERRORS = {',
        "  DEMO_BROKEN: { status: 500, message: '{reason}' },",
        "  UNAUTHORIZED: { status: 401, message: 'Sign in' },",
        '} as const',
      ].join('\n'),
    )
    const run = check('--root', tree)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("packages/plugin-demo/src/errors.ts:3: re-declares the core's UNAUTHORIZED")
    expect(run.stderr).not.toContain('DEMO_BROKEN')
  })
})
