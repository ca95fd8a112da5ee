/**
 * `@ixp/core/portable-hooks`: the hook interpreter, for runtimes that forbid code generation from strings
 * (Cloudflare workerd, Vercel Edge, pages whose Content-Security-Policy has no `'unsafe-eval'`, Node with
 * `--disallow-code-generation-from-strings`). Importing this module installs it: engines created afterwards
 * run their hooks (and extension hooks) without `new Function` wherever `new Function` fails, or always with
 * `hooks: { codeGeneration: 'off' }`. Edge bundlers resolving the `workerd`, `worker` or `edge-light` export
 * condition load it with `@ixp/core` itself.
 *
 * This module's purpose is that side effect: the package's `sideEffects` field lists it so bundlers keep it.
 */
import { compile } from '../hooks/interpreter/compile.js'
import { installHookInterpreter } from '../hooks/portable.js'

/** Installs the hook interpreter (what importing this module already did); safe to call many times. */
export function installPortableHooks(): void {
  installHookInterpreter(compile)
}

installPortableHooks()
