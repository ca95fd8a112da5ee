/**
 * `pnpm bench [name…]` — runs every `bench/*.bench.ts` (or those whose file name contains one of the given
 * names) one after another in this process, each printing its own figures.
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort()

if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`)
  process.exit(1)
}
for (const file of files) {
  console.log(`\n## ${file.replace('.bench.ts', '')}\n`)
  const module = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> }
  await module.default()
}
