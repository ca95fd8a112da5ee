import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/index.js'
import { captureIo } from './capture.js'
import { FIXTURES, runIxp } from './helpers.js'

describe('ixp validate', () => {
  it('accepts valid intents and components files, exit 0, with counts', async () => {
    const out = captureIo()
    expect(await runCli(['validate', 'intents.json', 'components.json'], out.io)).toBe(0)
    expect(out.stdout).toContain('ok    intents.json (2 intents)')
    expect(out.stdout).toContain('ok    components.json (1 component)')
    expect(out.stdout).toContain('2 files valid')
  })

  it('reports every problem of a components file with its JSON path, exit 1', async () => {
    const out = captureIo()
    expect(await runCli(['validate', 'bad-components.json'], out.io)).toBe(1)
    const expected = [
      'components.ProductCard.framework: must be one of react, vue, vanilla',
      'components.ProductCard.propsSchema.properties.price.type: must be one of string, number, boolean, object, array',
      'components.ProductCard.performance.bundleSizeGzipped: must match ^\\d+(\\.\\d+)?(KB|MB)$',
      'components.ProductCard.performance.tti: must match ^\\d+(\\.\\d+)?(ms|s)$',
      "components.ProductCard.securityPolicy.csp.script-src: must not allow 'unsafe-eval'",
      'components.Banner.remoteUrl: must be a URL string',
    ]
    for (const line of expected) expect(out.stdout).toContain(line)
    expect(out.stdout).toContain('FAIL  bad-components.json (6 problems)')
  })

  it('reports every problem of an intents file, including duplicates', async () => {
    const out = captureIo()
    expect(await runCli(['validate', 'bad-intents.json'], out.io)).toBe(1)
    expect(out.stdout).toContain('intents.1.name: must be a non-empty string')
    expect(out.stdout).toContain("intents.1.parameters.type: must be 'object'")
    expect(out.stdout).toContain('intents.2.version: must be a non-empty string')
    expect(out.stdout).toContain("intents.2.name: duplicates intent 'ok_intent'")
  })

  it('locates a JSON syntax error by line and column, and names missing files', async () => {
    // Written here rather than kept as a fixture: the formatter would repair it.
    const dir = await mkdtemp(join(tmpdir(), 'ixp-broken-'))
    await writeFile(join(dir, 'broken.json'), '{\n  "intents": [\n    { "name": "x", }\n  ]\n}\n')
    await writeFile(join(dir, 'intents.json'), await readFile(join(FIXTURES, 'intents.json'), 'utf8'))
    const out = captureIo(dir)
    expect(await runCli(['validate', 'broken.json', 'missing.json', 'intents.json'], out.io)).toBe(1)
    await rm(dir, { recursive: true, force: true })
    expect(out.stdout).toMatch(/FAIL  broken\.json \(1 problem\)\n\s+not valid JSON at line 3, column \d+:/)
    expect(out.stdout).toMatch(/FAIL  missing\.json \(1 problem\)\n\s+file does not exist/)
    expect(out.stdout).toContain('ok    intents.json')
    expect(out.stdout).toContain('2 of 3 files invalid (2 problems)')
  })

  it('prints a machine-readable report with --format json', async () => {
    const out = captureIo()
    expect(
      await runCli(['validate', '--format', 'json', 'bad-components.json', 'intents.json'], out.io),
    ).toBe(1)
    const report = JSON.parse(out.stdout)
    expect(report.valid).toBe(false)
    expect(report.files[0]).toMatchObject({ file: 'bad-components.json', valid: false })
    expect(report.files[0].problems).toContainEqual({
      path: 'components.ProductCard.performance.bundleSizeGzipped',
      message: 'must match ^\\d+(\\.\\d+)?(KB|MB)$',
    })
    expect(report.files[1]).toMatchObject({ file: 'intents.json', valid: true, intents: 2 })
  })

  it('validates a config module, its inline definitions (by config path) and the files it names', async () => {
    const out = captureIo()
    expect(await runCli(['validate', 'invalid-inline.config.mjs'], out.io)).toBe(1)
    expect(out.stdout).toContain('FAIL  invalid-inline.config.mjs')
    expect(out.stdout).toContain('intents.1.description: must be a non-empty string')
    expect(out.stdout).toContain("intents.1.parameters.type: must be 'object'")
    expect(out.stdout).toContain('ok    components.json (1 component)')
  })

  it('reports config shape problems with their paths', async () => {
    const out = captureIo()
    expect(await runCli(['validate', 'invalid.config.mjs'], out.io)).toBe(1)
    expect(out.stdout).toContain('intent: is not a config key')
    expect(out.stdout).toContain('components.0: must be a definition object or a JSON file path')
    expect(out.stdout).toContain('http.port: must be a whole number from 0 to 65535')
    expect(out.stdout).toContain("http.base: must be a path starting with '/'")
    expect(out.stdout).toContain('http.extra: is not an option')
  })

  it('accepts a JSON config and validates the files it names', async () => {
    const out = captureIo()
    expect(await runCli(['validate', 'plain.config.json'], out.io)).toBe(0)
    expect(out.stdout).toContain('ok    plain.config.json')
    expect(out.stdout).toContain('ok    intents.json (2 intents)')
    expect(out.stdout).toContain('ok    components.json (1 component)')
  })

  it('loads a TypeScript config (the binary compiles it with tsx)', async () => {
    const result = await runIxp(['validate', 'typed.config.ts'])
    expect(result.stdout).toContain('ok    typed.config.ts (1 intent, 1 component)')
    expect(result.code).toBe(0)
  })

  describe('cross-file checks', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ixp-validate-'))
      await writeFile(
        join(dir, 'intents.json'),
        JSON.stringify({
          intents: [
            {
              name: 'a',
              description: 'A',
              component: 'Nowhere',
              version: '1.0.0',
              parameters: { type: 'object' },
            },
          ],
        }),
      )
      await writeFile(
        join(dir, 'components.json'),
        JSON.stringify({
          components: {
            Somewhere: {
              framework: 'vue',
              remoteUrl: '/c.js',
              exportName: 'C',
              version: '1.0.0',
              propsSchema: { type: 'object' },
              allowedOrigins: [],
            },
          },
        }),
      )
      await writeFile(join(dir, 'neither.json'), JSON.stringify({ widgets: [] }))
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    it('fails when an intent names a component no given file defines', async () => {
      const out = captureIo(dir)
      expect(await runCli(['validate', 'intents.json', 'components.json'], out.io)).toBe(1)
      expect(out.stdout).toContain(
        "intents.0.component: intent 'a' renders component 'Nowhere', which is not defined in the files given",
      )
    })

    it('refuses a JSON file with neither intents nor components', async () => {
      const out = captureIo(dir)
      expect(await runCli(['validate', 'neither.json'], out.io)).toBe(1)
      expect(out.stdout).toContain('must have an "intents" array or a "components" object')
    })
  })

  it('exits 1 and 0 from the real binary', async () => {
    const bad = await runIxp(['validate', 'bad-components.json'])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('components.ProductCard.performance.bundleSizeGzipped')
    const good = await runIxp(['validate', 'intents.json', 'components.json'])
    expect(good.code).toBe(0)
    expect(good.stderr).toBe('')
  })
})
