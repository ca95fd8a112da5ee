/**
 * The check of plugins' `core` ranges comes with `@ixp/core/plugin-kit`: until it is imported, a plugin that
 * declares `core` is refused (naming the import), never installed unchecked; plugins without `core` need nothing.
 * This file must not import plugin-kit statically: vitest gives each test file its own module graph.
 */
import { describe, expect, it } from 'vitest'
import { createEngine, silentLogger, VERSION } from '../src/index.js'
import { thrown } from './thrown.js'

describe("plugins' core ranges", () => {
  it('are refused until plugin-kit is imported, then checked', async () => {
    const engine = createEngine({ logger: silentLogger })
    engine.use({ name: 'plain', apply() {} })
    const unchecked = thrown(() => engine.use({ name: 'ranged', core: `^${VERSION}`, apply() {} }))
    expect(unchecked.code).toBe('PLUGIN_INVALID')
    expect(unchecked.message).toContain("import '@ixp/core/plugin-kit'")

    await import('@ixp/core/plugin-kit')
    engine.use({ name: 'ranged', core: `^${VERSION}`, apply() {} })
    expect(thrown(() => engine.use({ name: 'old', core: '^9.0.0', apply() {} })).code).toBe(
      'PLUGIN_VERSION_MISMATCH',
    )
    await engine.ready()
    expect(engine.plugins.map((plugin) => plugin.name)).toEqual(['plain', 'ranged'])
  })
})
