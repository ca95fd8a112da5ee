/**
 * `GET /openapi.json`: an OpenAPI 3.1 document of the routes, with one `POST /render` request variant per
 * registered intent built from the intent's own parameter schema (JSON Schema is OpenAPI 3.1's schema dialect).
 */
import type { IntentDefinition } from '@ixp/core'

export interface OpenApiInfo {
  title: string
  version: string
  description?: string
}

export interface OpenApiRoutes {
  basePath: string
  metricsEndpoint: string | undefined
}

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })

const json = (schema: Schema) => ({ 'application/json': { schema } })

function errorResponses(...statuses: number[]): Record<string, unknown> {
  const descriptions: Record<number, string> = {
    400: 'Invalid request (malformed or non-object JSON, forbidden keys, too deep, failed parameter validation)',
    403: "Origin not allowed by the component's allowedOrigins, or forbidden",
    404: 'Intent or component not found',
    413: 'Request body over the size limit',
    415: 'Request body is not JSON',
    500: 'Unexpected error (the body carries an errorId)',
    503: 'Unhealthy',
    504: 'The render did not finish within its deadline',
  }
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: descriptions[status], content: json(ref('Error')) },
    ]),
  )
}

function getOperation(operationId: string, summary: string, schema: Schema, extra: Schema = {}): Schema {
  return {
    get: {
      operationId,
      summary,
      responses: { '200': { description: 'OK', content: json(schema) }, ...errorResponses(500) },
      ...extra,
    },
  }
}

/** A JSON-only copy of a schema (TypeBox's symbol and non-enumerable keys drop out); `$schema` is removed. */
function plainSchema(schema: unknown): Schema {
  const copy = JSON.parse(JSON.stringify(schema ?? {})) as Schema
  delete copy.$schema
  return copy
}

function schemaKey(name: string, taken: Set<string>): string {
  const base = `Intent.${name.replace(/[^A-Za-z0-9._-]/g, '_')}.parameters`
  let key = base
  for (let n = 2; taken.has(key); n++) key = `${base}.${n}`
  taken.add(key)
  return key
}

const DATE_TIME = { type: 'string', format: 'date-time' }

const BASE_SCHEMAS: Record<string, Schema> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'timestamp'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          timestamp: DATE_TIME,
          details: { type: 'object' },
        },
      },
    },
  },
  Intent: {
    type: 'object',
    required: ['name', 'description', 'parameters', 'component'],
    properties: {
      name: { type: 'string' },
      description: { type: 'string' },
      parameters: { type: 'object' },
      component: { type: 'string' },
      version: { type: 'string' },
      deprecated: { type: 'boolean' },
      crawlable: { type: 'boolean' },
      kind: {
        enum: ['query', 'command'],
        description: '`query` reads (cacheable); `command` changes something (never cached)',
      },
      cacheTags: { type: 'array', items: { type: 'string' } },
      invalidates: { type: 'array', items: { type: 'string' } },
    },
  },
  Component: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  RenderResponse: {
    oneOf: [
      {
        type: 'object',
        description: 'A remote component: the module the client loads and its props',
        required: ['record', 'component', 'ttl'],
        properties: {
          record: {
            type: 'object',
            required: ['moduleUrl', 'exportName', 'props'],
            properties: {
              moduleUrl: { type: 'string' },
              exportName: { type: 'string' },
              props: { type: 'object' },
            },
          },
          component: ref('Component'),
          ttl: { type: 'integer', minimum: 0 },
        },
      },
      {
        type: 'object',
        description: 'A server-rendered component: its render tree',
        required: ['tree', 'component', 'ttl'],
        properties: { tree: {}, component: ref('Component'), ttl: { type: 'integer', minimum: 0 } },
      },
    ],
  },
  RenderByQuery: {
    type: 'object',
    description: 'Free text resolved to an intent first (its stated parameters merged with `parameters`)',
    required: ['query'],
    properties: {
      query: { type: 'string', minLength: 1 },
      parameters: { type: 'object' },
      options: { type: 'object' },
    },
  },
  ResolveOutcome: {
    type: 'object',
    required: ['matched', 'intent', 'confidence', 'alternatives'],
    properties: {
      matched: { type: 'boolean' },
      intent: { type: ['string', 'null'] },
      parameters: { type: 'object' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      alternatives: {
        type: 'array',
        items: {
          type: 'object',
          required: ['intent', 'confidence'],
          properties: { intent: { type: 'string' }, confidence: { type: 'number' } },
        },
      },
      missing: { type: 'array', items: { type: 'string' } },
      reason: { type: 'string', enum: ['no-match', 'out-of-scope', 'ambiguous'] },
      source: { type: 'string' },
    },
  },
}

