/**
 * `@ixp/core` for edge runtimes: the root entry plus the hook interpreter (what `@ixp/core/portable-hooks`
 * installs), which runtimes without code generation from strings need. Bundlers resolving the `workerd`,
 * `worker` or `edge-light` export condition load this file for `@ixp/core`; its public API is the root
 * entry's. The package's `sideEffects` field lists it so bundlers keep the installation below.
 */
import { compile } from './hooks/interpreter/compile.js'
import { installHookInterpreter } from './hooks/portable.js'

installHookInterpreter(compile)

export * from './index.js'
