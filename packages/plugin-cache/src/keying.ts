/**
 * Which renders the cache serves and under which key: an intent's compiled policy, the per-request decision
 * (bypass, lookup or refresh) and the key itself (prefix, scope, material).
 */
import type { ComponentDefinition, IntentDefinition, IxpContext, RenderRequest, RenderState } from '@ixp/core'
import { cacheError } from './errors.js'
import type { BypassReason } from './events.js'
import { isPlain, keyMaterial, type JsonOutcome } from './json.js'
import { finishKey, keyPrefix, scopeSegment, type CacheIdentity, type CacheScope } from './key.js'
import { defaultIdentify } from './options.js'
import { compilePolicy, type IntentPolicy } from './policy.js'
import type { CacheRuntime } from './runtime.js'

type KeyOutcome = { key: string } | { bypass: BypassReason }

/** What to do with a render. */
export type Decision =
  { kind: 'bypass'; reason: BypassReason } | { kind: 'lookup' | 'refresh'; key: string; policy: IntentPolicy }

/** What the default `identify` answers for a context with neither `user` nor `tenant`. */
const NOBODY: CacheIdentity = Object.freeze({ user: undefined, kind: undefined, tenant: undefined })

/**
 * The own enumerable properties of `value`, in order, when `value` is a plain object whose every value is a
 * string, a finite number, a boolean, null or undefined (alternating names and values); else `undefined`.
 */
function flatEntries(value: Record<string, unknown>): unknown[] | undefined {
  if (!isPlain(value)) return undefined
  const entries: unknown[] = []
  for (const key of Object.keys(value)) {
    const item = value[key]
    const type = typeof item
    if (
      type === 'number' ? !Number.isFinite(item) : !(type === 'string' || type === 'boolean' || item == null)
    )
      return undefined
    entries.push(key, item)
  }
  return entries
}

/** Whether `value` is a plain object with exactly the names and values of `entries`, in that order. */
function sameEntries(entries: readonly unknown[], value: Record<string, unknown>): boolean {
  if (!isPlain(value)) return false
  let i = 0
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue
    if (i === entries.length || entries[i] !== key || entries[i + 1] !== value[key]) return false
    i += 2
  }
  return i === entries.length
}

function decisionOf(found: KeyOutcome, kind: 'lookup' | 'refresh', policy: IntentPolicy): Decision {
  return 'bypass' in found ? { kind: 'bypass', reason: found.bypass } : { kind, key: found.key, policy }
}

export class Keying {
  readonly #runtime: CacheRuntime
  readonly #policies = new WeakMap<IntentDefinition, IntentPolicy>()
  readonly #prefixes = new WeakMap<IntentDefinition, { component: ComponentDefinition; prefix: string }>()
  /**
   * The last key made inline and what it was made of. The same render asked again gets the same string, whose
   * hash V8 has already computed, instead of a new one the in-process level's map must hash again; another
   * render costs a string comparison.
   */
  #last = { prefix: '', scope: '', material: '', outcome: { key: '' } as { readonly key: string } }
  /**
   * The last parameters keyed on their own (no options, `varyBy` or custom key) when they were flat, as names and
   * values, and their material: equal parameters (the same request again) reuse the string instead of writing
   * it again. Canonical JSON depends only on those names and values, so equal ones give the same material.
   */
  #lastParameters: { entries: readonly unknown[]; material: JsonOutcome } | undefined

  constructor(runtime: CacheRuntime) {
    this.#runtime = runtime
  }

