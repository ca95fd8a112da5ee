/**
 * A realtime server in Deno, on the runtime's own WebSocket server (`Deno.serve` + `Deno.upgradeWebSocket`):
 * bundled by `deno.test.ts`, which drives it from Node. `GET /bump` changes the data and invalidates its tag.
 */
import { createEngine, silentLogger } from '@ixp/core'
import { realtime } from '@ixp/plugin-realtime'

interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request) => Response,
  ): unknown
  upgradeWebSocket(
    request: Request,
    options?: { protocol?: string },
  ): { socket: WebSocket; response: Response }
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

Deno.serve(
  { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(JSON.stringify({ port })) },
  (request) => {
    if (new URL(request.url).pathname === '/bump') {
      count += 1
      engine.invalidate({ tags: ['counter'] })
      return new Response('bumped')
    }
    const offered = (request.headers.get('sec-websocket-protocol') ?? '')
      .split(',')
      .some((protocol) => protocol.trim() === 'ixp.v1')
    const { socket, response } = Deno.upgradeWebSocket(request, offered ? { protocol: 'ixp.v1' } : {})
    plugin.server!.acceptWebSocket(socket, { headers: {}, ip: undefined, origin: undefined }, offered)
    return response
  },
)
