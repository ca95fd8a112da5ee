/** An intent's `cache` field: checked at registration, compiled once per definition. */
import {
  coreError,
  isObject,
  type IxpError,
  type DefinitionIssue,
  type IntentDefinition,
  type IxpContext,
} from '@ixp/core'
import { secondsProblem, tagProblem } from './control.js'
import type { CacheScope } from './key.js'
import type { IntentCacheOptions } from './options.js'

type Params = Record<string, unknown>

/** How one intent is cached. */
export interface IntentPolicy {
  enabled: boolean
  ttl: IntentCacheOptions['ttl']
  staleWhileRevalidate: number | undefined
  staleIfError: number | undefined
  /** The declared scope, or `user` for an intent with an `auth` requirement, else `undefined`. */
  scope: CacheScope | undefined
  tags: IntentCacheOptions['tags']
  varyBy: ((params: Params, ctx: IxpContext) => unknown) | undefined
  key: ((params: Params, ctx: IxpContext) => unknown) | undefined
}

const FIELDS = ['ttl', 'staleWhileRevalidate', 'staleIfError', 'scope', 'tags', 'varyBy', 'key']
const SCOPES = ['public', 'tenant', 'user']

/** Problems with an intent's `cache` field, each located under `cache` (none when it is usable). */
export function intentCacheIssues(value: unknown, kind?: unknown): DefinitionIssue[] {
  if (value === undefined || value === false) return []
  if (kind === 'command') {
    return [
      { path: 'cache', message: 'must be false or left out: a command (kind: command) is never cached' },
    ]
  }
  if (value === true) return []
  if (!isObject(value))
    return [{ path: 'cache', message: 'must be a boolean or an object { ttl?, scope?, tags?, … }' }]
  const issues: DefinitionIssue[] = []
  const fail = (field: string, message: string) => issues.push({ path: `cache.${field}`, message })
  for (const field of Object.keys(value)) {
    if (!FIELDS.includes(field)) fail(field, `is not a known field (${FIELDS.join(', ')})`)
  }
  if (value.ttl !== undefined && typeof value.ttl !== 'function') {
    const problem = secondsProblem(value.ttl)
    if (problem) fail('ttl', `${problem}, or a function of the parameters`)
  }
  for (const field of ['staleWhileRevalidate', 'staleIfError']) {
    const problem = value[field] === undefined ? undefined : secondsProblem(value[field])
    if (problem) fail(field, problem)
  }
  if (value.scope !== undefined && !SCOPES.includes(value.scope as string)) {
    fail('scope', "must be 'public', 'tenant' or 'user'")
  }
  if (value.tags !== undefined && typeof value.tags !== 'function') {
    if (!Array.isArray(value.tags))
      fail('tags', 'must be an array of tags or a function (params, ctx) => tags')
    else
      value.tags.forEach((tag: unknown, index) => {
        const problem = tagProblem(tag)
        if (problem) fail(`tags.${index}`, problem)
      })
  }
  for (const field of ['varyBy', 'key']) {
    if (value[field] !== undefined && typeof value[field] !== 'function')
      fail(field, 'must be a function (params, ctx)')
  }
  return issues
}

/** The core's definition error, for an intent whose `cache` field is unusable. */
export function cacheDefinitionError(name: string, issues: DefinitionIssue[]): IxpError {
  const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')
  return coreError(
    'INVALID_DEFINITION',
    { reason: `Invalid intent '${name}': ${summary}` },
    { details: { issues: issues.map((issue) => ({ ...issue })) } },
  )
}

/** True when `@ixp/plugin-auth` guards the intent (an `auth` requirement that is not `public`). */
function isPrivate(intent: IntentDefinition): boolean {
  const auth: unknown = intent.auth
  if (auth === undefined || auth === false) return false
  return !(isObject(auth) && auth.public === true)
}

/** Compiles an intent's cache policy; the caller checked the field with {@link intentCacheIssues}. */
export function compilePolicy(intent: IntentDefinition, intents: 'all' | 'opt-in'): IntentPolicy {
  const field = intent.cache
  const options: IntentCacheOptions = isObject(field) ? (field as IntentCacheOptions) : {}
  const enabled = field === false ? false : intents === 'all' || field !== undefined
  return {
    enabled,
    ttl: options.ttl,
    staleWhileRevalidate: options.staleWhileRevalidate,
    staleIfError: options.staleIfError,
    scope: options.scope ?? (isPrivate(intent) ? 'user' : undefined),
    tags: options.tags,
    varyBy: options.varyBy,
    key: options.key,
  }
}
