/** Between a render result and the JSON a cache level keeps. */
import type { CacheStatus, RemoteRecord, RenderMeta, RenderNode, RenderResult, RenderState } from '@ixp/core'
import { cloneJson, serialise, type JsonOutcome } from './json.js'
import type { StoredEntry } from './store.js'

/** What is cached of a render: everything but its component description (read live) and its meta. */
interface CachedRender {
  props: Record<string, unknown>
  ttl: number
  tree?: RenderNode
  record?: RemoteRecord
}

/** The cacheable part of a result as JSON, or why it cannot be cached. */
export function serialiseResult(result: RenderResult): JsonOutcome {
  const cached: CachedRender = { props: result.props, ttl: result.ttl }
  if (result.tree !== undefined) cached.tree = result.tree
  if (result.record !== undefined) cached.record = result.record
  return serialise(cached)
}

// One parsed copy per entry, never handed out: every answer gets a clone of it, which is cheaper than
// parsing the entry's JSON on every hit and still gives each caller a copy nobody else can change.
const parsed = new WeakMap<StoredEntry, CachedRender>()
// The entry read last and its parsed copy: hits on one entry skip the WeakMap (an entry is never changed).
let lastEntry: StoredEntry | undefined
let lastRender: CachedRender | undefined

function cachedRender(entry: StoredEntry): CachedRender {
  if (entry === lastEntry) return lastRender!
  let render = parsed.get(entry)
  if (!render) {
    render = JSON.parse(entry.data) as CachedRender
    parsed.set(entry, render)
  }
  lastEntry = entry
  lastRender = render
  return render
}

/** A new result from a cached entry: its own copy of the data, with the render's meta. */
export function resultFrom(
  entry: StoredEntry,
  state: RenderState,
  component: Record<string, unknown>,
  status: CacheStatus,
  now: number,
): RenderResult {
  // Each part is copied on its own (the parsed object around them is never handed out, so it needs no copy).
  const cached = cachedRender(entry)
  // The render's own meta object: new for every render and shared with nothing cached.
  const meta: RenderMeta = state.meta
  meta.cache = status
  if (status === 'hit' || status === 'stale')
    meta.cacheAge = Math.max(0, Math.floor((now - entry.storedAt) / 1000))
  const result: RenderResult = {
    intent: state.intent.name,
    component,
    props: cloneJson(cached.props),
    ttl: cached.ttl,
    meta,
  }
  if (cached.tree !== undefined) result.tree = cloneJson(cached.tree)
  if (cached.record !== undefined) result.record = cloneJson(cached.record)
  if (entry.tags.length > 0) result.tags = entry.tags
  return result
}
