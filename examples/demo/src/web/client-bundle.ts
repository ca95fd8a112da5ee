/**
 * `@ixp/client` for the demo's pages: bundled from its sources for the browser (one ES module) on the first
 * request, then served from memory. A real application would ship the package's `dist/` through its own bundler.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

let bundle: Promise<string> | undefined

export function clientBundle(): Promise<string> {
  bundle ??= (async () => {
    const entry = fileURLToPath(import.meta.resolve('@ixp/client'))
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['source'],
      write: false,
      minify: true,
      legalComments: 'none',
    })
    return result.outputFiles[0]!.text
  })()
  bundle.catch(() => (bundle = undefined))
  return bundle
}
