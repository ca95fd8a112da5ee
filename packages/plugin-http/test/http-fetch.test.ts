/** The shared HTTP suite against `handler.fetch` directly (no server, no port). */
import { describe, it } from 'vitest'
import { createHttpHandler } from '@ixp/plugin-http'
import { httpCases, type Transport } from './suite.js'

export const fetchTransport: Transport = {
  name: 'fetch handler',
  async mount(engine, options) {
    const handler = createHttpHandler(engine, options)
    return {
      request: (path, init) => handler.fetch(new Request(`http://ixp.test${path}`, init)),
      close: async () => undefined,
    }
  },
}

describe('HTTP suite — fetch handler', () => {
  for (const testCase of httpCases) it(testCase.name, () => testCase.run(fetchTransport))
})
