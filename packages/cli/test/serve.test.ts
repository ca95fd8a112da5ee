import { afterAll, describe, expect, it } from 'vitest'
import { killAll, postRender, runIxp, startServe } from './helpers.js'

afterAll(killAll)

describe('ixp serve', () => {
  it('serves reference-format files, printing its URL and routes', async () => {
    const server = await startServe([
      '--intents',
      'intents.json',
      '--components',
      'components.json',
      '--port',
      '0',
    ])
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ixp$/)
    await server.waitFor(`POST ${server.url}/render`)
    await server.waitFor('2 intents, 1 components; plugins: none')
    const intents = (await (await fetch(`${server.url}/intents`)).json()) as { intents: { name: string }[] }
    expect(intents.intents.map((intent) => intent.name)).toEqual(['show_weather', 'show_forecast'])
    const render = await postRender(server.url, 'show_weather', { city: 'Oslo', extra: 1 })
    expect(render.status).toBe(200)
    expect(render.body.record).toEqual({
      moduleUrl: 'https://cdn.example.com/weather-card.js',
      exportName: 'WeatherCard',
      props: { city: 'Oslo' },
    })
    expect(render.body.ttl).toBe(600)
    expect((await postRender(server.url, 'show_weather', {})).status).toBe(400)
    expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null })
  })

  it('on SIGTERM finishes the request in flight, refuses new connections, and exits 0', async () => {
    const server = await startServe(['--config', 'slow.config.mjs'], { env: { SLOW_MS: '1500' } })
    const startedAt = Date.now()
    const inFlight = postRender(server.url, 'slow_report', { title: 'Quarterly' })
    // Let the request reach the handler before the signal.
    await new Promise((resolve) => setTimeout(resolve, 400))
    server.child.kill('SIGTERM')
    await server.waitFor('finishing requests in flight')
    const response = await inFlight
    expect(response.status).toBe(200)
    expect(response.body.tree).toEqual({ type: 'section', props: {}, children: ['Quarterly'] })
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1400)
    await expect(fetch(`${server.url}/health`)).rejects.toThrow()
    const exit = await server.exited
    expect(exit).toEqual({ code: 0, signal: null })
    expect(server.output().stdout).toContain('Stopped')
  })

  it('cuts a request that outlives --shutdown-timeout and still exits', async () => {
    const server = await startServe(['--config', 'slow.config.mjs', '--shutdown-timeout', '200'], {
      env: { SLOW_MS: '5000' },
    })
    const inFlight = postRender(server.url, 'slow_report').then(
      () => 'answered',
      () => 'cut',
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const startedAt = Date.now()
    const exit = await server.stop('SIGTERM')
    expect(Date.now() - startedAt).toBeLessThan(4000)
    expect(await inFlight).toBe('cut')
    expect(exit.code).toBe(0)
  })

  it('fails with LISTEN_FAILED when the port is taken', async () => {
    const files = ['--intents', 'intents.json', '--components', 'components.json']
    const first = await startServe([...files, '--port', '0'])
    const port = new URL(first.url).port
    const second = await runIxp(['serve', ...files, '--port', port])
    expect(second.code).toBe(1)
    expect(second.stderr).toContain('LISTEN_FAILED')
    expect(second.stderr).toContain(`127.0.0.1:${port} is already in use`)
    expect(second.stderr).not.toMatch(/\n\s+at /)
    await first.stop()
  })

  it('serves a JSON config; --cors sets the allowed origins', async () => {
    const server = await startServe(['--config', 'plain.config.json', '--cors', 'https://shop.example.com'])
    const allowed = await fetch(`${server.url}/intents`, { headers: { origin: 'https://shop.example.com' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com')
    const other = await fetch(`${server.url}/intents`, { headers: { origin: 'https://app.example.com' } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    await server.stop()
  })

  it("uses the JSON config's own cors list without the flag", async () => {
    const server = await startServe(['--config', 'plain.config.json'])
    const allowed = await fetch(`${server.url}/intents`, { headers: { origin: 'https://app.example.com' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    await server.stop()
  })

  it('serves a TypeScript config with its base path and server-rendered component', async () => {
    const server = await startServe(['--config', 'typed.config.ts'])
    expect(server.url).toMatch(/\/api$/)
    const render = await postRender(server.url, 'greet', { name: 'Ada' })
    expect(render.status).toBe(200)
    expect(render.body.tree).toEqual({ type: 'p', props: {}, children: ['Hello, Ada'] })
    await server.stop()
  })

  it('serves a config exported as an async function; --base overrides the config', async () => {
    const server = await startServe(['--config', 'factory.config.mjs', '--base', '/v1/ixp'])
    expect(server.url).toMatch(/\/v1\/ixp$/)
    expect((await fetch(`${server.url}/components`)).status).toBe(200)
    await server.stop()
  })

  it('refuses to start with an invalid definitions file, naming every problem', async () => {
    const result = await runIxp(['serve', '--components', 'bad-components.json', '--port', '0'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('INVALID_DEFINITION')
    expect(result.stderr).toContain('components.ProductCard.performance.tti: must match')
    expect(result.stderr).toContain('components.Banner.remoteUrl')
  })

  it('reports an error escaping a plugin while serving as a message, exit 1', async () => {
    const result = await runIxp(['serve', '--config', 'stray.config.mjs'])
    expect(result.stdout).toContain('listening on')
    expect(result.stderr).toContain('ixp: error: lost connection to the broker')
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.code).toBe(1)
  })

  it('refuses to start when an intent renders a component that is not registered, naming the intent', async () => {
    const result = await runIxp(['serve', '--intents', 'intents.json', '--port', '0'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('INVALID_DEFINITION')
    expect(result.stderr).toContain(
      "intent 'show_weather' renders component 'WeatherCard', which is not registered",
    )
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses a config with a wrong shape, naming each key', async () => {
    const result = await runIxp(['serve', '--config', 'invalid.config.mjs'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('CONFIG_INVALID')
    expect(result.stderr).toContain('http.port: must be a whole number from 0 to 65535')
  })
})
