/**
 * `@ixp/core/reference-files`: reads the IXP reference server's `intents.json` / `components.json` (parsed)
 * into definitions for `registerIntent` / `registerComponent`, with the reference's load-time rules (every
 * field the reference requires, `version` and `framework` included) and every problem listed with its path.
 * Apps that define intents in code never load it.
 */
import {
  checkComponent,
  checkIntent,
  definitionError,
  isRecord,
  withComponentDefaults,
  type DefinitionRules,
} from '../definitions.js'
import { installRemoteComponents } from '../remote/index.js'
import type { ComponentDefinition, IntentDefinition } from '../types.js'

// Reference files describe remote components: their checks must be installed before any is read.
installRemoteComponents()

type Fields = Record<string, unknown>

const REFERENCE_RULES: DefinitionRules = { maxNameLength: 256, reference: true }

/**
 * Reads the parsed content of a reference-format `intents.json` (`{ "intents": [ … ] }`) into definitions,
 * or throws `INVALID_DEFINITION` listing every problem with its path (`intents.2.parameters.type`).
 */
export function loadIntents(file: unknown, rules: Partial<DefinitionRules> = {}): IntentDefinition[] {
  const effective = { ...REFERENCE_RULES, ...rules }
  if (!isRecord(file) || !Array.isArray(file.intents)) {
    throw definitionError('intents file', [{ path: 'intents', message: 'must be an array of intents' }])
  }
  const intents = file.intents as unknown[]
  const issues = intents.flatMap((intent, index) => checkIntent(intent, effective, `intents.${index}`))
  const seen = new Set<string>()
  intents.forEach((intent, index) => {
    const name = (intent as Fields | null)?.name
    if (typeof name !== 'string') return
    if (seen.has(name)) issues.push({ path: `intents.${index}.name`, message: `duplicates intent '${name}'` })
    seen.add(name)
  })
  if (issues.length > 0) throw definitionError('intents file', issues)
  return intents.map((intent) => ({ ...(intent as IntentDefinition) }))
}

/**
 * Reads the parsed content of a reference-format `components.json` (`{ "components": { "Name": { … } } }`)
 * into definitions (the key is the name), or throws `INVALID_DEFINITION` listing every problem with its path.
 */
export function loadComponents(file: unknown, rules: Partial<DefinitionRules> = {}): ComponentDefinition[] {
  const effective = { ...REFERENCE_RULES, ...rules }
  if (!isRecord(file) || !isRecord(file.components)) {
    throw definitionError('components file', [
      { path: 'components', message: 'must be an object keyed by component name' },
    ])
  }
  const entries = Object.entries(file.components).map(([name, definition]) =>
    isRecord(definition) ? ({ ...definition, name } as Fields) : definition,
  )
  const names = Object.keys(file.components)
  const issues = entries.flatMap((definition, index) =>
    checkComponent(definition, effective, `components.${names[index]}`),
  )
  if (issues.length > 0) throw definitionError('components file', issues)
  return entries.map((definition) => withComponentDefaults(definition as ComponentDefinition))
}
