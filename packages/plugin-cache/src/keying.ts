/**
 * Which renders the cache serves and under which key: an intent's compiled policy, the per-request decision
 * (bypass, lookup or refresh) and the key itself (prefix, scope, material).
 */
import type { ComponentDefinition, IntentDefinition, IxpContext, RenderRequest, RenderState } from '@ixp/core'
import { cacheError } from './errors.js'
import type { BypassReason } from './events.js'
import { keyMaterial } from './json.js'
import { finishKey, keyPrefix, scopeSegment, type CacheScope } from './key.js'
import { compilePolicy, type IntentPolicy } from './policy.js'
import type { CacheRuntime } from './runtime.js'

type KeyOutcome = { key: string } | { bypass: BypassReason }

/** What to do with a render. */
export type Decision =
  { kind: 'bypass'; reason: BypassReason } | { kind: 'lookup' | 'refresh'; key: string; policy: IntentPolicy }

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
    const identity = settings.identify(context)
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
