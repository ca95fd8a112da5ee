/**
 * The registry flow's "docs that run" step: the ```ts blocks of every README, written by the same module as the
 * workspace test (examples/readme-snippets/src/write.ts, loaded through tsx), compiled with `tsc --strict`
 * against the @ixp packages installed from the registry — node_modules of a project outside the workspace, not
 * the workspace's sources — and the `<!-- snippet run -->` blocks run from the emitted JavaScript with their
 * shown output checked. One `npm install` for every block; one check line per README.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { tsImport } from 'tsx/esm/api'
import { root, run } from '../lib/packages.mjs'

const snippetsProject = join(root, 'examples', 'readme-snippets')
const execFileAsync = promisify(execFile)

/** Runs an emitted block; its stdout apart (what the README shows), stderr only for the failure's detail. */
async function runBlock(file, cwd) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [file], { cwd, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    return { code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? String(error) }
  }
}

/**
 * @param {{
 *   dir: string,
 *   npmEnv: Record<string, string>,
 *   packages: { manifest: Record<string, any> }[],
 *   check: (name: string, ok: boolean, detail?: string) => boolean,
 *   timed: <T>(name: string, work: () => Promise<T>) => Promise<T>,
 * }} flow
 */
export async function checkReadmeSnippets({ dir, npmEnv, packages, check, timed }) {
  const { writeSnippets, errorsOf, printedLines, importedPackages } = await tsImport(
    join(snippetsProject, 'src', 'write.ts'),
    import.meta.url,
  )
  const src = join(dir, 'src')
  mkdirSync(dir, { recursive: true })
  const snippets = writeSnippets(root, src)

  // The blocks' dependencies at the workspace's versions: @ixp packages at the version just published, the
  // others (and their @types) at the range examples/readme-snippets declares.
  const declared = JSON.parse(readFileSync(join(snippetsProject, 'package.json'), 'utf8')).devDependencies
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const published = new Map(packages.map(({ manifest }) => [manifest.name, manifest.version]))
  const dependencies = {}
  const undeclared = []
  for (const name of importedPackages(snippets)) {
    const range = published.has(name) ? `^${published.get(name)}` : declared[name]
    if (range === undefined || range.startsWith('workspace:')) undeclared.push(name)
    else dependencies[name] = range
    const types = `@types/${name.replace(/^@/, '').replace('/', '__')}`
    if (declared[types] !== undefined) dependencies[types] = declared[types]
  }
  if (
    !check(
      `readme snippets: every imported package is published or declared (${Object.keys(dependencies).length})`,
      undeclared.length === 0,
      `imported by a README block but neither an @ixp package nor in examples/readme-snippets/package.json: ${undeclared.join(', ')}`,
    )
  )
    return
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'readme-snippets',
        private: true,
        type: 'module',
        dependencies,
        devDependencies: {
          typescript: rootManifest.devDependencies.typescript,
          '@types/node': rootManifest.devDependencies['@types/node'],
        },
      },
      null,
      2,
    ),
  )
  // What a user's strict Node project has: NodeNext resolution (the packages' `exports`, no `source`
  // condition), the same strictness as the workspace check, the published declarations checked too.
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noUncheckedIndexedAccess: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        outDir: 'dist',
        rootDir: 'src',
        skipLibCheck: true,
      },
      include: ['src'],
    }),
  )

  const install = await timed('readme snippets: npm install', () =>
    run('npm', ['install'], { env: npmEnv, cwd: dir }),
  )
  if (
    !check(
      `readme snippets: npm install ${Object.keys(dependencies).join(' ')}`,
      install.code === 0,
      install.output,
    )
  )
    return
  const cores = (
    await run('find', ['node_modules', '-path', '*/@ixp/core/package.json'], { cwd: dir })
  ).output
    .trim()
    .split('\n')
    .filter(Boolean)
  check(
    `readme snippets: exactly one @ixp/core in node_modules (found ${cores.length})`,
    cores.length === 1,
    cores.join('\n'),
  )

  const tsc = await timed('readme snippets: tsc --strict', () =>
    run(
      process.execPath,
      [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--pretty', 'false'],
      {
        cwd: dir,
      },
    ),
  )
  // An error tsc reports outside every block (the configuration, a published declaration) fails the step too.
  const blockFiles = new Set(snippets.map((snippet) => relative(dir, snippet.file)))
  const elsewhere = tsc.output
    .split('\n')
    .filter((line) => /error TS\d+/.test(line) && !blockFiles.has(line.split('(')[0]))
  check(
    'readme snippets: tsc reports no error outside the blocks',
    elsewhere.length === 0,
    elsewhere.join('\n'),
  )

  const readmes = [...new Set(snippets.map((snippet) => snippet.readme))]
  for (const readme of readmes) {
    const blocks = snippets.filter((snippet) => snippet.readme === readme)
    const problems = blocks.flatMap((block) => errorsOf(block, tsc.output, dir))
    const runnable = blocks.filter((block) => block.run)
    for (const block of runnable) {
      const emitted = join(dir, 'dist', relative(src, block.file).replace(/\.ts$/, '.js'))
      if (block.expected.length === 0)
        problems.push(`${readme}:${block.line}: marked run but shows no output`)
      const ran = await runBlock(emitted, dir)
      if (ran.code !== 0 || JSON.stringify(printedLines(ran.stdout)) !== JSON.stringify(block.expected))
        problems.push(
          `${readme}:${block.line}: printed (exit ${ran.code})\n${`${ran.stdout}${ran.stderr}`.trim()}\n` +
            `  where the README shows\n${block.expected.join('\n')}`,
        )
    }
    const ran = runnable.length > 0 ? `, ${runnable.length} run with the output shown` : ''
    check(
      `readme snippets: ${readme} — ${blocks.length} block(s) compile${ran}`,
      problems.length === 0,
      problems.join('\n'),
    )
  }
}
