/**
 * Turns the READMEs of the repository into TypeScript files and reads what the compiler and the blocks print
 * back as README locations. One module for both checks of the same blocks, so that they cannot drift apart:
 * the workspace test (test/readme.test.ts) compiles the files against the packages' sources, the registry flow
 * (scripts/registry-e2e.mjs, which loads this file through tsx) against the packages installed from a registry.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import { extractSnippets, type Snippet } from './extract.js'

/** A README block written to a file of its own. */
export interface WrittenSnippet extends Snippet {
  /** The README it comes from, relative to the repository root (`packages/core/README.md`). */
  readme: string
  /** Absolute path of the generated `.ts` file. */
  file: string
  /** Lines of the generated file before the block's first line (the location comment and the prelude). */
  offset: number
}

/** Every README whose blocks are checked, relative to `root`: the root's, then `packages/*` and `examples/*`. */
export function readmePaths(root: string): string[] {
  return [
    'README.md',
    ...['packages', 'examples'].flatMap((group) =>
      readdirSync(join(root, group))
        .sort()
        .map((name) => `${group}/${name}/README.md`)
        .filter((path) => existsSync(join(root, path))),
    ),
  ]
}

/**
 * Writes every ```ts block of every README of `root` into `outDir` (emptied first): one file per block named
 * after its README and position (`packages-core-2.ts`), its prelude first, plus the local modules its prelude
 * declares (`// @file name.ts`). The caller writes the tsconfig, which is what differs between the checks.
 */
export function writeSnippets(root: string, outDir: string): WrittenSnippet[] {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const written: WrittenSnippet[] = []
  for (const readme of readmePaths(root)) {
    const snippets = extractSnippets(readFileSync(join(root, readme), 'utf8'))
    snippets.forEach((snippet, index) => {
      const file = join(
        outDir,
        `${readme.replace(/\/README\.md$|\.md$/, '').replaceAll('/', '-')}-${index + 1}.ts`,
      )
      const head = [`// ${readme}:${snippet.line}`, snippet.prelude].filter(Boolean).join('\n')
      writeFileSync(file, `${head}\n${snippet.code}\nexport {}\n`)
      for (const [name, content] of Object.entries(snippet.files)) writeFileSync(join(outDir, name), content)
      written.push({ ...snippet, readme, file, offset: head.split('\n').length })
    })
  }
  return written
}

/**
 * tsc's errors in one block, each located in its README (`packages/core/README.md:31: …`). `output` is what
 * `tsc -p` printed (without `--pretty`) when run in `cwd`: tsc names files relative to its working directory.
 */
export function errorsOf(snippet: WrittenSnippet, output: string, cwd: string): string[] {
  const name = relative(cwd, snippet.file)
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

/** The lines a run block printed, in the form its `// → …` comments (`snippet.expected`) are compared with. */
export function printedLines(stdout: string): string[] {
  return stdout.trim().split('\n')
}

const builtins = new Set(builtinModules)

/**
 * The packages the blocks import (static and dynamic imports, `import('…')` types, `require`), by package name
 * (`@ixp/plugin-http/node` → `@ixp/plugin-http`), sorted; Node's built-in modules and local files left out.
 * What a project compiling the blocks outside the workspace has to install.
 */
export function importedPackages(snippets: readonly WrittenSnippet[]): string[] {
  const names = new Set<string>()
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g
  for (const snippet of snippets) {
    const sources = [snippet.code, snippet.prelude, ...Object.values(snippet.files)]
    for (const source of sources) {
      for (const match of source.matchAll(specifier)) {
        const path = match[1]!
        if (path.startsWith('.') || path.startsWith('node:') || builtins.has(path.split('/')[0]!)) continue
        const parts = path.split('/')
        names.add(path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!)
      }
    }
  }
  return [...names].sort()
}
