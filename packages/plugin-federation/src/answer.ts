/** Reading a service's answers: list bodies, render bodies, resolve outcomes. */
import { isObject, type RemoteRecord, type RenderNode, type ResolveOutcome } from '@ixp/core'
import { federationError } from './errors.js'

export function parseJson(service: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw badShape(service, 'something that is not JSON')
  }
}

function badShape(service: string, what: string) {
  return federationError(
    'SERVICE_BAD_RESPONSE',
    { service, what },
    { details: { service }, headers: { 'x-ixp-service': service } },
  )
}

/** The array under `key` of a list body (`{ intents: [...] }`), its objects only. */
export function listOf(
  service: string,
  body: unknown,
  key: 'intents' | 'components',
): Record<string, unknown>[] {
  const list = isObject(body) ? body[key] : undefined
  if (!Array.isArray(list)) throw badShape(service, `a ${key} list without '${key}'`)
  return list.filter(isObject)
}

/** The parts of a render answer (`{ tree | record, component, ttl }`). */
export interface RemoteRender {
  component: Record<string, unknown>
  ttl: number
  tree?: RenderNode
  record?: RemoteRecord
}

export function renderOf(service: string, body: unknown): RemoteRender {
  if (!isObject(body) || !isObject(body.component) || typeof body.ttl !== 'number') {
    throw badShape(service, 'a render without component and ttl')
  }
  if (body.record !== undefined) {
    const record = body.record
    if (!isObject(record) || typeof record.moduleUrl !== 'string' || !isObject(record.props)) {
      throw badShape(service, 'a render with a malformed record')
    }
    return { component: body.component, ttl: body.ttl, record: record as unknown as RemoteRecord }
  }
  if (!('tree' in body)) throw badShape(service, 'a render with neither tree nor record')
  return { component: body.component, ttl: body.ttl, tree: body.tree as RenderNode }
}

export function resolveOf(service: string, body: unknown): ResolveOutcome {
  if (!isObject(body) || typeof body.matched !== 'boolean' || !Array.isArray(body.alternatives)) {
    throw badShape(service, 'a resolve outcome without matched and alternatives')
  }
  return body as unknown as ResolveOutcome
}
