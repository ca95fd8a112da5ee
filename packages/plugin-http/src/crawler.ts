/**
 * `GET /crawler_content`: content for search crawlers. Registered {@link CrawlerSource}s are merged, filtered,
 * sorted newest first and paginated with an opaque keyset cursor; without sources a {@link CrawlerProvider}
 * answers; without either the route lists the crawlable intents exactly as the IXP reference does.
 */
import { coreError, type Engine, type IxpContext, type Logger } from '@ixp/core'

/** One piece of crawlable content. */
export interface CrawlerItem {
  /** What kind of content it is (`intent`, `article`, `product`, …); `?type=` filters on it. */
  type: string
  /** Unique within its source. */
  id: string
  title?: string
  description?: string
  url?: string
  /** When it last changed: an ISO-8601 date-time. Items without a valid one are skipped (and logged). */
  lastUpdated: string
  [field: string]: unknown
}

/** What the route asks a source for. `limit`, `since` and `type` are hints: the route filters and cuts anyway. */
export interface CrawlerSourceQuery {
  /** How many items the page needs (a source may return more; the route keeps the newest). */
  limit: number
  /** Only items updated at or after this instant are wanted (`?lastUpdated=`). */
  since?: Date
  /** Only items of this type are wanted (`?type=`). */
  type?: string
  /** Only items updated at or before this instant can be on the page (from the cursor). */
  until?: Date
}

/** A registered source of crawler content. */
export interface CrawlerSource {
  /** Unique name; `?sources=a,b` selects sources by it. */
  name: string
  description?: string
  /** Returns items (any order; the route sorts). Throwing skips the source for this request (and logs). */
  list(query: CrawlerSourceQuery, ctx: IxpContext): readonly CrawlerItem[] | Promise<readonly CrawlerItem[]>
}

/** The parsed query of the route, as a provider receives it. */
export interface CrawlerQuery {
  cursor?: string
  /** 100 when absent or not a positive integer, at most 1000. */
  limit: number
  lastUpdated?: string
  type?: string
  sources?: string[]
  fields?: string[]
  format?: string
  includeMetadata: boolean
}

/** Answers the route when no source is registered; its result is sent as the JSON body. */
export type CrawlerProvider = (query: CrawlerQuery, ctx: IxpContext) => unknown

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000
const MAX_LIST = 50

function list(value: string | null): string[] | undefined {
  if (value === null || value === '') return undefined
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .slice(0, MAX_LIST)
}

/** Reads the route's query string (lenient where the reference is: a bad `limit` means 100). */
export function parseCrawlerQuery(search: string): CrawlerQuery {
  const params = new URLSearchParams(search)
  const limit = Number.parseInt(params.get('limit') ?? '', 10)
  const query: CrawlerQuery = {
    limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT,
    includeMetadata: params.get('includeMetadata') === 'true',
  }
  const cursor = params.get('cursor')
  if (cursor) query.cursor = cursor
  const lastUpdated = params.get('lastUpdated')
  if (lastUpdated) query.lastUpdated = lastUpdated
  const type = params.get('type')
  if (type) query.type = type
  const format = params.get('format')
  if (format) query.format = format
  const sources = list(params.get('sources'))
  if (sources) query.sources = sources
  const fields = list(params.get('fields'))
  if (fields) query.fields = fields
  return query
}

interface Keyed {
  item: CrawlerItem
  time: number
  source: string
}

/** Newest first; ties by source name, then id, so the order (and the cursor) is total and stable. */
function compare(
  a: { time: number; source: string; id: string },
  b: { time: number; source: string; id: string },
): number {
  if (a.time !== b.time) return b.time - a.time
  if (a.source !== b.source) return a.source < b.source ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function encodeCursor(key: { time: number; source: string; id: string }): string {
  const json = JSON.stringify([key.time, key.source, key.id])
  const bytes = new TextEncoder().encode(json)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function decodeCursor(cursor: string): { time: number; source: string; id: string } {
  const invalid = () =>
    coreError('INVALID_REQUEST', { reason: "Invalid 'cursor': pass the nextCursor of a previous page" })
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid()
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0))
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'number' &&
      Number.isFinite(value[0]) &&
      typeof value[1] === 'string' &&
      typeof value[2] === 'string'
    ) {
      return { time: value[0], source: value[1], id: value[2] }
    }
  } catch {
    // falls through to the error below
  }
  throw invalid()
}

