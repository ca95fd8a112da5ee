/**
 * Real IXP services for the tests: engines served by plugin-http's node server on 127.0.0.1, a gateway
 * answering through plugin-http's fetch handler, and a record of what each service received.
 */
import { connect, type AddressInfo } from 'node:net'
import { h } from '@ixp/core/tree'
import {
  createEngine,
  IxpError,
  silentLogger,
  type Engine,
  type IntentDefinition,
  type IxpPlugin,
} from '@ixp/core'
import { createHttpHandler } from '@ixp/plugin-http'
import { createNodeServer, type IxpNodeServer } from '@ixp/plugin-http/node'
import { federation, type FederationOptions, type FederationPlugin } from '@ixp/plugin-federation'

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

/**
 * Why the NATS tests cannot run here, or `undefined` when they can. Under CI they always run (and fail loudly
 * when NATS is missing); elsewhere an unreachable NATS skips them with this reason, as the Redis tests do.
 */
export async function natsSkipReason(): Promise<string | undefined> {
  if (process.env.CI) return undefined
  const url = new URL(NATS_URL)
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 4222), timeout: 1000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
  if (reachable) return undefined
  const reason = `NATS at ${NATS_URL} is unreachable (set NATS_URL, or CI=true to make this a failure)`
  console.warn(`[plugin-federation] skipping NATS tests: ${reason}`)
  return reason
}

/** A name no other test run uses (NATS service names and subjects are shared by every run on the server). */
export function uniqueName(base: string): string {
  return `${base}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
}

/** What a service saw of one call. */
export interface Seen {
  intent: string
  headers: Record<string, string | undefined>
  requestId: string | undefined
}

export interface TestService {
  engine: Engine
  url: string
  port: number
  seen: Seen[]
  /** Renders of each intent's handler (calls that reached the service). */
  calls: Map<string, number>
  /** Makes the next renders of an intent fail with this status (503, …) until cleared with `undefined`. */
  failWith(intent: string, status: number | undefined): void
  stop(): Promise<void>
  start(): Promise<void>
}

/** A server component that shows its props, so a render's tree says what was rendered where. */
export function cardComponent(name: string) {
  return {
    name,
    description: `${name} card`,
    render: (props: Record<string, unknown>) =>
      h('section', { class: name }, h('p', null, JSON.stringify(props))),
  }
}

/** An intent of `service` that renders `component` with `{ service, …params }`. */
export function serviceIntent(
  service: string,
  name: string,
  component: string,
  extra: Partial<IntentDefinition> = {},
): IntentDefinition {
  return {
    name,
    description: `${name} of ${service}`,
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    component,
    ...extra,
  }
}

export async function startService(
  name: string,
  intents: IntentDefinition[],
  options: { plugins?: IxpPlugin[]; port?: number } = {},
): Promise<TestService> {
  const seen: Seen[] = []
  const calls = new Map<string, number>()
  const failures = new Map<string, number>()
  const engine = createEngine({ logger: silentLogger, plugins: options.plugins })
  const components = new Set(intents.map((intent) => intent.component))
  for (const component of components) engine.registerComponent(cardComponent(component))
  for (const intent of intents) {
    const own = intent.handler
    engine.registerIntent({
      ...intent,
      handler: async (params, ctx) => {
        calls.set(intent.name, (calls.get(intent.name) ?? 0) + 1)
        seen.push({ intent: intent.name, headers: { ...ctx.headers }, requestId: ctx.requestId })
        const status = failures.get(intent.name)
        if (status !== undefined) {
          throw new IxpError('TEST_FAILURE', `failing with ${status} on purpose`, { status, expose: true })
        }
        return { service: name, ...((await own?.(params, ctx)) ?? {}) }
      },
    })
  }
  await engine.ready()
  let server: IxpNodeServer | undefined
  let port = options.port ?? 0
  const service: TestService = {
    engine,
    url: '',
    port: 0,
    seen,
    calls,
    failWith(intent, status) {
      if (status === undefined) failures.delete(intent)
      else failures.set(intent, status)
    },
    async start() {
      server = createNodeServer(engine, { basePath: '/ixp' })
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject)
        server!.listen(port, '127.0.0.1', () => resolve())
      })
      port = (server.address() as AddressInfo).port
      service.port = port
      service.url = `http://127.0.0.1:${port}/ixp`
    },
    async stop() {
      await server?.closeGracefully(100)
      server = undefined
    },
  }
  await service.start()
  return service
}

export interface TestGateway {
  engine: Engine
  plugin: FederationPlugin
  fetch(path: string, init?: RequestInit): Promise<Response>
  render(
    intent: string,
    parameters?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Response>
  close(): Promise<void>
}

export async function startGateway(
  options: FederationOptions,
  extra: { plugins?: IxpPlugin[]; setup?: (engine: Engine) => void } = {},
): Promise<TestGateway> {
  const plugin = federation(options)
  const engine = createEngine({ logger: silentLogger, plugins: [...(extra.plugins ?? []), plugin] })
  extra.setup?.(engine)
  await engine.ready()
  const handler = createHttpHandler(engine, { basePath: '/ixp' })
  const fetchIt = (path: string, init?: RequestInit) =>
    handler.fetch(new Request(`http://gateway.test/ixp${path}`, init))
  return {
    engine,
    plugin,
    fetch: fetchIt,
    render: (intent, parameters = {}, headers = {}) =>
      fetchIt('/render', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ intent: { name: intent, parameters } }),
      }),
    close: () => engine.close(),
  }
}

/** Polls `check` until it is true or `timeoutMs` passed; returns the milliseconds it took. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 50,
): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, stepMs))
  }
}
