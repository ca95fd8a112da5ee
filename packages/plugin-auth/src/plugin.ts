/**
 * The `auth()` plugin: authenticates on the render path (`admission`) and in discovery, enforces each
 * intent's requirements, and filters what `listIntents` / `listComponents` / `resolve` show a caller.
 */
import {
  coreError,
  Stage,
  type IxpError,
  type ComponentDefinition,
  type DiscoveryPurpose,
  type Engine,
  type IntentDefinition,
  type IxpContext,
  type IxpPlugin,
} from '@ixp/core'
import { tapMaybeSync } from '@ixp/core/plugin-kit'
import { ApiKeyVerifier } from './credentials/api-keys.js'
import { Authenticator } from './credentials/authenticator.js'
import { createJwtVerifier } from './credentials/jwt.js'
import { Challenges } from './errors.js'
import { resolveOptions, type AuthOptions, type ResolvedOptions } from './options.js'
import { checkRequirement, decide, declaredRequirement, policyOf, type Policy } from './requirements.js'
import { RoleModel } from './roles.js'
import type { Principal } from './types.js'

const NAME = '@ixp/plugin-auth'
const VERSION = '0.1.0'

/** The plugin, plus the authentication it performs, for transports that authenticate outside a render. */
export interface AuthPlugin extends IxpPlugin {
  /**
   * Authenticates a context the way a render would: the principal, `undefined` when the caller presented
   * no credentials, or a 401 / 503 `IxpError`. Waits for the plugin's start-up (key import, key hashing).
   */
  authenticate(ctx: IxpContext): Promise<Principal | undefined>
}

function definitionIssues(intent: IntentDefinition): IxpError | undefined {
  if (intent.auth === undefined) return undefined
  const issues = checkRequirement(intent.auth, 'auth')
  if (issues.length === 0) return undefined
  const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')
  return coreError(
    'INVALID_DEFINITION',
    { reason: `Invalid intent '${intent.name}': ${summary}` },
    { details: { issues: issues.map((issue) => Object.assign({}, issue)) } },
  )
}

/** Sets (or clears) `ctx.user`: only the plugin decides who the caller is, never a copied-in value. */
function setUser(ctx: IxpContext, principal: Principal | undefined): void {
  if (principal) ctx.user = principal
  else clearUser(ctx)
}

/** Removes `ctx.user`; `delete` only when there is one (a `delete` of a missing property costs ~3× the check). */
function clearUser(ctx: IxpContext): void {
  if (Object.hasOwn(ctx, 'user')) delete ctx.user
}

/**
 * Creates the auth plugin. Options are checked here (throwing `AUTH_INVALID_OPTIONS`); keys are imported
 * and hashed right away, and a failure there is reported by `engine.ready()`.
 */
export function auth(options: AuthOptions): AuthPlugin {
  const settings = resolveOptions(options)
  const challenges = new Challenges({
    realm: settings.realm,
    bearer: settings.jwt !== undefined,
    apiKeyHeader: settings.apiKeys?.header,
  })
  const roles = new RoleModel(settings.roles, settings.rolePermissions)
  const jwt = settings.jwt
    ? createJwtVerifier(settings.jwt, challenges, settings.clockToleranceSeconds)
    : undefined
  const keys = settings.apiKeys ? ApiKeyVerifier.create(settings.apiKeys, challenges) : undefined
  keys?.catch(() => undefined)
  const setup = (async () => {
    await jwt?.ready
    return new Authenticator({ settings, challenges, roles, jwt, apiKeys: await keys })
  })()
  // Reported by apply() (engine.ready()) or authenticate(); never an unhandled rejection in between.
  setup.catch(() => undefined)

  const policies = new WeakMap<IntentDefinition, Policy>()
  const policyFor = (intent: IntentDefinition): Policy => {
    let policy = policies.get(intent)
    if (!policy) {
      const configured = Object.hasOwn(settings.intentPermissions, intent.name)
        ? settings.intentPermissions[intent.name]
        : undefined
      policy = policyOf(declaredRequirement(intent), configured, settings.defaultAccess)
      policies.set(intent, policy)
    }
    return policy
  }

  return {
    name: NAME,
    version: VERSION,
    authenticate: async (ctx) => (await setup).authenticate(ctx),
    async apply(engine: Engine) {
      const authenticator = await setup
      for (const intent of engine.intents.list()) {
        const problem = definitionIssues(intent)
        if (problem) throw problem
      }
      const guard = new Guard(settings, challenges, policyFor, authenticator)

      engine.hooks.registerIntent.tap({ name: `${NAME}:definition`, stage: Stage.AUTH }, (intent) => {
        const problem = definitionIssues(intent)
        if (problem) throw problem
        return intent
      })
      // Maybe-sync: a public intent asked without credentials is admitted at once, and the render stays synchronous.
      tapMaybeSync(engine.hooks.admission, { name: NAME, stage: Stage.AUTH }, (state) =>
        guard.admit(state.context, state.intent),
      )
      engine.hooks.discoverIntents.tapPromise(
        { name: NAME, stage: Stage.AUTH },
        async (intents, ctx, purpose) => {
          const visible = await guard.visibleIntents(intents, ctx, purpose)
          return intents.filter((intent) => visible.has(intent))
        },
      )
      engine.hooks.discoverComponents.tapPromise(
        { name: NAME, stage: Stage.AUTH },
        async (components, ctx, purpose) =>
          guard.visibleComponents(components, engine.intents.list(), ctx, purpose),
      )
      engine.hooks.ready.tap({ name: NAME, stage: Stage.AUTH }, () => {
        for (const name of Object.keys(settings.intentPermissions)) {
          if (!engine.intents.has(name))
            engine.logger.warn(`${NAME}: intentPermissions names '${name}', which is not registered`)
        }
      })
    },
  }
}

