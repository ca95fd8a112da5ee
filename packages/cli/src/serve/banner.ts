/** What `ixp serve` prints once it listens: the URL (first line, stable for scripts), routes and a summary. */
import { isIP } from 'node:net'
import { displayPath } from '../config/json-file.js'
import { println, type CliIo } from '../io.js'

export interface BannerFacts {
  host: string
  port: number
  base: string
  intents: number
  components: number
  plugins: string[]
  workers: number
  watched: string[]
  cwd: string
}

/** The URL a person on this machine can open: wildcard addresses become loopback, IPv6 gets brackets. */
export function publicUrl(host: string, port: number, base: string): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  const hostPart = isIP(shown) === 6 ? `[${shown}]` : shown
  return `http://${hostPart}:${port}${base}`
}

export function printBanner(io: CliIo, facts: BannerFacts): void {
  const url = publicUrl(facts.host, facts.port, facts.base)
  const processes = facts.workers > 1 ? ` (${facts.workers} workers)` : ''
  println(io.stdout, `IXP server listening on ${url}${processes}`)
  if (facts.host === '0.0.0.0' || facts.host === '::')
    println(io.stdout, `  bound to every interface (${facts.host})`)
  for (const [method, path] of [
    ['GET ', '/intents'],
    ['GET ', '/components'],
    ['POST', '/render'],
    ['GET ', '/health'],
  ] as const) {
    println(io.stdout, `  ${method} ${url}${path}`)
  }
  const plugins = facts.plugins.length > 0 ? facts.plugins.join(', ') : 'none'
  println(io.stdout, `${facts.intents} intents, ${facts.components} components; plugins: ${plugins}`)
  if (facts.watched.length > 0) {
    println(
      io.stdout,
      `Watching ${facts.watched.map((file) => displayPath(file, facts.cwd)).join(', ')} for changes`,
    )
  }
  println(io.stdout, 'Press Ctrl+C to stop')
}
