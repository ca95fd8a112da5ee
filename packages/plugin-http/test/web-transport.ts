/** The suite's transport that calls `handler.fetch` directly: no server, no port (runs on every runtime). */
import { createHttpHandler } from '@ixp/plugin-http'
import type { Transport } from './suite.js'

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