/** Builds the document for the intents the caller may see. */
export function buildOpenApiDocument(
  info: OpenApiInfo,
  routes: OpenApiRoutes,
  intents: readonly IntentDefinition[],
): Record<string, unknown> {
  const schemas: Record<string, Schema> = { ...BASE_SCHEMAS }
  const taken = new Set(Object.keys(schemas))
  const variants: Schema[] = []
  for (const intent of intents) {
    const key = schemaKey(intent.name, taken)
    schemas[key] = plainSchema(intent.parameters)
    variants.push({
      type: 'object',
      title: intent.name,
      description: intent.description,
      'x-ixp-kind': intent.kind ?? 'query',
      required: ['intent'],
      properties: {
        intent: {
          type: 'object',
          required: ['name'],
          properties: { name: { const: intent.name }, parameters: ref(key) },
        },
        options: { type: 'object', description: 'Merged into the props last' },
      },
      ...(intent.deprecated ? { deprecated: true } : {}),
    })
  }
  variants.push(ref('RenderByQuery'))

  const paths: Record<string, unknown> = {
    '/intents': getOperation('listIntents', 'The intents the caller may use', {
      type: 'object',
      required: ['intents', 'version', 'timestamp'],
      properties: {
        intents: { type: 'array', items: ref('Intent') },
        version: { type: 'string' },
        timestamp: DATE_TIME,
      },
    }),
    '/components': getOperation('listComponents', 'The components the caller may see', {
      type: 'object',
      required: ['components', 'version', 'timestamp'],
      properties: {
        components: { type: 'array', items: ref('Component') },
        version: { type: 'string' },
        timestamp: DATE_TIME,
      },
    }),
    '/render': {
      post: {
        operationId: 'render',
        summary: 'Render an intent (by name, or by free text through `query`)',
        requestBody: { required: true, content: json({ oneOf: variants }) },
        responses: {
          '200': { description: 'The rendered component', content: json(ref('RenderResponse')) },
          ...errorResponses(400, 403, 404, 413, 415, 500, 504),
        },
      },
    },
    '/resolve': {
      post: {
        operationId: 'resolve',
        summary: 'Resolve free text to an intent',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['query'],
            properties: {
              query: { type: 'string', minLength: 1 },
              previousIntent: { type: 'string' },
              limit: { type: 'integer', minimum: 1 },
            },
          }),
        },
        responses: {
          '200': { description: 'The resolution outcome', content: json(ref('ResolveOutcome')) },
          ...errorResponses(400, 413, 415, 500),
        },
      },
    },
    '/crawler_content': getOperation(
      'crawlerContent',
      'Crawlable content, newest first, cursor-paginated',
      { type: 'object', required: ['contents', 'pagination', 'lastUpdated'] },
      {
        parameters: [
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          { name: 'lastUpdated', in: 'query', schema: DATE_TIME },
          { name: 'type', in: 'query', schema: { type: 'string' } },
          { name: 'sources', in: 'query', schema: { type: 'string' }, description: 'Comma-separated names' },
          { name: 'fields', in: 'query', schema: { type: 'string' }, description: 'Comma-separated fields' },
          { name: 'includeMetadata', in: 'query', schema: { type: 'boolean' } },
        ],
      },
    ),
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Health of the engine and its plugins',
        responses: {
          '200': {
            description: 'Healthy or degraded',
            content: json({ type: 'object', required: ['status', 'checks'] }),
          },
          '503': {
            description: 'Unhealthy',
            content: json({ type: 'object', required: ['status', 'checks'] }),
          },
        },
      },
    },
    '/theme': getOperation('theme', 'The UI theme', { type: 'object', required: ['theme'] }),
    '/sdk/config': getOperation('sdkConfig', 'Client SDK configuration', {
      type: 'object',
      required: ['endpoints'],
    }),
    '/menu': getOperation('menu', 'Intents to offer as a menu', { type: 'object', required: ['menu'] }),
    '/init': getOperation('init', 'Everything a client needs to start', { type: 'object' }),
    '/openapi.json': getOperation('openapi', 'This document', { type: 'object' }),
  }
  if (routes.metricsEndpoint !== undefined) {
    paths[routes.metricsEndpoint] = getOperation('metrics', 'Request metrics', { type: 'object' })
  }
  const infoObject: Record<string, unknown> = { title: info.title, version: info.version }
  if (info.description !== undefined) infoObject.description = info.description
  return {
    openapi: '3.1.0',
    info: infoObject,
    servers: [{ url: routes.basePath || '/' }],
    paths,
    components: { schemas },
  }
}
