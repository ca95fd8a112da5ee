// The range check comes with plugin-kit.
import '../src/plugin-kit/index.js'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createEngine, IxpError, VERSION, type IxpPlugin } from '../src/index.js'

function refusal(plugin: unknown): IxpError {
  try {
    createEngine().use(plugin as IxpPlugin)
  } catch (error) {
    expect(error).toBeInstanceOf(IxpError)
    return error as IxpError
  }
  throw new Error('use() accepted the plugin')
}

describe("a plugin's core range", () => {
  it('VERSION is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(VERSION).toBe(pkg.version)
  })

  it('accepts a plugin whose range includes this core', async () => {
    const engine = createEngine({ plugins: [{ name: 'fits', core: `^${VERSION}`, apply() {} }] })
    engine.use({ name: 'any', core: '*', apply() {} })
    await engine.ready()
    expect(engine.plugins.map((plugin) => plugin.name)).toEqual(['fits', 'any'])
  })

  it('refuses at use() a plugin made for another core with PLUGIN_VERSION_MISMATCH', () => {
    const error = refusal({ name: 'old-plugin', core: '^9.0.0', apply() {} })
    expect(error.code).toBe('PLUGIN_VERSION_MISMATCH')
    expect(error.message).toBe(
      `Plugin 'old-plugin' supports @ixp/core ^9.0.0, but this is @ixp/core ${VERSION}: install a version of the plugin made for it`,
    )
    expect(error.details).toEqual({ plugin: 'old-plugin', range: '^9.0.0', core: VERSION })
  })

  it('refuses a range it cannot read with PLUGIN_INVALID naming the field', () => {
    for (const core of ['latest', 42, '']) {
      const error = refusal({ name: 'odd', core, apply() {} })
      expect(error.code).toBe('PLUGIN_INVALID')
      expect(error.message).toContain("Plugin 'odd': core must be a semver range")
    }
  })
})
