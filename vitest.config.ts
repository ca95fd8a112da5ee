import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// Tests run against each package's TypeScript sources, not its build: every workspace
// package maps its public entry points (the `source` export condition) to `src/`.
const root = import.meta.dirname
const workspaceDirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group), { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(root, group, d.name, 'package.json')))
        .map((d) => join(group, d.name))
    : [],
)

type ExportEntry = string | { source?: string }
const alias: { find: string | RegExp; replacement: string }[] = []
for (const dir of workspaceDirs) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
    name: string
    exports?: Record<string, ExportEntry>
  }
  for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
    if (typeof entry !== 'object' || !entry.source) continue
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`
    const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    alias.push({ find: new RegExp(`^${escaped}$`), replacement: resolve(root, dir, entry.source) })
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: workspaceDirs
      .filter((dir) => existsSync(join(root, dir, 'test')))
      .map((dir) => ({
        extends: true,
        test: {
          name: dir.split('/')[1],
          root: join(root, dir),
          include: ['test/**/*.test.ts'],
        },
      })),
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
