/**
 * Keeps each package's error table the only place an error status (or a whole error) is written: outside a
 * package's `src/errors.ts` (and core's `src/error-table.ts`, which builds every table's errors), no source file
 * may construct an `IxpError` or write a 4xx/5xx status literal. Throw sites name a code of their table and
 * fill its message template (`defineErrors` in @ixp/core); a plugin's table never re-declares one of the core's
 * codes (it builds those with `coreError`). `node scripts/check-error-tables.mjs` exits 1 and names file:line of
 * each violation; `pnpm lint` and core's tests run it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** The repository (or, for the script's own test, another tree given as `--root DIR`). */
const rootFlag = process.argv.indexOf('--root')
const root = rootFlag === -1 ? join(import.meta.dirname, '..') : process.argv[rootFlag + 1]

/** Files allowed to construct errors: the tables themselves. */
const TABLE_FILES = new Set(['errors.ts', 'error-table.ts'])

const RULES = [
  { name: 'new IxpError(', pattern: /\bnew IxpError\(/ },
  { name: 'an error status literal', pattern: /\bstatus:\s*[45]\d\d\b/ },
]

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

const violations = []
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src')
  for (const file of sourceFiles(src)) {
    if (TABLE_FILES.has(file.slice(file.lastIndexOf('/') + 1))) continue
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (line.trimStart().startsWith('*') || line.trimStart().startsWith('//')) return
        for (const rule of RULES) {
          if (rule.pattern.test(line)) violations.push(`${relative(root, file)}:${index + 1}: ${rule.name}`)
        }
      })
  }
}

/** The codes a table file declares: its `  CODE: { status… }` entries. */
function declaredCodes(file) {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      const match = /^\s+([A-Z][A-Z0-9_]*):\s*\{/.exec(line)
      return match ? [{ code: match[1], line: index + 1 }] : []
    })
}

// The protocol's shared codes live in the core's table only: a plugin builds them with `coreError`, so their
// status and message are written once.
const coreCodes = new Set(
  declaredCodes(join(root, 'packages', 'core', 'src', 'errors.ts')).map((d) => d.code),
)
for (const pkg of readdirSync(join(root, 'packages'))) {
  if (pkg === 'core') continue
  const table = join(root, 'packages', pkg, 'src', 'errors.ts')
  for (const { code, line } of declaredCodes(table)) {
    if (coreCodes.has(code))
      violations.push(`${relative(root, table)}:${line}: re-declares the core's ${code} (use coreError)`)
  }
}

if (violations.length > 0) {
  console.error(
    `Errors built outside their package's table (use its defineErrors factory):\n${violations.join('\n')}`,
  )
  process.exit(1)
}
console.log('error tables: no error built outside its table, no core code re-declared')
