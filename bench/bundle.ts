/**
 * The one way benches bundle code for a child `node` process: the workspace's TypeScript sources (the `source`
 * export condition) as one ESM file for Node 20, as the published build would run, instead of through the tsx
 * loader. A bench passes what differs (entry or stdin, outfile, externals, aliases, plugins).
 */
import type { BuildOptions } from 'esbuild'
import { fileURLToPath } from 'node:url'

/** Bundles for Node 20 with the benches' defaults; `options` adds to them or replaces them. */
export async function bundleForNode(options: BuildOptions & { outfile: string }): Promise<void> {
  const { build } = await import('esbuild')
  await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    logLevel: 'warning',
    // Another source tree (IXP_BENCH_BASELINE) has no node_modules of its own: its dependencies resolve from this one's.
    nodePaths: ['../node_modules/.pnpm/node_modules', '../packages/core/node_modules'].map((path) =>
      fileURLToPath(new URL(path, import.meta.url)),
    ),
    // tapable is CommonJS and requires node built-ins, which an ESM bundle reaches through `require`.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    ...options,
  })
}
