// The same packages through require(): CommonJS entry points and their .d.cts types.
import core = require('@ixp/core')
import http = require('@ixp/plugin-http')

async function main(): Promise<void> {
  const engine = core.createEngine()
  engine.registerComponent({ name: 'Hello', render: (props) => `Hello, ${String(props.name)}` })
  engine.registerIntent({
    name: 'hello',
    description: 'Says hello',
    component: 'Hello',
    parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    handler: (params) => ({ name: params.name.toUpperCase() }),
  })
  const handler = http.createHttpHandler(engine)
  const response = await handler.fetch(
    new Request('http://localhost/ixp/render', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent: { name: 'hello', parameters: { name: 'ada' } } }),
    }),
  )
  const body = (await response.json()) as { tree: unknown }
  await engine.close()
  console.log(JSON.stringify({ status: response.status, tree: body.tree }))
}

void main()
