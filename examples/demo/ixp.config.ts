/**
 * The store assistant as an `ixp serve` config: `pnpm --filter @ixp/example-demo serve` (or
 * `ixp serve --config examples/demo/ixp.config.ts`). `pnpm start` runs `src/main.ts`, which serves the same
 * application plus the demo page, the store locator's module and the `plan_pickup` workflow.
 */
import { defineConfig } from '@ixp/cli'
import { metricsProvider, traceHttp } from '@ixp/plugin-tracing'
import { storeAssistant } from './src/app.js'
import { storePlugins } from './src/engine.js'

const port = Number(process.env.PORT ?? 4100)
const plugins = storePlugins()
const registry = plugins.tracing.metrics!

export default defineConfig({
  ...storeAssistant({ port }),
  // `ixp serve` gets the engine ready before it registers the config's intents, and the workflows plugin
  // checks at ready that its steps' intents exist: without them there, it would refuse to start.
  plugins: plugins.all.filter((plugin) => plugin !== plugins.workflows),
  http: {
    port,
    host: '127.0.0.1',
    base: '/ixp',
    handler: {
      metrics: { provider: metricsProvider(registry) },
      around: traceHttp({ basePath: '/ixp', registry }),
    },
  },
})
