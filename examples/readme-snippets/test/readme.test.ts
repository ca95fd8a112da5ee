/**
 * Docs that run: every ```ts block of every README (root, packages/*, examples/*) is compiled under --strict
 * against the workspace's sources, and the blocks marked `<!-- snippet run -->` are run with their shown output
 * checked. The registry flow (scripts/registry-e2e.mjs) compiles the same blocks against the published packages.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { extractSnippets, type Snippet } from './extract.js'

const run = promisify(execFile)
const here = join(import.meta.dirname, '..')
const root = join(here, '..', '..')
const generated = join(here, 'generated')

const readmes = [
  'README.md',
  ...['packages', 'examples'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => `${group}/${name}/README.md`)
      .filter((path) => existsSync(join(root, path))),
  ),
]

interface Written extends Snippet {
  readme: string
  file: string
  /** Lines of the generated file before the block's first line. */
  offset: number
}

function writeSnippets(): Written[] {
  rmSync(generated, { recursive: true, force: true })
  mkdirSync(generated, { recursive: true })
  const written: Written[] = []
  for (const readme of readmes) {
    const snippets = extractSnippets(readFileSync(join(root, readme), 'utf8'))
    snippets.forEach((snippet, index) => {
      const file = join(
        generated,
        `${readme.replace(/\/README\.md$|\.md$/, '').replaceAll('/', '-')}-${index + 1}.ts`,
      )
      const head = [`// ${readme}:${snippet.line}`, snippet.prelude].filter(Boolean).join('\n')
      writeFileSync(file, `${head}\n${snippet.code}\nexport {}\n`)
      for (const [name, content] of Object.entries(snippet.files))
        writeFileSync(join(generated, name), content)
      written.push({ ...snippet, readme, file, offset: head.split('\n').length })
    })
  }
  writeFileSync(
    join(generated, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { noEmit: true, strict: true, noUnusedLocals: false, types: ['node'] },
      include: ['*.ts'],
    }),
  )
  return written
}

const snippets = writeSnippets()
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

/** tsc's errors in a block, located in the README. */
function errorsOf(snippet: Written, output: string): string[] {
  const name = relative(generated, snippet.file)
  return output
    .split('\n')
    .filter((line) => line.startsWith(`${name}(`))
    .map((line) => {
      const match = /^[^(]+\((\d+),(\d+)\): (.*)$/.exec(line)
      if (!match) return line
      const inBlock = Number(match[1]) - snippet.offset
      const where =
        inBlock >= 1
          ? `${snippet.readme}:${snippet.line + inBlock}`
          : `${snippet.readme}:${snippet.line} (prelude)`
      return `${where}: ${match[3]}`
    })
}

describe.each(readmes.filter((readme) => snippets.some((snippet) => snippet.readme === readme)))(
  '%s',
  (readme) => {
    const blocks = snippets.filter((snippet) => snippet.readme === readme)
    it.each(blocks.map((block) => [block.line, block] as const))(
      'the block at line %i compiles under --strict',
      async (_line, block) => {
        expect(errorsOf(block, await compile())).toEqual([])
      },
      300_000,
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
          expect(stdout.trim().split('\n')).toEqual(block.expected)
        },
        120_000,
      )
    }
  },
)
