import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { FIXTURES, killAll, postRender, startServe, type Served } from './helpers.js'

afterAll(killAll)

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ixp-watch-'))
  await copyFile(join(FIXTURES, 'intents.json'), join(dir, 'intents.json'))
  await copyFile(join(FIXTURES, 'components.json'), join(dir, 'components.json'))
  return () => rm(dir, { recursive: true, force: true })
})

async function intentNames(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/intents`)).json()) as { intents: { name: string }[] }
  return body.intents.map((intent) => intent.name)
}

async function eventually(check: () => Promise<boolean>, server?: Served, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const output = server?.output()
  throw new Error(
    `condition not met in time${output ? `\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}` : ''}`,
  )
}

async function editIntents(edit: (file: { intents: Record<string, unknown>[] }) => void): Promise<void> {
  const file = JSON.parse(await readFile(join(dir, 'intents.json'), 'utf8'))
  edit(file)
  await writeFile(join(dir, 'intents.json'), JSON.stringify(file, null, 2))
}

const extraIntent = {
  name: 'show_alerts',
  description: 'Shows weather alerts',
  component: 'WeatherCard',
  version: '1.0.0',
  parameters: { type: 'object', properties: { region: { type: 'string' } } },
}

async function startWatching(args: string[] = []): Promise<Served> {
  return startServe(
    ['--intents', 'intents.json', '--components', 'components.json', '--port', '0', '--watch', ...args],
    {
      cwd: dir,
    },
  )
}

describe('ixp serve --watch', () => {
  it('adds, replaces and removes definitions from a changed file while serving', async () => {
    const server = await startWatching()
    await server.waitFor('Watching intents.json, components.json for changes')
    // Keep requests going through the reloads: none may fail.
    let stop = false
    const failures: number[] = []
    const load = (async () => {
      while (!stop) {
        const response = await postRender(server.url, 'show_weather', { city: 'Bergen' })
        if (response.status !== 200) failures.push(response.status)
      }
    })()

    await editIntents((file) => file.intents.push(extraIntent))
    await eventually(async () => (await intentNames(server.url)).includes('show_alerts'), server)
    await server.waitFor('reloaded intents.json (intents): added show_alerts')
    expect((await postRender(server.url, 'show_alerts', { region: 'west' })).status).toBe(200)

    await editIntents((file) => {
      file.intents[0]!.crawlable = false
      file.intents = file.intents.filter((intent) => intent.name !== 'show_forecast')
    })
    await server.waitFor('replaced show_weather; removed show_forecast')
    expect(await intentNames(server.url)).toEqual(['show_weather', 'show_alerts'])
    expect((await postRender(server.url, 'show_weather', { city: 'Oslo' })).body.ttl).toBe(300)
    expect((await postRender(server.url, 'show_forecast')).status).toBe(404)

    stop = true
    await load
    expect(failures).toEqual([])
    expect(await server.stop()).toEqual({ code: 0, signal: null })
  })

  it('keeps the previous definitions when the changed file is invalid, and logs the problems', async () => {
    const server = await startWatching()
    await writeFile(join(dir, 'intents.json'), '{ "intents": [ { "name": ')
    await eventually(async () => server.output().stderr.includes('not reloaded'), server)
    expect(server.output().stderr).toContain(
      'intents.json (intents) not reloaded, keeping the previous definitions',
    )
    expect(await intentNames(server.url)).toEqual(['show_weather', 'show_forecast'])

    await editIntentsFrom(JSON.parse(await readFile(join(FIXTURES, 'intents.json'), 'utf8')), (file) => {
      file.intents[1]!.parameters = { type: 'array' }
    })
    await eventually(async () =>
      server.output().stderr.includes("intents.1.parameters.type: must be 'object'"),
    )
    expect(await intentNames(server.url)).toEqual(['show_weather', 'show_forecast'])
    expect((await postRender(server.url, 'show_forecast', { days: 2 })).status).toBe(200)
    await server.stop()
  })

  it('follows a file replaced by rename (how many editors save)', async () => {
    const server = await startWatching()
    const file = JSON.parse(await readFile(join(dir, 'intents.json'), 'utf8'))
    file.intents.push(extraIntent)
    await writeFile(join(dir, 'intents.json.tmp'), JSON.stringify(file))
    await rename(join(dir, 'intents.json.tmp'), join(dir, 'intents.json'))
    await eventually(async () => (await intentNames(server.url)).includes('show_alerts'), server)
    // A second save through the same path is seen too.
    await editIntents((next) => next.intents.pop())
    await eventually(async () => !(await intentNames(server.url)).includes('show_alerts'), server)
    await server.stop()
  })

  it('reloads every worker of a cluster', async () => {
    const server = await startWatching(['--workers', '2'])
    await server.waitFor('(2 workers)')
    await editIntents((file) => file.intents.push(extraIntent))
    await server.waitFor('reloaded intents.json (intents): added show_alerts')
    // Connections are spread over the workers: every answer must know the new intent.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${server.url}/intents`, { headers: { connection: 'close' } }).then((response) =>
          response.json(),
        ),
      ),
    )
    for (const answer of answers as { intents: { name: string }[] }[]) {
      expect(answer.intents.map((intent) => intent.name)).toContain('show_alerts')
    }
    expect(await server.stop()).toEqual({ code: 0, signal: null })
  }, 60_000)
})

async function editIntentsFrom(
  base: { intents: Record<string, unknown>[] },
  edit: (file: { intents: Record<string, unknown>[] }) => void,
): Promise<void> {
  edit(base)
  await writeFile(join(dir, 'intents.json'), JSON.stringify(base, null, 2))
}
