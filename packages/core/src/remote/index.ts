/**
 * `@ixp/core/remote`: remote components — definitions without a render function, rendered by the client from
 * their `remoteUrl` — with the checks they need (module URL and export, framework, props schema, performance
 * fields, security policy and CSP) and the IXP reference's default security policy. Importing this module
 * installs them for every engine; until then `registerComponent` refuses a remote component (naming this
 * import) rather than registering it unchecked. Apps that render server components only never load it.
 *
 * This module's purpose is that side effect: the package's `sideEffects` field lists it so bundlers keep it.
 */
import { installRemoteChecks } from '../definitions.js'
import { checkRemote, withRemoteDefaults } from './checks.js'

export { DEFAULT_SECURITY_POLICY } from './checks.js'

/** Installs the remote-component checks (what importing this module already did); safe to call many times. */
export function installRemoteComponents(): void {
  installRemoteChecks({ check: checkRemote, withDefaults: withRemoteDefaults })
}

installRemoteComponents()
