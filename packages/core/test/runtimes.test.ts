/**
 * Runs the core's portable suite where code generation from strings is forbidden: inside workerd (the
 * Cloudflare Workers runtime) and in Node with `--disallow-code-generation-from-strings`. One bundle, built
 * once, serves both runtimes.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPortableSuite,
  disposeBundle,
  runPortableSuite,
  type PortableBundle,
  type PortableRuntime,
} from './portable/run.js'

const runtimes: PortableRuntime[] = ['node-nocodegen', 'workerd']
const runtimeName: Record<PortableRuntime, RegExp> = {
  'node-nocodegen': /^node \d/,
  workerd: /^Cloudflare-Workers$/,
}

describe('core portable suite', () => {
  let bundle: PortableBundle
  beforeAll(async () => {
    bundle = await buildPortableSuite(fileURLToPath(new URL('./portable/suite.ts', import.meta.url)))
  })
  afterAll(async () => {
    if (bundle) await disposeBundle(bundle)
  })

  it.each(runtimes)('passes every case in %s, without code generation', async (runtime) => {
    const report = await runPortableSuite(bundle, { runtime })
    const failures = report.results
      .filter((result) => !result.ok)
      .map((result) => `✗ ${result.name}\n${result.error}`)
    expect(
      failures,
      `${failures.length} failed in ${report.runtime}:\n\n${failures.join('\n\n')}\n\nstderr:\n${report.stderr}`,
    ).toEqual([])
    expect(report.runtime).toMatch(runtimeName[runtime])
    expect(report.codeGeneration).toBe(false)
    expect(report.results.length).toBeGreaterThanOrEqual(30)
  })
})

describe('portable harness', () => {
  it.each(runtimes)('reports failures, rejections and hangs from %s', async (runtime) => {
    const report = await runPortableSuite(
      fileURLToPath(new URL('./portable/fixtures/self-check.ts', import.meta.url)),
      {
        runtime,
      },
    )
    expect(report.results.map(({ name, ok }) => [name, ok])).toEqual([
      ['self-check > passes', true],
      ['self-check > fails an assertion', false],
      ['self-check > rejects', false],
      ['self-check > hangs', false],
    ])
    expect(report.results[1]!.error).toContain('one is not two')
    expect(report.results[2]!.error).toContain('async failure')
    expect(report.results[3]!.error).toContain('timed out after 50 ms')
  })
})
