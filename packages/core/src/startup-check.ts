/**
 * What `engine.ready()` checks before the engine serves: every intent's component is registered. An intent whose
 * component is missing would otherwise only fail at its first render, in production, with a 404.
 */
import { IxpError } from './errors.js'
import { didYouMean } from './suggest.js'
import type { Logger } from './logger.js'
import type { IntentDefinition } from './types.js'

/**
 * Names every intent whose component is not registered (with the nearest registered name): throws
 * `INVALID_DEFINITION` (`mode` 'error'), or logs a warning (`mode` 'warn').
 */
export function assertComponentsRegistered(
  intents: readonly IntentDefinition[],
  components: { has(name: string): boolean; list(): readonly { name: string }[] },
  mode: 'error' | 'warn',
  logger: Logger,
): void {
  const missing = intents.filter((intent) => !components.has(intent.component))
  if (missing.length === 0) return
  const registered = components.list().map((component) => component.name)
  const lines = missing
    .slice(0, 10)
    .map(
      (intent) =>
        `intent '${intent.name}' renders component '${intent.component}', which is not registered${didYouMean(intent.component, registered)}`,
    )
  const more = missing.length > 10 ? ` (and ${missing.length - 10} more)` : ''
  if (mode === 'warn') {
    try {
      logger.warn(`${lines.join('; ')}${more}; rendering them fails with COMPONENT_NOT_FOUND`)
    } catch {
      // A logger that throws must not keep the engine from starting.
    }
    return
  }
  throw new IxpError(
    'INVALID_DEFINITION',
    `${lines.join('; ')}${more}. Register the component with engine.registerComponent() before ready(), or fix the intent's 'component'`,
    {
      details: {
        issues: missing.map((intent) => ({
          path: 'component',
          intent: intent.name,
          message: `component '${intent.component}' is not registered`,
        })),
      },
    },
  )
}
