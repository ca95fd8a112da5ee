import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { killAll, postRender, runIxp, startServe } from './helpers.js'

afterAll(killAll)

/** Node child processes of a process (not tsx's esbuild service), from /proc (Linux); undefined elsewhere. */
function childrenOf(pid: number): number[] | undefined {
  if (!existsSync('/proc/self/stat')) return undefined
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The parent id is the second field after the parenthesised command name.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (parent === pid && command !== 'esbuild') children.push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  return children
}

describe('ixp serve --workers', () => {
  it('forks the workers, serves through all of them, and stops them all on SIGTERM', async () => {
    const server = await startServe(['--config', 'slow.config.mjs', '--workers', '2'], {
      env: { SLOW_MS: '800' },
    })
    await server.waitFor('(2 workers)')
    const workers = childrenOf(server.child.pid!)
    if (workers) expect(workers).toHaveLength(2)
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        postRender(server.url, 'show_weather', { city: `City ${index}` }),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200))
    // A slow request in flight when the signal arrives is still answered.
    const inFlight = postRender(server.url, 'slow_report', { title: 'Cluster' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    server.child.kill('SIGTERM')
    expect((await inFlight).body.tree).toEqual({ type: 'section', props: {}, children: ['Cluster'] })
    expect(await server.exited).toEqual({ code: 0, signal: null })
    if (workers) for (const pid of workers) expect(existsSync(`/proc/${pid}`)).toBe(false)
  }, 60_000)

  it('replaces a worker that dies', async () => {
    const server = await startServe([
      '--intents',
      'intents.json',
      '--components',
      'components.json',
      '--port',
      '0',
      '--workers',
      '2',
    ])
    await server.waitFor('(2 workers)')
    const [victim] = childrenOf(server.child.pid!) ?? []
    if (victim === undefined) return server.stop().then(() => undefined)
    process.kill(victim, 'SIGKILL')
    await server.waitFor(`worker ${victim} exited (SIGKILL); starting a new one`)
    await server.waitFor(/worker \d+ is serving/, 30_000)
    const workers = childrenOf(server.child.pid!)!
    expect(workers).toHaveLength(2)
    expect(workers).not.toContain(victim)
    expect((await postRender(server.url, 'show_weather', { city: 'Turku' })).status).toBe(200)
    expect(await server.stop()).toEqual({ code: 0, signal: null })
  }, 60_000)

  it('checks the definitions before forking', async () => {
    const result = await runIxp([
      'serve',
      '--components',
      'bad-components.json',
      '--workers',
      '2',
      '--port',
      '0',
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('components.Banner.remoteUrl')
    expect(result.stdout).not.toContain('listening')
  })
})
