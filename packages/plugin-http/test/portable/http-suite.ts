/**
 * The shared HTTP suite as a portable suite: bundled and run inside workerd (and Node without code
 * generation) by `runtimes.test.ts`, calling `handler.fetch` there.
 */
import { describe, test } from '../../../core/test/portable/harness.js'
import { httpCases } from '../suite.js'
import { fetchTransport } from '../web-transport.js'

describe('HTTP suite in the runtime', () => {
  for (const testCase of httpCases)
    test(testCase.name, () => testCase.run(fetchTransport), { timeoutMs: 20_000 })
})
