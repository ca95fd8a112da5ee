/**
 * A realtime server in Bun, on the runtime's own WebSocket server (`Bun.serve` with the plugin's `websocket`
 * handlers): bundled by `runtimes.test.ts`, which drives it from Node. `GET /bump` changes the data and
 * invalidates its tag.
 */
import { createEngine, silentLogger } from '@ixp/core'
import { realtime, type BunServer, type BunWebSocketHandlers } from '@ixp/plugin-realtime'

interface BunServe {
  serve(options: {
    port: number
    hostname: string
    fetch(request: Request, server: BunServer): Response | undefined
    websocket: BunWebSocketHandlers
  }): { port: number }
}
const Bun = (globalThis as unknown as { Bun: BunServe }).Bun

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
const live = plugin.server!

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(request, bun) {
    if (new URL(request.url).pathname === '/bump') {
      count += 1
      engine.invalidate({ tags: ['counter'] })
      return new Response('bumped')
    }
    if (new URL(request.url).pathname === '/ixp/ws') {
      if (live.bunUpgrade(bun, request, { headers: {}, ip: undefined, origin: undefined })) return undefined
    }
    return new Response('not a WebSocket request', { status: 400 })
  },
  websocket: live.bunWebSocket(),
})
console.log(JSON.stringify({ port: server.port }))
