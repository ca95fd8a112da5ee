/**
 * The store assistant as an `ixp serve` config: `pnpm --filter @ixp/example-demo serve` (or
 * `ixp serve --config examples/demo/ixp.config.ts`). `pnpm start` runs `src/main.ts`, which serves the same
 * application plus the demo page and the store locator's module.
 */
import { defineConfig } from '@ixp/cli'
import { traceHttp } from '@ixp/plugin-tracing'
import { storeAssistant } from './src/app.js'
import { storePlugins } from './src/engine.js'

const port = Number(process.env.PORT ?? 4100)
const plugins = storePlugins()
const registry = plugins.tracing.metrics!

export default defineConfig({
  ...storeAssistant({ port }),
  plugins: plugins.all,
  http: {
    port,
    host: '127.0.0.1',
    base: '/ixp',
    // The metrics route is the tracing plugin's by itself; the server spans are asked for here.
    handler: { around: traceHttp({ registry }) },
  },
})
