/**
 * The remote intents and components registered in the gateway's engine, by owner. A service's lists are
 * synchronised into the engine (new names registered, changed ones replaced, vanished ones unregistered);
 * a name another owner has (the engine itself or another service) is a clash.
 */
// Services list remote components, which the gateway registers as they are: with their checks.
import '@ixp/core/remote'
import type {
  ComponentDefinition,
  Engine,
  IntentDefinition,
  IntentKind,
  IxpContext,
  RenderNode,
} from '@ixp/core'
import { federationError } from './errors.js'
import type { RemoteService, ServiceLists } from './remote-service.js'

/** Where a gateway intent is served. */
export interface RemoteIntent {
  service: RemoteService
  /** The intent's name at the service (without the gateway's prefix). */
  remoteName: string
  kind: IntentKind
}

interface Owned {
  service: RemoteService
  json: string
  unregister: () => void
}

/** Keys of a listed definition that are the gateway's business, not copied from the service. */
const DROPPED_KEYS = new Set(['handler', 'render', 'type'])

function copyDefinition(listed: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(listed)) if (!DROPPED_KEYS.has(key)) copy[key] = value
  return copy
}

export function kindOf(listed: Record<string, unknown>): IntentKind {
  return listed.kind === 'command' ? 'command' : 'query'
}

export class RemoteCatalog {
  readonly #engine: Engine
  readonly #mapIntent: ((definition: IntentDefinition, service: string) => IntentDefinition) | undefined
  readonly #intents = new Map<string, Owned & RemoteIntent>()
  readonly #components = new Map<string, Owned>()

  constructor(
    engine: Engine,
    mapIntent?: (definition: IntentDefinition, service: string) => IntentDefinition,
  ) {
    this.#engine = engine
    this.#mapIntent = mapIntent
  }

  /** The remote intent behind a gateway intent name, if it is one. */
  intent(name: string): RemoteIntent | undefined {
    return this.#intents.get(name)
  }

  /** The gateway name of a service's intent, if registered. */
  localName(service: RemoteService, remoteName: string): string | undefined {
    const name = service.settings.prefix + remoteName
    return this.#intents.get(name)?.service === service ? name : undefined
  }

  /**
   * Brings the engine in line with a service's lists. `strict` (start-up): a clash throws
   * `FEDERATION_NAME_CLASH`; otherwise (a refresh) the clashing name is left out and reported in health.
   */
  sync(service: RemoteService, lists: ServiceLists, strict: boolean): void {
    const problems: string[] = []
    const refuse = (kind: string, name: string, owner: string) => {
      const clash = federationError(
        'FEDERATION_NAME_CLASH',
        { kind, name, service: service.name, owner },
        { details: { service: service.name, kind, name, owner } },
      )
      if (strict) throw clash
      problems.push(clash.message)
    }
    const prefix = service.settings.prefix
    const components = new Map<string, ComponentDefinition>()
    for (const listed of lists.components) {
      if (typeof listed.name !== 'string') continue
      const definition = copyDefinition(listed)
      definition.name = prefix + listed.name
      if (typeof listed.remoteUrl !== 'string') {
        // Rendered by the service: the gateway never runs it (its renders are forwarded before the handler).
        definition.render = renderedBy(service.name)
      }
      components.set(definition.name as string, definition as unknown as ComponentDefinition)
    }
    const intents = new Map<string, IntentDefinition>()
    for (const listed of lists.intents) {
      if (typeof listed.name !== 'string' || typeof listed.component !== 'string') continue
      let definition = copyDefinition(listed) as IntentDefinition
      definition.name = prefix + listed.name
      definition.component = prefix + listed.component
      definition.kind = kindOf(listed)
      // Commands change state: a cached answer would skip the change.
      if (definition.kind === 'command') definition.cache = false
      if (this.#mapIntent) definition = this.#mapIntent(definition, service.name)
      intents.set(definition.name, definition)
    }
    // Components first (intents name them); vanished intents go before their components.
    this.#apply(this.#components, service, components, refuse, problems, 'component', (definition, replace) =>
      this.#engine.registerComponent(definition, { replace }),
    )
    this.#apply(this.#intents, service, intents, refuse, problems, 'intent', (definition, replace) =>
      this.#engine.registerIntent(definition, { replace }),
    )
    service.problems = problems
  }

  #apply<D extends { name: string }>(
    owned: Map<string, Owned> | Map<string, Owned & RemoteIntent>,
    service: RemoteService,
    wanted: Map<string, D>,
    refuse: (kind: string, name: string, owner: string) => void,
    problems: string[],
    kind: 'intent' | 'component',
    register: (definition: D, replace: boolean) => () => void,
  ): void {
    const registry = kind === 'intent' ? this.#engine.intents : this.#engine.components
    for (const [name, entry] of owned) {
      if (entry.service === service && !wanted.has(name)) {
        entry.unregister()
        owned.delete(name)
      }
    }
    for (const [name, definition] of wanted) {
      const mine = owned.get(name)
      if (mine !== undefined && mine.service !== service) {
        refuse(kind, name, `service '${mine.service.name}'`)
        continue
      }
      if (mine === undefined && registry.has(name)) {
        refuse(kind, name, 'an intent or component of this engine')
        continue
      }
      const json = JSON.stringify(definition)
      if (mine?.json === json) continue
      let unregister: () => void
      try {
        unregister = register(definition, mine !== undefined)
      } catch (error) {
        // A definition the gateway's engine refuses (its own rules, a plugin's registration tap) is left out;
        // the service's other definitions still count.
        problems.push(
          `${kind} '${name}' of service '${service.name}' was refused: ${(error as Error).message}`,
        )
        continue
      }
      const remoteName = name.slice(service.settings.prefix.length)
      const entryKind = kindOf(definition as unknown as Record<string, unknown>)
      ;(owned as Map<string, Owned & RemoteIntent>).set(name, {
        service,
        json,
        unregister,
        remoteName,
        kind: entryKind,
      })
    }
  }

  /** Unregisters everything a service (or, without one, every service) registered. */
  clear(service?: RemoteService): void {
    for (const map of [this.#intents, this.#components] as Map<string, Owned>[]) {
      for (const [name, owned] of map) {
        if (service !== undefined && owned.service !== service) continue
        owned.unregister()
        map.delete(name)
      }
    }
  }
}

/** The render function of a component rendered by a service: reached only by a local intent naming it. */
function renderedBy(service: string) {
  return (_props: Record<string, unknown>, _ctx: IxpContext): RenderNode => {
    throw federationError('FEDERATION_REMOTE_COMPONENT', { service }, { details: { service } })
  }
}
