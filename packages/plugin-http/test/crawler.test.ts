/** `GET /crawler_content` with registered sources (merge, sort, cursor, filters) and with a provider. */
import { describe, expect, it } from 'vitest'
import {
  createHttpHandler,
  type CrawlerItem,
  type CrawlerSource,
  type CrawlerSourceQuery,
} from '@ixp/plugin-http'
import { captureLogger, createTestEngine, type CapturedLog } from './engine.js'

function items(prefix: string, type: string, count: number, startDay: number): CrawlerItem[] {
  return Array.from({ length: count }, (_, i) => ({
    type,
    id: `${prefix}-${i}`,
    title: `${prefix} ${i}`,
    body: `text of ${prefix} ${i}`,
    lastUpdated: new Date(Date.UTC(2025, 0, startDay + i)).toISOString(),
  }))
}

const articles = items('article', 'article', 7, 1) // Jan 1–7
const products = items('product', 'product', 5, 3) // Jan 3–7

function source(name: string, data: CrawlerItem[], seen?: CrawlerSourceQuery[]): CrawlerSource {
  return {
    name,
    list: (query) => {
      seen?.push(query)
      return data
    },
  }
}

async function page(handler: ReturnType<typeof createHttpHandler>, query: string) {
  const response = await handler.fetch(new Request(`http://ixp.test/ixp/crawler_content${query}`))
  return { status: response.status, body: await response.json() }
}

describe('crawler sources', () => {
  it('merges sources newest first and pages through them with the cursor, each item once', async () => {
    const handler = createHttpHandler(createTestEngine(), {
      crawler: { sources: [source('articles', articles), source('products', products)] },
    })
    const seen: string[] = []
    let cursor = ''
    let pages = 0
    for (;;) {
      const { status, body } = await page(handler, `?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
      expect(status).toBe(200)
      pages++
      seen.push(...body.contents.map((item: CrawlerItem) => item.id))
      expect(body.pagination.total).toBe(12)
      if (!body.pagination.hasMore) {
        expect(body.pagination.nextCursor).toBeNull()
        break
      }
      cursor = body.pagination.nextCursor
    }
    expect(pages).toBe(3)
    expect(seen).toHaveLength(12)
    expect(new Set(seen).size).toBe(12)
    // Newest first; on equal dates, by source name then id.
    expect(seen.slice(0, 4)).toEqual(['article-6', 'product-4', 'article-5', 'product-3'])
  })

  it('filters by type, lastUpdated and sources, projects fields, and adds metadata on request', async () => {
    const queries: CrawlerSourceQuery[] = []
    const handler = createHttpHandler(createTestEngine(), {
      crawler: { sources: [source('articles', articles, queries), source('products', products, queries)] },
    })
    const byType = await page(handler, '?type=product')
    expect(byType.body.contents.map((item: CrawlerItem) => item.type)).toEqual(Array(5).fill('product'))
    expect(queries.at(-1)).toMatchObject({ type: 'product', limit: 101 })

    const recent = await page(handler, '?lastUpdated=2025-01-06T00:00:00.000Z')
    expect(recent.body.contents.map((item: CrawlerItem) => item.id)).toEqual([
      'article-6',
      'product-4',
      'article-5',
      'product-3',
    ])

    const one = await page(handler, '?sources=products&fields=title&includeMetadata=true&limit=2')
    expect(one.body.contents).toEqual([
      { type: 'product', id: 'product-4', lastUpdated: products[4]!.lastUpdated, title: 'product 4' },
      { type: 'product', id: 'product-3', lastUpdated: products[3]!.lastUpdated, title: 'product 3' },
    ])
    expect(one.body.metadata).toEqual({ sources: ['products'], totalSources: 1 })
  })

  it('limit: 100 by default, at most 1000, lenient on nonsense', async () => {
    const many = items('item', 'item', 1_500, 1)
    const handler = createHttpHandler(createTestEngine(), { crawler: { sources: [source('many', many)] } })
    expect((await page(handler, '')).body.contents).toHaveLength(100)
    expect((await page(handler, '?limit=5000')).body.contents).toHaveLength(1_000)
    expect((await page(handler, '?limit=abc')).body.contents).toHaveLength(100)
    expect((await page(handler, '?limit=-3')).body.contents).toHaveLength(100)
  })

  it('refuses a forged cursor and a bad lastUpdated with 400', async () => {
    const handler = createHttpHandler(createTestEngine(), {
      crawler: { sources: [source('articles', articles)] },
    })
    for (const query of [
      '?cursor=abc',
      '?cursor=%7B%7D',
      `?cursor=${'A'.repeat(3000)}`,
      '?lastUpdated=yesterday',
    ]) {
      const { status, body } = await page(handler, query)
      expect(status).toBe(400)
      expect(body.error.code).toBe('INVALID_REQUEST')
    }
  })

  it('skips (and logs) a failing source and invalid items, serving the rest', async () => {
    const logs: CapturedLog[] = []
    const broken: CrawlerSource = {
      name: 'broken',
      list: () => {
        throw new Error('index offline')
      },
    }
    const sloppy = source('sloppy', [
      { type: 'note', id: 'ok', lastUpdated: '2025-02-01T00:00:00Z' },
      { type: 'note', id: 'bad-date', lastUpdated: 'soon' },
      { type: 'note', lastUpdated: '2025-02-01T00:00:00Z' } as unknown as CrawlerItem,
    ])
    const handler = createHttpHandler(createTestEngine({ logger: captureLogger(logs) }), {
      crawler: { sources: [broken, sloppy] },
    })
    const { status, body } = await page(handler, '?includeMetadata=true')
    expect(status).toBe(200)
    expect(body.contents.map((item: CrawlerItem) => item.id)).toEqual(['ok'])
    expect(body.metadata).toEqual({ sources: ['sloppy'], totalSources: 2 })
    expect(logs.map((log) => log.message)).toEqual([
      'crawler source failed; skipped for this request',
      'crawler items without a string id and type or a valid lastUpdated were skipped',
    ])
  })

  it('a provider answers when no source is registered, with the parsed query and the context', async () => {
    const handler = createHttpHandler(createTestEngine(), {
      crawler: {
        provider: (query, ctx) => ({
          contents: [],
          pagination: { nextCursor: null, hasMore: false },
          echo: { query, requestId: ctx.requestId },
        }),
      },
    })
    const { body } = await page(handler, '?limit=7&type=faq&sources=a,b&format=xml')
    expect(body.echo.query).toEqual({
      limit: 7,
      type: 'faq',
      sources: ['a', 'b'],
      format: 'xml',
      includeMetadata: false,
    })
    expect(typeof body.echo.requestId).toBe('string')
  })
})
