// A strict TypeScript app as a user writes it: the core, the HTTP transport and two plugins from the registry.
import { createEngine, h, IxpError } from '@ixp/core'
import { cache } from '@ixp/plugin-cache'
import { createNodeServer } from '@ixp/plugin-http/node'
import { rateLimit } from '@ixp/plugin-rate-limit'
import { Type } from 'typebox'

const engine = createEngine({ plugins: [cache(), rateLimit({ limit: 100, windowMs: 60_000 })] })
engine.registerComponent({ name: 'OrderCard', render: (props) => h('p', null, String(props.label)) })
engine.registerIntent({
  name: 'order_status',
  description: 'Shows the status of an order',
  component: 'OrderCard',
  parameters: Type.Object({ orderId: Type.String() }),
  // No annotation: params is { orderId: string }, inferred from the TypeBox schema.
  handler: (params) => ({ label: `Order ${params.orderId.toUpperCase()} shipped` }),
})

const server = createNodeServer(engine)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const address = server.address()
if (address === null || typeof address === 'string') throw new Error('no address')
const response = await fetch(`http://127.0.0.1:${address.port}/ixp/render`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ intent: { name: 'order_status', parameters: { orderId: 'ab-12' } } }),
})
const body = (await response.json()) as { tree: unknown }
await server.closeGracefully(1_000)
await engine.close()
if (!(new IxpError('INVALID_REQUEST', 'x') instanceof Error)) throw new Error('IxpError is not an Error')
console.log(JSON.stringify({ status: response.status, tree: body.tree }))
