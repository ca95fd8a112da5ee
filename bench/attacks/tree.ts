/**
 * Loading a source tree's packages by path, so the same scenario runs against this tree and another one (the
 * tree before the hardening) in one benchmark run. The other tree's API may differ, so what the scenarios use
 * is typed here loosely, by shape, rather than from this tree's declarations.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The few engine members the scenarios use, as both trees have them. */
export interface LooseEngine {
  registerComponent(component: unknown): void
  registerIntent(intent: unknown): void
  use(plugin: unknown): unknown
  ready(): Promise<unknown>
  render(request: unknown, context?: Record<string, unknown>): Promise<{ tree?: unknown }>
  events: { on(event: string, listener: (...args: unknown[]) => unknown): unknown }
}

export interface LooseCore {
  createEngine(options?: Record<string, unknown>): LooseEngine
  silentLogger: unknown
}

export interface LooseServer {
  listen(port: number, host: string, ready: () => void): unknown
  address(): unknown
}

/** A thrown IxpError (or anything else), as the scenarios report it. */
export interface Failure {
  code?: string
  status?: number
  message?: string
}

export function failureOf(error: unknown): Failure {
  const { code, status, message } = (error ?? {}) as Failure
  return { code, status, message: typeof message === 'string' ? message.slice(0, 160) : undefined }
}

/** Imports `packages/<name>/src[/<sub>]/index.ts` of the tree at `root`, through the `tsx` loader. */
export async function loadPackage<T>(root: string, name: string, sub = ''): Promise<T> {
  return (await import(pathToFileURL(join(root, 'packages', name, 'src', sub, 'index.ts')).href)) as T
}

/**
 * An engine of the tree with one intent, `ping` (plus `intentFields`), whose handler counts its calls, and the
 * given plugins (created from the tree's own packages, so they share its core).
 */
export async function pingEngine(
  root: string,
  plugins: unknown[] = [],
  intentFields: Record<string, unknown> = {},
): Promise<{ core: LooseCore; engine: LooseEngine; calls: () => number }> {
  const core = await loadPackage<LooseCore>(root, 'core')
  const engine = core.createEngine({ logger: core.silentLogger })
  let calls = 0
  engine.registerComponent({
    name: 'Ping',
    render: (props: Record<string, unknown>) => ({ type: 'p', props: {}, children: [String(props.n)] }),
  })
  engine.registerIntent({
    name: 'ping',
    description: 'Answers the number of calls so far',
    component: 'Ping',
    parameters: { type: 'object', properties: {} },
    handler: () => ({ n: ++calls }),
    ...intentFields,
  })
  for (const plugin of plugins) engine.use(plugin)
  await engine.ready()
  return { core, engine, calls: () => calls }
}

/** Listens on a free loopback port. */
export function listenOnLoopback(server: LooseServer): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}
