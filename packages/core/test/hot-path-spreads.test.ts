/**
 * The render hot path stays free of object spreads (a V8 slow path: ~1 µs per `{ ...a, ...b }` on these
 * shapes). The check itself lives in `scripts/check-hot-paths.mjs` (also run by `pnpm lint`), which lists the
 * files and names file:line of every spread it finds.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('../../../scripts/check-hot-paths.mjs', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'ixp-hot-path-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function check(...files: string[]) {
  return spawnSync(process.execPath, [script, ...files], { encoding: 'utf8' })
}

describe('hot-path object spreads', () => {
  it('finds none in the listed hot-path files', () => {
    const run = check()
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('names the file and line of an object spread, and accepts Object.assign and array spreads', () => {
    const bad = join(scratch, 'bad.ts')
    writeFileSync(bad, 'const a = { x: 1 }\nconst b = [...[1], 2]\nconst c = { ...a, y: 2 }\n')
    const good = join(scratch, 'good.ts')
    writeFileSync(
      good,
      'const a = { x: 1 }\nconst b = [...[1], 2]\nconst c = Object.assign({}, a, { y: 2 })\n',
    )
    const failed = check(bad)
    expect(failed.status).toBe(1)
    expect(failed.stderr).toContain(`${bad}:3`)
    expect(check(good).status).toBe(0)
  })
})
