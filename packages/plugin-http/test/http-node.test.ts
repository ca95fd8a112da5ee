/** The shared HTTP suite through a real node:http server (`createNodeServer` and `toNodeHandler`). */
import { createServer } from 'node:http'
import { describe, it } from 'vitest'
import { createHttpHandler } from '@ixp/plugin-http'
import { createNodeServer, toNodeHandler } from '@ixp/plugin-http/node'
import { httpCases, type Transport } from './suite.js'
import { listening } from './transports.js'

const nodeServer: Transport = {
  name: 'createNodeServer',
  mount: (engine, options) => listening(createNodeServer(engine, options)),
}

const nodeListener: Transport = {
  name: 'toNodeHandler',
  mount: (engine, options) => listening(createServer(toNodeHandler(createHttpHandler(engine, options)))),
}

for (const transport of [nodeServer, nodeListener]) {
  describe(`HTTP suite — ${transport.name}`, () => {
    for (const testCase of httpCases) it(testCase.name, () => testCase.run(transport))
  })
}
