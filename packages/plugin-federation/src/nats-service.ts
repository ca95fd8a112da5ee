/**
 * `natsService()`: serves this engine's intents as a NATS micro service (`$SRV.PING|INFO|STATS` discovery
 * for free). Endpoints `render`, `resolve`, `intents` and `components` under `ixp.<name>` answer as the HTTP
 * routes do; every replica of one name joins one queue group, so NATS spreads requests over them. Instances
 * announce on `ixp.changes.<name>` when they start, stop or their intents change, so gateways refresh at once.
 */
// This plugin declares its `core` range: plugin-kit installs the check `use()` runs on it.
import '@ixp/core/plugin-kit'
import {
  isObject,
  coreError,
  isIxpError,
  type Engine,
  type IxpContext,
  type IxpPlugin,
  type RenderRequest,
  type RenderResult,
} from '@ixp/core'
import { connect, type NatsConnection, type Service, type ServiceMsg } from 'nats'
import { federationError, invalidOptions } from './errors.js'
import {
  changesSubject,
  decode,
  defaultSubject,
  encode,
  headersOf,
  IXP_METADATA_KEY,
  IXP_METADATA_VALUE,
  toNatsHeaders,
} from './nats-wire.js'
import { count } from './options.js'

export interface NatsServiceOptions {
  /** NATS server URL(s). */
  servers: string | string[]
  /** The service name gateways ask for (letters, digits, `-`, `_`). */
  name: string
  /** Semantic version announced in the service's info. @default '1.0.0' */
  version?: string
  description?: string
  /** Subject prefix of the endpoints. @default `ixp.<name>` */
  subject?: string
  /** Queue group of the endpoints; replicas of one service share it. @default 'ixp' */
  queue?: string
  /** Largest request accepted, in bytes. @default 1048576 */
  maxBodyBytes?: number
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
/** Announcements of registry changes wait for this quiet time (a reload registers many definitions). */
const ANNOUNCE_DEBOUNCE_MS = 50
let requestCounter = 0

function checkOptions(options: NatsServiceOptions) {
  if (typeof options !== 'object' || options === null) {
    throw invalidOptions('natsService() needs { servers, name }')
  }
  const servers = typeof options.servers === 'string' ? [options.servers] : options.servers
  if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string' || !s)) {
    throw invalidOptions('natsService(): servers must be a NATS URL or an array of them')
  }
  if (typeof options.name !== 'string' || !NAME.test(options.name)) {
    throw invalidOptions('natsService(): name must be 1–64 letters, digits, - or _')
  }
  const version = options.version ?? '1.0.0'
  if (!SEMVER.test(version)) throw invalidOptions(`natsService(): version must be semver, got '${version}'`)
  const subject = options.subject ?? defaultSubject(options.name)
  if (typeof subject !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject)) {
    throw invalidOptions('natsService(): subject must be dot-separated tokens without wildcards')
  }
  const queue = options.queue ?? 'ixp'
  if (typeof queue !== 'string' || !NAME.test(queue))
    throw invalidOptions('natsService(): queue must be a name')
  return {
    servers: servers as string[],
    name: options.name,
    version,
    description: options.description ?? `IXP engine '${options.name}'`,
    subject,
    queue,
    maxBodyBytes: count('natsService(): maxBodyBytes', options.maxBodyBytes, 1, 1_048_576),
  }
}

/** The JSON of a render, as plugin-http answers `POST /render`. */
function renderBody(result: RenderResult): string {
  const head = result.record !== undefined ? { record: result.record } : { tree: result.tree ?? null }
  return JSON.stringify({ ...head, component: result.component, ttl: result.ttl })
}

function contextOf(message: ServiceMsg): IxpContext {
  const headers = headersOf(message.headers)
  const given = headers['x-request-id']
  const requestId =
    given !== undefined && /^[\x21-\x7e]{1,128}$/.test(given)
      ? given
      : `nats-${Date.now().toString(36)}-${++requestCounter}`
  return { headers, requestId, transport: 'nats' }
}

/** The plugin `natsService()` returns, named after the service it serves (`…/nats-service:<name>`). */
export interface NatsServicePlugin extends IxpPlugin {
  readonly name: `@ixp/plugin-federation/nats-service:${string}`
}

