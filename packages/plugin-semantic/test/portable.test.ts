import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPortableSuite,
  disposeBundle,
  runPortableSuite,
  type PortableBundle,
  type PortableRuntime,
} from '../../core/test/portable/run.js'

const SUITE = fileURLToPath(new URL('./portable/suite.ts', import.meta.url))
let bundle: PortableBundle

beforeAll(async () => {
  bundle = await buildPortableSuite(SUITE)
}, 60_000)

afterAll(async () => {
  if (bundle) await disposeBundle(bundle)
})

describe.each<PortableRuntime>(['workerd', 'node-nocodegen'])(
  'the plugin in %s (no code generation)',
  (runtime) => {
    it('passes the portable suite', { timeout: 120_000 }, async () => {
      const report = await runPortableSuite(bundle, { runtime, timeoutMs: 100_000 })
      expect(report.codeGeneration).toBe(false)
      if (runtime === 'workerd') expect(report.runtime).toBe('Cloudflare-Workers')
      const failed = report.results.filter((result) => !result.ok)
      expect(failed, failed.map((result) => `${result.name}\n${result.error}`).join('\n\n')).toEqual([])
      expect(report.results.length).toBe(4)
    })
  },
)