function project(item: CrawlerItem, fields: string[] | undefined): CrawlerItem {
  if (!fields) return item
  const projected: CrawlerItem = { type: item.type, id: item.id, lastUpdated: item.lastUpdated }
  for (const field of fields) {
    if (Object.hasOwn(item, field)) projected[field] = item[field]
  }
  return projected
}

export interface CrawlerRouteDeps {
  engine: Engine
  sources: readonly CrawlerSource[]
  provider: CrawlerProvider | undefined
  logger: Logger
}

/** The route's JSON answer. */
export async function crawlerContent(
  deps: CrawlerRouteDeps,
  search: string,
  ctx: IxpContext,
): Promise<unknown> {
  if (deps.sources.length > 0) return fromSources(deps, parseCrawlerQuery(search), ctx)
  if (deps.provider) return deps.provider(parseCrawlerQuery(search), ctx)
  // The reference's default listing: crawlable intents, every query parameter ignored.
  const now = new Date().toISOString()
  const intents = await deps.engine.listIntents(ctx, 'crawler')
  return {
    contents: intents
      .filter((intent) => intent.crawlable === true)
      .map((intent) => ({
        type: 'intent',
        id: intent.name,
        title: intent.name,
        description: intent.description,
        lastUpdated: now,
      })),
    pagination: { nextCursor: null, hasMore: false },
    lastUpdated: now,
  }
}

async function fromSources(deps: CrawlerRouteDeps, query: CrawlerQuery, ctx: IxpContext): Promise<unknown> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  let since: Date | undefined
  if (query.lastUpdated !== undefined) {
    since = new Date(query.lastUpdated)
    if (Number.isNaN(since.getTime())) {
      throw coreError('INVALID_REQUEST', {
        reason: "Invalid 'lastUpdated': pass an ISO-8601 date or date-time",
      })
    }
  }
  const selected = query.sources
    ? deps.sources.filter((source) => query.sources!.includes(source.name))
    : deps.sources
  const sourceQuery: CrawlerSourceQuery = { limit: query.limit + 1 }
  if (since) sourceQuery.since = since
  if (query.type !== undefined) sourceQuery.type = query.type
  if (after) sourceQuery.until = new Date(after.time)
  const batches = await Promise.all(
    selected.map(async (source) => {
      try {
        const items = await source.list(sourceQuery, ctx)
        if (!Array.isArray(items)) throw new TypeError('list() must return an array of items')
        return { source, items, ok: true }
      } catch (error) {
        deps.logger.error('crawler source failed; skipped for this request', {
          source: source.name,
          error: error instanceof Error ? error.message : String(error),
        })
        return { source, items: [] as readonly CrawlerItem[], ok: false }
      }
    }),
  )
  const matching: Keyed[] = []
  let invalid = 0
  for (const { source, items } of batches) {
    for (const item of items) {
      const time = typeof item?.lastUpdated === 'string' ? Date.parse(item.lastUpdated) : Number.NaN
      if (typeof item?.id !== 'string' || typeof item.type !== 'string' || Number.isNaN(time)) {
        invalid++
        continue
      }
      if (since && time < since.getTime()) continue
      if (query.type !== undefined && item.type !== query.type) continue
      matching.push({ item, time, source: source.name })
    }
  }
  if (invalid > 0) {
    deps.logger.warn('crawler items without a string id and type or a valid lastUpdated were skipped', {
      invalid,
    })
  }
  const ordered = matching
    .map((entry) => ({ ...entry, id: entry.item.id }))
    .sort(compare)
    .filter((entry) => !after || compare(after, entry) < 0)
  const page = ordered.slice(0, query.limit)
  const hasMore = ordered.length > query.limit
  const last = page[page.length - 1]
  const response: Record<string, unknown> = {
    contents: page.map((entry) => project(entry.item, query.fields)),
    pagination: {
      nextCursor: hasMore && last ? encodeCursor(last) : null,
      hasMore,
      total: matching.length,
    },
    lastUpdated: new Date().toISOString(),
  }
  if (query.includeMetadata) {
    const answered = batches.filter((batch) => batch.ok).map((batch) => batch.source.name)
    response.metadata = { sources: answered, totalSources: selected.length }
  }
  return response
}
