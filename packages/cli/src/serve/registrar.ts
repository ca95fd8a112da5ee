/**
 * Registers definitions into a running engine and keeps track of which source (a JSON file, or the config)
 * owns each name, so that a changed file can be swapped in place: new and changed definitions are registered
 * with `replace`, vanished ones unregistered, and a swap that fails half-way is rolled back.
 */
// Configurations may declare remote components: the CLI serves them with their checks.
import '@ixp/core/remote'
import { coreError, isIxpError } from '@ixp/core'
import type { ComponentDefinition, Engine, IntentDefinition } from '@ixp/core'
import { displayPath, type DefinitionKind } from '../config/json-file.js'
import { definedTwice } from '../errors.js'

type Definition = IntentDefinition | ComponentDefinition

interface Owned {
  owner: string
  definition: Definition
  unregister: () => void
}

/** What a swap changed, by name. */
export interface SwapSummary {
  added: string[]
  replaced: string[]
  removed: string[]
}

/** The owner label of inline definitions from the config. */
export const CONFIG_OWNER = 'config'

function sameDefinition(a: Definition, b: Definition): boolean {
  // Functions (handlers, render) never come from JSON files, so comparing the JSON form is exact for them.
  return JSON.stringify(a) === JSON.stringify(b)
}

function prefixIssues(error: unknown, prefix: string, owner: string): unknown {
  if (!isIxpError(error) || error.code !== 'INVALID_DEFINITION') return error
  const issues = ((error.details?.issues as { path: string; message: string }[] | undefined) ?? []).map(
    (issue) => ({
      path: issue.path ? `${prefix}.${issue.path}` : prefix,
      message: issue.message,
    }),
  )
  return coreError(
    'INVALID_DEFINITION',
    { reason: `${owner}: ${prefix} is invalid` },
    { details: { issues }, cause: error },
  )
}

export class DefinitionRegistrar {
  readonly #engine: Engine
  readonly #cwd: string
  readonly #owned: Record<DefinitionKind, Map<string, Owned>> = { intents: new Map(), components: new Map() }

  constructor(engine: Engine, cwd = process.cwd()) {
    this.#engine = engine
    this.#cwd = cwd
  }

  #label(owner: string): string {
    return owner === CONFIG_OWNER ? 'the config' : displayPath(owner, this.#cwd)
  }

  #register(kind: DefinitionKind, definition: Definition, replace: boolean): () => void {
    return kind === 'intents'
      ? this.#engine.registerIntent(definition as IntentDefinition, { replace })
      : this.#engine.registerComponent(definition as ComponentDefinition, { replace })
  }

  #registry(kind: DefinitionKind) {
    return kind === 'intents' ? this.#engine.intents : this.#engine.components
  }

  /** Names currently owned by a source. */
  namesOf(kind: DefinitionKind, owner: string): string[] {
    return [...this.#owned[kind]].filter(([, entry]) => entry.owner === owner).map(([name]) => name)
  }

  /**
   * Registers a source's definitions for the first time. Errors name the source and, for inline definitions,
   * the path in the config (`intents.2.parameters.type`; `offset` is the index of the first definition there).
   */
  add(kind: DefinitionKind, owner: string, definitions: Definition[], offset = 0): void {
    definitions.forEach((definition, index) => {
      const existing = this.#owned[kind].get(definition.name)
      if (existing) {
        throw definedTwice(
          `${this.#label(owner)} defines ${kind === 'intents' ? 'intent' : 'component'} '${definition.name}', already defined by ${this.#label(existing.owner)}`,
          { kind, name: definition.name },
        )
      }
      let unregister: () => void
      try {
        unregister = this.#register(kind, definition, false)
      } catch (error) {
        throw owner === CONFIG_OWNER
          ? prefixIssues(error, `${kind}.${offset + index}`, this.#label(owner))
          : error
      }
      this.#owned[kind].set(definition.name, { owner, definition, unregister })
    })
  }

  /**
   * Replaces everything a source defined by `definitions`. Nothing changes when a name belongs to another
   * source; when the engine refuses a definition, the swap is undone and the error re-thrown.
   */
  swap(kind: DefinitionKind, owner: string, definitions: Definition[]): SwapSummary {
    const owned = this.#owned[kind]
    for (const definition of definitions) {
      const existing = owned.get(definition.name)
      const taken = existing ? existing.owner !== owner : this.#registry(kind).has(definition.name)
      if (taken) {
        throw definedTwice(
          `${this.#label(owner)} defines ${kind === 'intents' ? 'intent' : 'component'} '${definition.name}', already defined by ${existing ? this.#label(existing.owner) : 'a plugin'}`,
          { kind, name: definition.name },
        )
      }
    }
    const summary: SwapSummary = { added: [], replaced: [], removed: [] }
    const undo: (() => void)[] = []
    try {
      for (const definition of definitions) {
        const previous = owned.get(definition.name)
        if (previous && sameDefinition(previous.definition, definition)) continue
        const unregister = this.#register(kind, definition, previous !== undefined)
        owned.set(definition.name, { owner, definition, unregister })
        if (previous) {
          summary.replaced.push(definition.name)
          undo.push(() =>
            owned.set(definition.name, {
              ...previous,
              unregister: this.#register(kind, previous.definition, true),
            }),
          )
        } else {
          summary.added.push(definition.name)
          undo.push(() => {
            unregister()
            owned.delete(definition.name)
          })
        }
      }
    } catch (error) {
      for (const step of undo.reverse()) step()
      throw error
    }
    const keep = new Set(definitions.map((definition) => definition.name))
    for (const name of this.namesOf(kind, owner)) {
      if (keep.has(name)) continue
      owned.get(name)!.unregister()
      owned.delete(name)
      summary.removed.push(name)
    }
    return summary
  }
}