export function natsService(options: NatsServiceOptions): NatsServicePlugin {
  const settings = checkOptions(options)
  return {
    name: `@ixp/plugin-federation/nats-service:${settings.name}`,
    version: '0.1.0',
    core: '^0.1.0',
    async apply(engine: Engine) {
      const connection: NatsConnection = await connect({
        servers: settings.servers,
        name: `ixp-service:${settings.name}`,
        maxReconnectAttempts: -1,
      })
      let service: Service
      try {
        service = await connection.services.add({
          name: settings.name,
          version: settings.version,
          description: settings.description,
          queue: settings.queue,
          metadata: { [IXP_METADATA_KEY]: IXP_METADATA_VALUE },
        })
      } catch (error) {
        await connection.close()
        throw error
      }
      const announce = () => {
        if (!connection.isClosed()) connection.publish(changesSubject(settings.name))
      }
      const group = service.addGroup(settings.subject)
      const serve = (
        name: string,
        answer: (
          body: Record<string, unknown>,
          ctx: IxpContext,
        ) => Promise<{ body: string; headers?: Record<string, string> }>,
      ) => {
        group.addEndpoint(name, {
          handler: (error, message) => {
            if (error) {
              engine.logger.error('natsService: endpoint failed', { endpoint: name, error: error.message })
              return
            }
            void respond(engine, message, settings.maxBodyBytes, answer)
          },
        })
      }
      serve('render', async (body, ctx) => {
        const result = await engine.render(body as unknown as RenderRequest, ctx)
        return { body: renderBody(result), headers: result.meta.headers }
      })
      serve('resolve', async (body, ctx) => {
        const text = body.query ?? body.text
        if (typeof text !== 'string')
          throw coreError('INVALID_REQUEST', { reason: "Resolve needs 'query' (a string)" })
        const query: Record<string, unknown> = { text }
        if (typeof body.previousIntent === 'string') query.previousIntent = body.previousIntent
        if (typeof body.limit === 'number') query.limit = body.limit
        return { body: JSON.stringify(await engine.resolve(query as { text: string }, ctx)) }
      })
      serve('intents', async (_body, ctx) => {
        const intents = await engine.listIntents(ctx, 'list')
        return { body: JSON.stringify({ intents, version: '1.0.0', timestamp: new Date().toISOString() }) }
      })
      serve('components', async (_body, ctx) => {
        const components = (await engine.listComponents(ctx, 'list')).map(
          (component) => engine.describeComponent(component.name) ?? component,
        )
        return { body: JSON.stringify({ components, version: '1.0.0', timestamp: new Date().toISOString() }) }
      })

      let timer: ReturnType<typeof setTimeout> | undefined
      const onRegistryChange = () => {
        if (timer !== undefined) return
        timer = setTimeout(() => {
          timer = undefined
          announce()
        }, ANNOUNCE_DEBOUNCE_MS)
      }
      engine.hooks.ready.tap(`natsService:${settings.name}`, () => {
        announce()
        engine.events.on('registry:changed', onRegistryChange)
      })
      return async () => {
        engine.events.off('registry:changed', onRegistryChange)
        if (timer !== undefined) clearTimeout(timer)
        await service.stop()
        // Gateways learn at once that this instance is gone (the others still answer on the same subjects).
        announce()
        await connection.drain()
      }
    },
  }
}

async function respond(
  engine: Engine,
  message: ServiceMsg,
  maxBodyBytes: number,
  answer: (
    body: Record<string, unknown>,
    ctx: IxpContext,
  ) => Promise<{ body: string; headers?: Record<string, string> }>,
): Promise<void> {
  const ctx = contextOf(message)
  try {
    if (message.data.length > maxBodyBytes) {
      throw federationError('PAYLOAD_TOO_LARGE', { maxBodyBytes })
    }
    let body: unknown = {}
    if (message.data.length > 0) {
      try {
        body = JSON.parse(decode(message.data))
      } catch {
        throw coreError('INVALID_REQUEST', { reason: 'The request is not JSON' })
      }
    }
    if (!isObject(body)) throw coreError('INVALID_REQUEST', { reason: 'The request must be a JSON object' })
    const reply = await answer(body, ctx)
    message.respond(encode(reply.body), {
      headers: toNatsHeaders({ ...reply.headers, 'x-request-id': ctx.requestId! }),
    })
  } catch (error) {
    const failure = isIxpError(error) ? error : undefined
    const status = failure && failure.status >= 400 && failure.status <= 599 ? failure.status : 500
    const exposed = failure?.expose === true
    if (!exposed) {
      engine.logger.error('natsService: request failed', {
        requestId: ctx.requestId,
        error: (error as Error)?.message ?? String(error),
      })
    }
    const payload: Record<string, unknown> = {
      code: failure?.code ?? 'INTERNAL_ERROR',
      message: exposed
        ? failure!.message
        : 'An unexpected error occurred; quote the requestId when reporting it',
      timestamp: new Date().toISOString(),
    }
    if (exposed && failure!.details !== undefined) payload.details = failure!.details
    if (!exposed) payload.details = { requestId: ctx.requestId }
    message.respondError(status, String(payload.message), encode(JSON.stringify({ error: payload })), {
      headers: toNatsHeaders({ ...failure?.headers }),
    })
  }
}
