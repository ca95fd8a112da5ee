/** The shared HTTP suite against `handler.fetch` directly (no server, no port). */
import { describe, it } from 'vitest'
import { httpCases } from './suite.js'
import { fetchTransport } from './web-transport.js'

describe('HTTP suite — fetch handler', () => {
  for (const testCase of httpCases) it(testCase.name, () => testCase.run(fetchTransport))
})
