/**
 * `POST /render`: an intent by name (`{ intent: { name, parameters }, options }`), or free text
 * (`{ query, parameters?, options? }`) resolved through `engine.resolve` first. The hot route, so it is written
 * without a step that waits when it need not: the body is parsed as soon as it is in (at once when the
 * transport already read it), and a render whose steps are all synchronous is answered in the same tick.
 */
import {
  coreError,
  isIxpError,
  type Engine,
  type IxpContext,
  type RemoteRecord,
  type RenderRequest,
  type RenderResult,
} from '@ixp/core'
import { queryNotResolved } from '@ixp/core/plugin-kit'
import type { JsonCache } from './json-cache.js'
import { readJsonObject, type BodyLimits } from './request-body.js'
import { isPlainObject } from './json.js'
import { queryText, type RouteAnswer, type RouteHandler } from './route-kit.js'

type RenderNow = (request: RenderRequest, ctx: IxpContext) => RenderResult | Promise<RenderResult>

/** `engine.renderNow`: the result itself when every step finished synchronously, so a render answers in the same tick. */
function renderNowOf(engine: Engine): RenderNow {
  return (request, ctx) => engine.renderNow(request, ctx)
}

export interface RenderRouteDeps {
  engine: Engine
  limits: BodyLimits
  cache: JsonCache
}

/** A remote record's keys, in the order the engine makes them. */
const RECORD_KEYS = ['moduleUrl', 'exportName', 'props']

/** Whether `record` is a plain object with exactly the engine's keys, in its order (a hook may have changed it). */
function isEngineRecord(record: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(record) !== Object.prototype) return false
  let index = 0
  for (const key in record) if (key !== RECORD_KEYS[index++]) return false
  return index === RECORD_KEYS.length
}

/** A result's TTL as it goes on the wire: a non-negative finite number, else 0 (the answer is not reused). */
function wireTtl(ttl: unknown): number {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 0 ? ttl : 0
}

/** `JSON.stringify` gives `undefined` (no JSON at all) for a function or a symbol; the wire gets `null`. */
function jsonOf(json: string | undefined): string {
  return json ?? 'null'
}

export function renderRoute({ engine, limits, cache }: RenderRouteDeps): RouteHandler {
  const renderNow = renderNowOf(engine)
  /** `{"moduleUrl":…,"exportName":…,"props":` of a remote component, serialised once. */
  const recordHeads = new WeakMap<object, { moduleUrl: unknown; exportName: unknown; json: string }>()

  /** `JSON.stringify(record)`; the part that is the same for every render of a component is reused. */
  const recordJson = (given: RemoteRecord, component: object | null): string => {
    if (component === null || typeof given !== 'object' || given === null)
      return jsonOf(JSON.stringify(given))
    const record = given as unknown as Record<string, unknown>
    const props = record.props
    if (typeof props !== 'object' || props === null || !isEngineRecord(record))
      return jsonOf(JSON.stringify(record))
    let head = recordHeads.get(component)
    if (head === undefined || head.moduleUrl !== record.moduleUrl || head.exportName !== record.exportName) {
      const { moduleUrl, exportName } = record
      const json = JSON.stringify({ moduleUrl, exportName, props: 0 })
      head = { moduleUrl, exportName, json: json.slice(0, -2) }
      recordHeads.set(component, head)
    }
    return `${head.json}${jsonOf(JSON.stringify(props))}}`
  }

  /**
   * The answer's JSON; `resolution` is added when the intent came from free text. Every part is checked, since an
   * `afterRender` tap may hand back anything: a TTL that is not a non-negative finite number is sent as 0 (not
   * reusable), a component that is not an object as null — the body is valid JSON whatever the taps returned.
   */
  const answerOf = (result: RenderResult, resolution?: Record<string, unknown>): RouteAnswer => {
    if (typeof result !== 'object' || result === null) {
      throw coreError('INTERNAL_ERROR', { reason: 'An afterRender tap returned no render result' })
    }
    const given = result.component as unknown
    const component = typeof given === 'object' && given !== null ? cache.stringify(given) : 'null'
    const ttl = wireTtl(result.ttl)
    const content =
      result.record !== undefined
        ? `{"record":${jsonOf(recordJson(result.record, component === 'null' ? null : (given as object)))},"component":${component},"ttl":${ttl}`
        : `{"tree":${JSON.stringify(result.tree ?? null) ?? 'null'},"component":${component},"ttl":${ttl}`
    const answer: RouteAnswer = {
      status: 200,
      body:
        resolution === undefined ? `${content}}` : `${content},"resolution":${JSON.stringify(resolution)}}`,
    }
    const meta = result.meta ?? {}
    if (meta.headers !== undefined || meta.cache !== undefined) {
      answer.headers = Object.assign({}, meta.headers)
      if (meta.cache !== undefined) answer.headers['x-ixp-cache'] = meta.cache
    }
    return answer
  }

  const renderQuery = async (body: Record<string, unknown>, ctx: IxpContext): Promise<RouteAnswer> => {
    const text = queryText(body.query, 'query')
    if (body.parameters !== undefined && !isPlainObject(body.parameters)) {
      throw coreError('INVALID_REQUEST', { reason: "'parameters' must be an object" })
    }
    const outcome = await engine.resolve({ text }, ctx)
    if (!outcome.matched) throw queryNotResolved(engine, outcome)
    const request: RenderRequest = {
      intent: {
        name: outcome.intent,
        parameters: Object.assign({}, outcome.parameters, body.parameters as object),
      },
    }
    if (body.options !== undefined) request.options = body.options as Record<string, unknown>
    const resolution: Record<string, unknown> = {
      intent: outcome.intent,
      confidence: outcome.confidence,
      alternatives: outcome.alternatives,
    }
    if (outcome.source !== undefined) resolution.source = outcome.source
    let result: RenderResult
    try {
      result = await engine.render(request, ctx)
    } catch (error) {
      // A parameter error of a resolved query says which intent the text was taken for, and what it lacked.
      if (isIxpError(error) && error.code === 'INVALID_REQUEST')
        throw coreError(
          'INVALID_REQUEST',
          { reason: `The query was resolved to intent '${outcome.intent}': ${error.message}` },
          {
            cause: error,
            details: Object.assign(
              {},
              error.details,
              { intent: outcome.intent },
              outcome.missing ? { missing: outcome.missing } : undefined,
            ),
          },
        )
      throw error
    }
    return answerOf(result, resolution)
  }

  const renderBody = (body: Record<string, unknown>, ctx: IxpContext): RouteAnswer | Promise<RouteAnswer> => {
    if (body.intent === undefined && body.query !== undefined) return renderQuery(body, ctx)
    const result = renderNow(body as unknown as RenderRequest, ctx)
    return result instanceof Promise ? result.then((rendered) => answerOf(rendered)) : answerOf(result)
  }

  return ({ request, ctx }) => {
    const body = readJsonObject(request, limits)
    return body instanceof Promise ? body.then((value) => renderBody(value, ctx)) : renderBody(body, ctx)
  }
}
