/**
 * The shared HTTP suite inside workerd (Cloudflare's runtime, from the `workerd` npm package) and in Node
 * without code generation from strings, through the core's portable runner: the main entry point must work
 * where only web standards exist.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPortableSuite,
  disposeBundle,
  runPortableSuite,
  type PortableBundle,
  type PortableRuntime,
} from '../../core/test/portable/run.js'
import { binaryOf, runInBinary, type BinaryRuntime } from './binary-runtimes.js'
import { httpCases } from './suite.js'

const runtimes: PortableRuntime[] = ['workerd', 'node-nocodegen']

describe('HTTP suite on other runtimes', () => {
  let bundle: PortableBundle
  beforeAll(async () => {
    bundle = await buildPortableSuite(fileURLToPath(new URL('./portable/http-suite.ts', import.meta.url)))
  }, 60_000)
  afterAll(async () => {
    if (bundle) await disposeBundle(bundle)
  })

  it.each(runtimes)(
    'passes every case in %s',
    async (runtime) => {
      const report = await runPortableSuite(bundle, { runtime, timeoutMs: 120_000 })
      const failures = report.results
        .filter((result) => !result.ok)
        .map((result) => `✗ ${result.name}\n${result.error}`)
      expect(
        failures,
        `${failures.length} failed in ${report.runtime}:\n\n${failures.join('\n\n')}\n\n${report.stderr}`,
      ).toEqual([])
      expect(report.results.length).toBe(httpCases.length)
      if (runtime === 'workerd') expect(report.runtime).toBe('Cloudflare-Workers')
      expect(report.codeGeneration).toBe(false)
    },
    150_000,
  )

  const binaries: BinaryRuntime[] = ['bun', 'deno']
  it.each(binaries)(
    'passes every case in %s (from the npm registry)',
    async (runtime) => {
      expect(binaryOf(runtime), `the ${runtime} package installed a binary for this platform`).toBeDefined()
      const report = await runInBinary(bundle, runtime)
      const failures = report.results
        .filter((result) => !result.ok)
        .map((result) => `✗ ${result.name}\n${result.error}`)
      expect(failures, `${failures.length} failed in ${report.runtime}:\n\n${failures.join('\n\n')}`).toEqual(
        [],
      )
      expect(report.results.length).toBe(httpCases.length)
    },
    150_000,
  )
})
