/**
 * `cacheControl(ctx)`: what a handler tells the cache about the answer it is producing — tags to invalidate
 * it by, its own TTL, or not to store it. The directives are kept per render context object, in a WeakMap, so
 * they go away with the context and never show on it.
 */
import type { IxpContext } from '@ixp/core'
import { cacheError } from './errors.js'

/** Each render's directives, keyed by the context object its handler received. */
const directivesByContext = new WeakMap<object, CacheDirectives>()

/** Longest accepted tag. */
export const MAX_TAG_LENGTH = 512

/** What a handler said about its answer. */
export interface CacheDirectives {
  tags: string[]
  ttl: number | undefined
  noStore: boolean
}

/** The handler-side API; every method returns the same object so calls chain. */
export interface CacheControl {
  /** Attaches tags; `invalidateTag(tag)` later drops every entry carrying one. */
  tag(...tags: string[]): CacheControl
  /** Seconds this answer stays fresh (overrides the intent's and the plugin's TTL; `0` = do not store). */
  ttl(seconds: number): CacheControl
  /** Do not store this answer (concurrent identical requests still share it). */
  noStore(): CacheControl
}

/** Checks a tag; returns what is wrong with it, or `undefined`. */
export function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag === '') return 'must be a non-empty string'
  if (tag.length > MAX_TAG_LENGTH) return `must be at most ${MAX_TAG_LENGTH} characters`
  return undefined
}

/** Checks a number of seconds; returns what is wrong with it, or `undefined`. */
export function secondsProblem(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? undefined
    : 'must be a finite number of seconds, 0 or more'
}

/** The directives a handler left on `ctx`, if any. */
export function directivesOf(ctx: IxpContext): CacheDirectives | undefined {
  return directivesByContext.get(ctx)
}

/**
 * Lets a handler tag its answer or set its TTL:
 * `cacheControl(ctx).tag(`product:${params.id}`).ttl(30)`. Without the cache plugin it does nothing.
 */
export function cacheControl(ctx: IxpContext): CacheControl {
  if (typeof ctx !== 'object' || ctx === null) {
    throw cacheError('CACHE_INVALID_DIRECTIVE', {
      call: 'cacheControl(ctx)',
      problem: 'needs the context the handler received',
    })
  }
  let directives = directivesOf(ctx)
  if (!directives) {
    directives = { tags: [], ttl: undefined, noStore: false }
    directivesByContext.set(ctx, directives)
  }
  const own = directives
  const control: CacheControl = {
    tag(...tags) {
      for (const tag of tags) {
        const problem = tagProblem(tag)
        if (problem) {
          throw cacheError('CACHE_INVALID_DIRECTIVE', {
            call: 'cacheControl(ctx).tag()',
            problem: `a tag ${problem}`,
          })
        }
        if (!own.tags.includes(tag)) own.tags.push(tag)
      }
      return control
    },
    ttl(seconds) {
      const problem = secondsProblem(seconds)
      if (problem) {
        throw cacheError('CACHE_INVALID_DIRECTIVE', {
          call: 'cacheControl(ctx).ttl()',
          problem: `the TTL ${problem}`,
        })
      }
      own.ttl = seconds
      return control
    },
    noStore() {
      own.noStore = true
      return control
    },
  }
  return control
}
