/**
 * The check of a plugin's `core` range against this `@ixp/core` (as Fastify checks a plugin's `fastify` range):
 * `@ixp/core/plugin-kit` installs it, so the root entry carries no semver parsing for apps without plugins.
 */
import { coreError } from '../errors.js'
import { parseRange, satisfies } from '../plugin-host/semver-range.js'
import type { IxpPlugin } from '../plugins.js'
import { VERSION } from '../version.js'

/** Refuses a range it cannot read (`PLUGIN_INVALID`) or one without this core (`PLUGIN_VERSION_MISMATCH`). */
export function checkCoreRange(plugin: IxpPlugin & { core: string }): void {
  const range = parseRange(plugin.core)
  if (range === undefined) {
    throw coreError('PLUGIN_INVALID', {
      reason: `Plugin '${plugin.name}': core must be a semver range such as '^0.1.0', got ${JSON.stringify(plugin.core)}`,
    })
  }
  if (satisfies(VERSION, range)) return
  const details = { plugin: plugin.name, range: plugin.core, core: VERSION }
  throw coreError('PLUGIN_VERSION_MISMATCH', details, { details })
}
