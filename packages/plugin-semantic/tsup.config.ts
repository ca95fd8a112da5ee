import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // The library entry runs anywhere (Node, browsers, edge runtimes): no Node built-ins.
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    platform: 'neutral',
    target: 'es2022',
    sourcemap: true,
    external: ['@huggingface/transformers'],
  },
  {
    // The command line reads files: Node only.
    entry: { 'cli/index': 'src/cli/index.ts', 'cli/bin': 'src/cli/bin.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { 'cli/index': 'src/cli/index.ts' } },
    platform: 'node',
    target: 'es2022',
    sourcemap: true,
  },
])
