import { readFileSync } from 'node:fs'

/** This package's `package.json` (one level above both `src/` and `dist/`). */
export const packageInfo = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string
  version: string
}