/** Access decisions for one engine: admission, and visibility in discovery. */
class Guard {
  constructor(
    private readonly settings: ResolvedOptions,
    private readonly challenges: Challenges,
    private readonly policyFor: (intent: IntentDefinition) => Policy,
    private readonly authenticator: Authenticator,
  ) {}

  /**
   * Admits the render or throws 401 / 403 / `MFA_REQUIRED`; leaves the principal on `ctx.user`. Synchronous (no
   * promise) for a public intent asked without any credential: there is nothing to verify.
   */
  admit(ctx: IxpContext, intent: IntentDefinition): void | Promise<void> {
    const policy = this.policyFor(intent)
    if (policy.public) {
      // Public intents need no credentials; valid ones still identify the caller (personalisation, cache
      // scope, rate-limit keys), and broken ones are ignored rather than refusing what anyone may do. Without
      // any credential there is nothing to authenticate.
      if (this.authenticator.presentsNothing(ctx)) {
        clearUser(ctx)
        return
      }
      return this.authenticator.authenticate(ctx).then(
        (principal) => setUser(ctx, principal),
        () => setUser(ctx, undefined),
      )
    }
    return this.#admitProtected(ctx, intent, policy)
  }

  async #admitProtected(ctx: IxpContext, intent: IntentDefinition, policy: Policy): Promise<void> {
    const principal = await this.authenticator.authenticate(ctx)
    setUser(ctx, principal)
    const decision = decide(policy, principal, this.#timing())
    if (!decision.allowed && decision.reason === 'unauthenticated') throw this.challenges.missing()
    if (!decision.allowed && decision.reason === 'forbidden') {
      throw this.challenges.forbidden(decision.message, principal?.method === 'jwt')
    }
    if (this.settings.authorize && !(await this.settings.authorize(ctx, intent))) {
      throw this.challenges.forbidden(
        `Not allowed to use intent '${intent.name}'`,
        principal?.method === 'jwt',
      )
    }
    if (!decision.allowed && decision.reason === 'mfa')
      throw this.challenges.mfaRequired(decision.maxAgeSeconds)
  }

  /**
   * The intents a caller may use. Crawlers see public intents only, whoever they are. Others see what
   * their principal could render — intents needing a second factor included, since a step-up unlocks them.
   */
  async visibleIntents(
    intents: readonly IntentDefinition[],
    ctx: IxpContext,
    purpose: DiscoveryPurpose,
  ): Promise<Set<IntentDefinition>> {
    if (purpose === 'crawler') return new Set(intents.filter((intent) => this.policyFor(intent).public))
    const principal = await this.authenticator.authenticate(ctx)
    setUser(ctx, principal)
    const visible = new Set<IntentDefinition>()
    const timing = this.#timing()
    for (const intent of intents) {
      const policy = this.policyFor(intent)
      if (policy.public) {
        visible.add(intent)
        continue
      }
      const decision = decide(policy, principal, timing)
      if (!decision.allowed && decision.reason !== 'mfa') continue
      if (this.settings.authorize && !(await this.settings.authorize(ctx, intent))) continue
      visible.add(intent)
    }
    return visible
  }

  /**
   * The components a caller may see: those rendering an intent it may use. A component no intent uses is
   * shown as an intent without requirements would be (per `defaultAccess`), but never to crawlers.
   */
  async visibleComponents(
    components: readonly ComponentDefinition[],
    intents: readonly IntentDefinition[],
    ctx: IxpContext,
    purpose: DiscoveryPurpose,
  ): Promise<ComponentDefinition[]> {
    const visible = await this.visibleIntents(intents, ctx, purpose)
    const used = new Set(intents.map((intent) => intent.component))
    const usable = new Set([...visible].map((intent) => intent.component))
    const orphansVisible =
      purpose !== 'crawler' && (this.settings.defaultAccess === 'public' || ctx.user !== undefined)
    return components.filter(
      (component) => usable.has(component.name) || (!used.has(component.name) && orphansVisible),
    )
  }

  #timing() {
    return {
      now: Date.now(),
      mfaMaxAgeSeconds: this.settings.mfa.maxAgeSeconds,
      clockToleranceSeconds: this.settings.clockToleranceSeconds,
    }
  }
}
