/**
 * Docs that run: every ```ts block of every README (root, packages/*, examples/*) is compiled under --strict
 * against the workspace's sources, and the blocks marked `<!-- snippet run -->` are run with their shown output
 * checked. The registry flow (scripts/registry-e2e.mjs) writes the same files with the same module
 * (src/write.ts) and compiles and runs them against the packages installed from a registry.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { errorsOf, printedLines, readmePaths, writeSnippets } from '../src/write.js'

const run = promisify(execFile)
const here = join(import.meta.dirname, '..')
const root = join(here, '..', '..')
const generated = join(here, 'generated')

const snippets = writeSnippets(root, generated)
writeFileSync(
  join(generated, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../../tsconfig.base.json',
    compilerOptions: { noEmit: true, strict: true, noUnusedLocals: false, types: ['node'] },
    include: ['*.ts'],
  }),
)

let diagnostics: Promise<string> | undefined
/** One tsc program over every block (started once, shared by the tests). */
function compile(): Promise<string> {
  diagnostics ??= (async () => {
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc')
    try {
      await run(process.execPath, [tsc, '-p', join(generated, 'tsconfig.json')], { cwd: generated })
      return ''
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error)
    }
  })()
  return diagnostics
}

describe.each(readmePaths(root).filter((readme) => snippets.some((snippet) => snippet.readme === readme)))(
  '%s',
  (readme) => {
    const blocks = snippets.filter((snippet) => snippet.readme === readme)
    it.each(blocks.map((block) => [block.line, block] as const))(
      'the block at line %i compiles under --strict',
      async (_line, block) => {
        expect(errorsOf(block, await compile(), generated)).toEqual([])
      },
      // The first block waits for the one tsc program over every block: 45 s on a quiet machine, past 300 s
      // on the shared one under heavy load.
      600_000,
    )
    const runnable = blocks.filter((block) => block.run)
    if (runnable.length > 0) {
      it.each(runnable.map((block) => [block.line, block] as const))(
        'the block at line %i prints what it shows',
        async (_line, block) => {
          const { stdout } = await run(
            process.execPath,
            ['--conditions=source', '--import', 'tsx', block.file],
            {
              cwd: here,
              timeout: 60_000,
            },
          )
          expect(block.expected.length).toBeGreaterThan(0)
          expect(printedLines(stdout)).toEqual(block.expected)
        },
        120_000,
      )
    }
  },
)
