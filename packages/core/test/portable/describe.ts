/**
 * The vitest side of a portable suite, shared by every package that runs one: bundle the suite once, run it in
 * workerd and in Node without code generation, and fail with every failing case listed.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildPortableSuite,
  disposeBundle,
  runPortableSuite,
  type PortableBundle,
  type PortableRuntime,
} from './run.js'

export interface PortableSuiteOptions {
  /** How many cases the suite has (so a suite that silently lost cases fails). */
  cases: number
  /** Words that must not appear in the bundle (a Node-only dependency leaking into an edge entry). */
  forbidden?: RegExp[]
}

/** Declares the tests of a portable suite; `suite` is resolved against `base` (pass `import.meta.url`). */
export function describePortableSuite(
  title: string,
  suite: string,
  base: string,
  options: PortableSuiteOptions,
): void {
  const file = fileURLToPath(new URL(suite, base))
  let bundle: PortableBundle

  beforeAll(async () => {
    bundle = await buildPortableSuite(file)
  }, 60_000)

  afterAll(async () => {
    if (bundle) await disposeBundle(bundle)
  })

  it('keeps the bundle free of Node built-ins', async () => {
    const code = await readFile(bundle.file, 'utf8')
    for (const pattern of [/from\s*["']node:/, ...(options.forbidden ?? [])])
      expect(code).not.toMatch(pattern)
  })

  describe.each<PortableRuntime>(['workerd', 'node-nocodegen'])(
    `${title} in %s (no code generation)`,
    (runtime) => {
      it('passes the portable suite', { timeout: 120_000 }, async () => {
        const report = await runPortableSuite(bundle, { runtime, timeoutMs: 100_000 })
        expect(report.codeGeneration).toBe(false)
        if (runtime === 'workerd') expect(report.runtime).toBe('Cloudflare-Workers')
        const failed = report.results.filter((result) => !result.ok)
        expect(failed, failed.map((result) => `${result.name}\n${result.error}`).join('\n\n')).toEqual([])
        expect(report.results.length).toBe(options.cases)
      })
    },
  )
}
