import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createEngineFromConfig, defineConfig, loadConfig } from '../src/index.js'
import { findConfig } from '../src/config/load.js'
import { FIXTURES } from './helpers.js'

describe('config loading', () => {
  it('loads a JSON config, resolving file paths against the config directory', async () => {
    const resolved = await loadConfig('plain.config.json', FIXTURES)
    expect(resolved.intentFiles).toEqual([join(FIXTURES, 'intents.json')])
    expect(resolved.componentFiles).toEqual([join(FIXTURES, 'components.json')])
    expect(resolved.http).toEqual({ port: 0, cors: ['https://app.example.com'] })
  })

  it('loads an .mjs config exported as an async function', async () => {
    const resolved = await loadConfig(join(FIXTURES, 'factory.config.mjs'), '/')
    expect(resolved.intentFiles).toEqual([join(FIXTURES, 'intents.json')])
  })

  it('splits inline definitions from file paths', async () => {
    const resolved = await loadConfig('invalid-inline.config.mjs', FIXTURES)
    expect(resolved.intents.map((intent) => intent.name)).toEqual(['fine', 'broken'])
    expect(resolved.componentFiles).toEqual([join(FIXTURES, 'components.json')])
  })

  it('reports every shape problem of a config at once', async () => {
    await expect(loadConfig('invalid.config.mjs', FIXTURES)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: {
        issues: expect.arrayContaining([
          { path: 'intent', message: expect.stringContaining('is not a config key') },
          { path: 'components.0', message: 'must be a definition object or a JSON file path' },
          { path: 'http.port', message: 'must be a whole number from 0 to 65535' },
          { path: 'http.base', message: "must be a path starting with '/'" },
          { path: 'http.extra', message: expect.stringContaining('is not an option') },
          { path: 'http.shutdownTimeout', message: "was renamed 'shutdownTimeoutMs'" },
        ]),
      },
    })
  })

  it('wraps a config that throws while loading', async () => {
    await expect(loadConfig('throws.config.mjs', FIXTURES)).rejects.toMatchObject({
      code: 'CONFIG_LOAD_FAILED',
      message: expect.stringContaining('the database URL is not set'),
    })
  })

  it('refuses a missing config and an unsupported extension', async () => {
    await expect(loadConfig('nope.config.mjs', FIXTURES)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
    await expect(loadConfig('intents.json.bak', FIXTURES)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
    await expect(loadConfig('helpers.ts', join(FIXTURES, '..'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    })
  })

  it('finds ixp.config.* in a directory', () => {
    expect(findConfig(FIXTURES)).toBeUndefined()
    expect(findConfig(join(FIXTURES, '..', '..', '..', '..', 'examples', 'demo'))).toMatch(/ixp\.config\.ts$/)
  })

  it('createEngineFromConfig builds a ready engine with inline and file definitions', async () => {
    const engine = await createEngineFromConfig(
      defineConfig({
        intents: ['intents.json'],
        components: [
          'components.json',
          {
            name: 'Echo',
            render: (props: Record<string, unknown>) => ({
              type: 'p',
              props: {},
              children: [String(props.text)],
            }),
          },
        ],
        plugins: [{ name: 'test-plugin', apply: () => undefined }],
      }),
      { cwd: FIXTURES },
    )
    expect(engine.isReady).toBe(true)
    expect(engine.intents.size).toBe(2)
    expect(engine.components.size).toBe(2)
    expect(engine.plugins.map((plugin) => plugin.name)).toEqual(['test-plugin'])
    const result = await engine.render({ intent: { name: 'show_weather', parameters: { city: 'Oslo' } } })
    expect(result.record?.moduleUrl).toBe('https://cdn.example.com/weather-card.js')
    await engine.close()
  })
})
