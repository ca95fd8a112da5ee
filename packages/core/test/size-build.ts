/**
 * The build every size figure of the core is measured with — the bundle test's budgets and `pnpm bench core-size`:
 * esbuild, minified, for no particular runtime (`platform: 'neutral'`), ESM for es2022, in memory.
 */
import type { BuildOptions } from 'esbuild'

export const SIZE_BUILD = {
  write: false,
  bundle: true,
  minify: true,
  platform: 'neutral',
  format: 'esm',
  target: 'es2022',
  logLevel: 'silent',
} as const satisfies BuildOptions
