// Remote components are registered below: their checks come with `@ixp/core/remote`.
import '../src/remote/index.js'
import { createEngine, type EngineOptions, type IntentDefinition } from '../src/index.js'

export const orderStatus: IntentDefinition = {
  name: 'order_status',
  description: 'Shows the status of an order',
  component: 'OrderCard',
  parameters: {
    type: 'object',
    properties: {
      orderId: { type: 'string', pattern: '^[0-9]+$' },
      verbose: { type: 'boolean' },
    },
    required: ['orderId'],
  },
  handler: async ({ orderId }) => ({ status: `shipped:${String(orderId)}` }),
}

/** An engine with one server-rendered and one remote component, and an intent for each. */
export function makeEngine(options: EngineOptions = {}) {
  const engine = createEngine({ logger: undefined, ...options })
  engine.registerComponent({
    name: 'OrderCard',
    description: 'An order',
    render: (props) => ({
      type: 'card',
      props: { title: `Order ${String(props.orderId)}` },
      children: [String(props.status)],
    }),
  })
  engine.registerComponent({
    name: 'Map',
    framework: 'react',
    remoteUrl: 'https://cdn.example.com/map.js',
    exportName: 'StoreMap',
    version: '1.0.0',
    propsSchema: { type: 'object', properties: { city: { type: 'string' } } },
    allowedOrigins: ['https://shop.example.com'],
  })
  engine.registerIntent(orderStatus)
  engine.registerIntent({
    name: 'store_map',
    description: 'Shows a store on a map',
    component: 'Map',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  })
  return engine
}
