/**
 * Registering intents and components: each definition is checked (the error names the offending field),
 * decorated by the `registerIntent` / `registerComponent` hooks, and an intent's parameter validator is
 * compiled once. What the engine keeps per definition lives here; the engine asks for it by name.
 */
import {
  checkComponent,
  checkIntent,
  definitionError,
  withComponentDefaults,
  type DefinitionIssue,
  type DefinitionRules,
} from './definitions.js'
import { IxpError } from './errors.js'
import type { RegistryChange } from './events.js'
import type { EngineHooks } from './hooks/index.js'
import { withIntentDefaults } from './invalidation.js'
import {
  Registry,
  summariseComponents,
  summariseIntents,
  type ComponentStats,
  type IntentStats,
} from './registry.js'
import type { RenderComponent, RenderIntent } from './render-pipeline.js'
import type { ComponentDefinition, IntentDefinition, JsonSchema } from './types.js'
import { compileParameters } from './validation/parameters.js'
import type { SanitizeOptions } from './validation/sanitize.js'

export interface RegisterOptions {
  /** Replace a registered definition of the same name instead of refusing it. @default false */
  replace?: boolean
}

export interface IntentEntry extends RenderIntent {
  /** The definition as registered (checked, before the registration hooks). */
  raw: IntentDefinition
}

export interface ComponentEntry extends RenderComponent {
  raw: ComponentDefinition
}

type Kind = RegistryChange['kind']

/** Long names are cut in messages, so an error never echoes a whole hostile input. */
export function shorten(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name
}

/** What callers are shown of a component: every field but functions. */
function publicDescription(definition: ComponentDefinition): Record<string, unknown> {
  const description: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(definition)) {
    if (typeof value !== 'function' && value !== undefined) description[key] = value
  }
  if (typeof definition.render === 'function') description.type = 'server'
  return Object.freeze(description)
}

export class Registrations {
  readonly intents = new Registry<IntentDefinition, IntentEntry, IntentStats>(summariseIntents)
  readonly components = new Registry<ComponentDefinition, ComponentEntry, ComponentStats>(summariseComponents)

  /**
   * `changed` reports every change (the engine emits `registry:changed`); `own` records an unregister
   * function for the plugin being applied, if any, and returns it.
   */
  constructor(
    private readonly hooks: EngineHooks,
    private readonly rules: DefinitionRules,
    private readonly parameters: SanitizeOptions,
    private readonly changed: (change: RegistryChange) => void,
    private readonly own: <T extends () => void>(undo: T) => T,
  ) {}

  intent(definition: IntentDefinition, options: RegisterOptions): () => void {
    const raw = withIntentDefaults({ ...this.#checked('intent', definition) })
    return this.#add('intent', this.intents, raw, options, () =>
      Object.assign({ raw }, this.#decorateIntent(raw)),
    )
  }

  component(definition: ComponentDefinition, options: RegisterOptions): () => void {
    const raw = { ...this.#checked('component', definition) }
    return this.#add('component', this.components, raw, options, () =>
      Object.assign({ raw }, this.#decorateComponent(raw)),
    )
  }

  /**
   * Brings every definition up to date with the registration hooks after plugins were applied or removed:
   * definitions registered before a plugin was applied pass its taps too, whatever the order of `use()` and
   * `register…()`.
   */
  redecorateAll(): void {
    for (const entry of this.components.entries()) Object.assign(entry, this.#decorateComponent(entry.raw))
    for (const entry of this.intents.entries()) Object.assign(entry, this.#decorateIntent(entry.raw))
  }

  #checked<T>(kind: Kind, definition: T): T {
    const issues =
      kind === 'intent' ? checkIntent(definition, this.rules) : checkComponent(definition, this.rules)
    if (issues.length > 0) throw definitionError(kind, issues)
    return definition
  }

  /** Refuses a duplicate name unless `replace`, then decorates, stores and reports the definition. */
  #add<T extends { name: string }, E extends { definition: T }>(
    kind: Kind,
    registry: Registry<T, E, unknown>,
    raw: { name: string },
    options: RegisterOptions,
    decorate: () => E,
  ): () => void {
    const name = raw.name
    const exists = registry.has(name)
    if (exists && !options.replace) {
      throw new IxpError(
        'DUPLICATE_DEFINITION',
        `A ${kind} named '${shorten(name)}' is already registered; pass { replace: true } to replace it`,
        { details: { kind, name } },
      )
    }
    const entry = decorate()
    registry.set(entry)
    this.changed({ kind, action: exists ? 'replaced' : 'registered', name })
    return this.own(() => {
      if (registry.delete(name, entry)) this.changed({ kind, action: 'unregistered', name })
    })
  }

  /** Runs the `registerIntent` waterfall over a checked definition and compiles its parameter validator. */
  #decorateIntent(raw: IntentDefinition): RenderIntent {
    const definition = this.hooks.registerIntent.call({ ...raw })
    this.#checkDecorated('intent', raw.name, definition, checkIntent(definition, this.rules))
    try {
      return { definition, validate: compileParameters(definition.parameters as JsonSchema, this.parameters) }
    } catch (error) {
      throw new IxpError(
        'INVALID_DEFINITION',
        `Invalid intent '${shorten(raw.name)}': parameters is not a usable JSON Schema (${(error as Error).message})`,
        {
          cause: error,
          details: { issues: [{ path: 'parameters', message: 'is not a usable JSON Schema' }] },
        },
      )
    }
  }

  /** Runs the `registerComponent` waterfall over a checked definition and fills reference defaults. */
  #decorateComponent(raw: ComponentDefinition): RenderComponent {
    const definition = withComponentDefaults(this.hooks.registerComponent.call({ ...raw }))
    this.#checkDecorated('component', raw.name, definition, checkComponent(definition, this.rules))
    return { definition, description: publicDescription(definition) }
  }

  #checkDecorated(
    kind: Kind,
    name: string,
    decorated: { name?: unknown } | undefined,
    issues: DefinitionIssue[],
  ): void {
    if (issues.length > 0) throw definitionError(kind, issues)
    if (decorated?.name !== name) {
      throw definitionError(kind, [
        {
          path: 'name',
          message: `must not be changed by a register${kind === 'intent' ? 'Intent' : 'Component'} tap`,
        },
      ])
    }
  }
}
