/**
 * The Redis form of an entry: one JSON document with the stored-at time, the windows, the tags and the
 * cached render under `data` (spliced in as is, so writing does not serialise the render twice).
 */
import type { StoredEntry } from '../store.js'

const FORMAT = 1

export function encodeEntry(entry: StoredEntry): string {
  return (
    `{"v":${FORMAT},"intent":${JSON.stringify(entry.intent)},"tags":${JSON.stringify(entry.tags)}` +
    `,"storedAt":${entry.storedAt},"ttl":${entry.ttl},"staleWhileRevalidate":${entry.staleWhileRevalidate}` +
    `,"staleIfError":${entry.staleIfError},"data":${entry.data}}`
  )
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

/** The entry, or `undefined` for anything this version did not write (another format, corruption). */
export function decodeEntry(text: string): StoredEntry | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const value = parsed as Record<string, unknown>
  if (
    value.v !== FORMAT ||
    typeof value.intent !== 'string' ||
    !Array.isArray(value.tags) ||
    !value.tags.every((tag) => typeof tag === 'string') ||
    typeof value.storedAt !== 'number' ||
    !isSeconds(value.ttl) ||
    !isSeconds(value.staleWhileRevalidate) ||
    !isSeconds(value.staleIfError) ||
    typeof value.data !== 'object' ||
    value.data === null
  ) {
    return undefined
  }
  return {
    data: JSON.stringify(value.data),
    intent: value.intent,
    tags: value.tags as string[],
    storedAt: value.storedAt,
    ttl: value.ttl,
    staleWhileRevalidate: value.staleWhileRevalidate,
    staleIfError: value.staleIfError,
  }
}
