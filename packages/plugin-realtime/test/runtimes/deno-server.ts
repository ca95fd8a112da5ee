/**
 * A realtime server in Deno: plugin-http's fetch handler on `Deno.serve`, the WebSocket upgrade answered by the
 * plugin's upgrade tap with `Deno.upgradeWebSocket`'s Response. Bundled by `runtimes.test.ts`, which drives it
 * from Node. `GET /bump` changes the data and invalidates its tag.
 */
import { createEngine, silentLogger } from '@ixp/core'
import { createHttpHandler } from '@ixp/plugin-http'
import { realtime } from '@ixp/plugin-realtime'

interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown
}
const Deno = (globalThis as unknown as { Deno: DenoServe }).Deno

let count = 1
const engine = createEngine({ logger: silentLogger })
engine.registerComponent({
  name: 'Counter',
  render: (props) => ({ type: 'p', props: {}, children: [String(props.count)] }),
})
engine.registerIntent({
  name: 'count',
  description: 'The counter',
  parameters: { type: 'object' },
  component: 'Counter',
  cacheTags: ['counter'],
  handler: () => ({ count }),
})
const plugin = realtime()
engine.use(plugin)
await engine.ready()

const http = createHttpHandler(engine, { basePath: '/ixp' })

Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(JSON.stringify({ port })) },
  (request) => {
    if (new URL(request.url).pathname === '/bump') {
      count += 1
      engine.invalidate({ tags: ['counter'] })
      return new Response('bumped')
    }
    return http.fetch(request)
  },
)