  policy(intent: IntentDefinition): IntentPolicy {
    let policy = this.#policies.get(intent)
    if (!policy) {
      policy = compilePolicy(intent, this.#runtime.settings.intents)
      this.#policies.set(intent, policy)
    }
    return policy
  }

  /** Commands, intents that are not cached and requests that say so bypass; others get their key. */
  decide(state: RenderState): Decision | Promise<Decision> {
    if (state.intent.kind === 'command') return { kind: 'bypass', reason: 'command' }
    const policy = this.policy(state.intent)
    if (!policy.enabled) return { kind: 'bypass', reason: 'intent' }
    const directive = state.context.cache
    if (directive === 'bypass') return { kind: 'bypass', reason: 'request' }
    if (this.#runtime.settings.bypass?.(state)) return { kind: 'bypass', reason: 'predicate' }
    const outcome = this.#keyOf(
      state.intent,
      state.component,
      state.parameters ?? {},
      state.request.options,
      state.context,
      policy,
    )
    const kind = directive === 'refresh' ? 'refresh' : 'lookup'
    return outcome instanceof Promise
      ? outcome.then((found) => decisionOf(found, kind, policy))
      : decisionOf(outcome, kind, policy)
  }

  /** `keyFor()`: the key a render of `request` by this caller would use, or `undefined`. */
  async keyFor(request: RenderRequest, context: IxpContext): Promise<string | undefined> {
    const engine = this.#runtime.engine
    if (!engine) throw cacheError('CACHE_NOT_INSTALLED', { method: 'keyFor' })
    const name = request?.intent?.name
    if (typeof name !== 'string')
      throw cacheError('CACHE_INVALID_ARGUMENT', {
        method: 'keyFor',
        expected: 'a render request { intent: { name } }',
      })
    const intent = engine.intents.get(name)
    const component = intent && engine.components.get(intent.component)
    if (!intent || !component) return undefined
    const policy = this.policy(intent)
    if (!policy.enabled || intent.kind === 'command') return undefined
    const outcome = await this.#keyOf(
      intent,
      component,
      request.intent.parameters ?? {},
      request.options,
      context,
      policy,
    )
    return 'key' in outcome ? outcome.key : undefined
  }

  #keyOf(
    intent: IntentDefinition,
    component: ComponentDefinition,
    parameters: Record<string, unknown>,
    options: Record<string, unknown> | undefined,
    context: IxpContext,
    policy: IntentPolicy,
  ): KeyOutcome | Promise<KeyOutcome> {
    const settings = this.#runtime.settings
    // The default `identify` of a caller with no user and no tenant, without its object.
    const identity =
      settings.identify === defaultIdentify && context.user === undefined && context.tenant === undefined
        ? NOBODY
        : settings.identify(context)
    let scope: CacheScope
    if (policy.scope) scope = policy.scope
    else if (settings.defaultScope !== 'auto') scope = settings.defaultScope
    else scope = identity.user !== undefined ? 'user' : identity.tenant !== undefined ? 'tenant' : 'public'
    const scopeKey = scopeSegment(scope, identity)
    if (scopeKey === undefined) return { bypass: 'no-identity' }
    const vary = policy.varyBy?.(parameters, context)
    const custom = policy.key
      ? policy.key(parameters, context)
      : settings.key?.({ intent: intent.name, parameters, options, context })
    const json =
      policy.key || settings.key
        ? keyMaterial('k', custom, vary)
        : vary === undefined && options === undefined
          ? this.#parametersMaterial(parameters)
          : keyMaterial('p', parameters, vary, options)
    if (!json.ok) {
      this.#runtime.warnOnce(
        `key:${intent.name}`,
        `cache: intent '${intent.name}' is not cached: its key material is not plain JSON`,
        { path: json.problem.path, reason: json.problem.reason },
      )
      return { bypass: 'key' }
    }
    const prefix = this.#prefix(intent, component)
    const last = this.#last
    // Prefix and scope are usually the very strings compared (one pointer each); the material last.
    if (prefix === last.prefix && scopeKey === last.scope && json.json === last.material) return last.outcome
    const key = finishKey(prefix, scopeKey, json.json)
    if (typeof key !== 'string') return key.then((hashed) => ({ key: hashed }))
    this.#last = { prefix, scope: scopeKey, material: json.json, outcome: { key } }
    return this.#last.outcome
  }

  /** The material of parameters alone (see {@link Keying.#lastParameters}). */
  #parametersMaterial(parameters: Record<string, unknown>): JsonOutcome {
    const last = this.#lastParameters
    if (last !== undefined && sameEntries(last.entries, parameters)) return last.material
    const material = keyMaterial('p', parameters, undefined, undefined)
    if (material.ok) {
      const entries = flatEntries(parameters)
      this.#lastParameters = entries === undefined ? undefined : { entries, material }
    }
    return material
  }

  /** The fixed part of the keys of an intent rendered by a component (both may be replaced at run time). */
  #prefix(intent: IntentDefinition, component: ComponentDefinition): string {
    const known = this.#prefixes.get(intent)
    if (known?.component === component) return known.prefix
    const prefix = keyPrefix({
      version: this.#runtime.settings.version,
      intent: intent.name,
      intentVersion: intent.version,
      component: component.name,
      componentVersion: typeof component.version === 'string' ? component.version : undefined,
    })
    this.#prefixes.set(intent, { component, prefix })
    return prefix
  }
}
