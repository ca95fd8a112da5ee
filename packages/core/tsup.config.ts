import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'html/index': 'src/html/index.ts',
    'tree/index': 'src/tree/index.ts',
    'net/index': 'src/net/index.ts',
    'portable-hooks/index': 'src/portable-hooks/index.ts',
    'reference-files/index': 'src/reference-files/index.ts',
    edge: 'src/edge.ts',
    'plugin-kit/index': 'src/plugin-kit/index.ts',
    'remote/index': 'src/remote/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  // Shared modules (IxpError above all) go to shared chunks in both formats, so `@ixp/core/tree` throws the
  // same IxpError class the root entry exports and `instanceof IxpError` holds (esbuild splits CJS only when asked).
  splitting: true,
})
