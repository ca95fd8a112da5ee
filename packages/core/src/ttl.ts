/** The IXP TTL rules for a render result, in seconds. */
import type { ComponentDefinition, IntentDefinition } from './types.js'

export const TTL = {
  DEFAULT: 300,
  DEPRECATED: 60,
  CRAWLABLE: 600,
  LARGE_BUNDLE: 900,
} as const

// Unanchored on purpose: the IXP reference takes the first run of digits before `KB` ("60.5KB" reads as 5).
const GZIPPED_KB = /(\d+)KB/
const LARGE_BUNDLE_KB = 50

/**
 * 300 s by default; deprecated intent or component → at most 60; crawlable → at least 600; a gzipped bundle over
 * 50 KB → at least 900 (so crawlable or large overrides deprecated). An intent's own `ttl` replaces the rules.
 */
export function computeTtl(intent: IntentDefinition, component: ComponentDefinition): number {
  if (intent.ttl !== undefined) return intent.ttl
  let ttl: number = TTL.DEFAULT
  if (intent.deprecated || component.deprecated) ttl = Math.min(ttl, TTL.DEPRECATED)
  if (intent.crawlable) ttl = Math.max(ttl, TTL.CRAWLABLE)
  const performance = component.performance as { bundleSizeGzipped?: unknown } | undefined
  const gzipped = performance?.bundleSizeGzipped
  const kb = typeof gzipped === 'string' ? GZIPPED_KB.exec(gzipped) : null
  if (kb && Number.parseInt(kb[1]!, 10) > LARGE_BUNDLE_KB) ttl = Math.max(ttl, TTL.LARGE_BUNDLE)
  return ttl
}
