/**
 * Portable tapable hooks. tapable builds every hook's `call` / `callAsync` / `promise` with `new Function`,
 * which edge runtimes (Cloudflare workerd, Vercel Edge) forbid. `makePortable` swaps a hook *instance's*
 * `compile` for an interpreter that builds the same callers without code generation, so the whole tapable
 * API (tap, intercept, stage, before, context) keeps working there.
 *
 * The interpreter (`./interpreter/`) is not part of the root entry: runtimes where `new Function` works never
 * need it. `@ixp/core/portable-hooks` installs it (edge bundlers get it through the `workerd`, `worker` and
 * `edge-light` export conditions); until then a runtime without code generation is refused with a message
 * that says which import to add. It follows tapable 2.3's HookCodeFactory step by step, quirks included;
 * randomized differential tests compare it with the compiled hooks.
 */
// Named imports: tapable sets `__esModule` without a default export, so a default import is `undefined`
// under bundlers that honour that flag outside Node's interop mode; named imports work everywhere.
import {
  AsyncParallelBailHook,
  AsyncParallelHook,
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesLoopHook,
  AsyncSeriesWaterfallHook,
  SyncBailHook,
  SyncHook,
  SyncLoopHook,
  SyncWaterfallHook,
} from 'tapable'
import { IxpError } from '../errors.js'
import type { CompileOptions, Flow, Fn, FullTap } from './interpreter/types.js'

/** `'auto'`: use tapable's compiled callers where `new Function` works, else interpret. `'off'`: always interpret. */
export type CodeGeneration = 'auto' | 'off'

/** Any tapable hook. */
export interface PortableHook {
  taps: unknown[]
  interceptors: unknown[]
}

/** The parts of a hook instance that tapable keeps public at runtime but leaves out of its typings. */
interface HookInternals {
  constructor: unknown
  taps: FullTap[]
  compile(options: CompileOptions): Fn
}

// tapable sets `hook.constructor` to the factory that built it; comparing identities survives minifiers,
// which rename classes.
const flows = new Map<unknown, Flow>([
  [SyncHook, 'series'],
  [AsyncSeriesHook, 'series'],
  [SyncBailHook, 'bail'],
  [AsyncSeriesBailHook, 'bail'],
  [SyncWaterfallHook, 'waterfall'],
  [AsyncSeriesWaterfallHook, 'waterfall'],
  [SyncLoopHook, 'loop'],
  [AsyncSeriesLoopHook, 'loop'],
  [AsyncParallelHook, 'parallel'],
  [AsyncParallelBailHook, 'parallelBail'],
])

/** Builds a hook's callers without code generation (`@ixp/core/portable-hooks` installs one). */
export type HookInterpreter = (hook: { taps: FullTap[] }, flow: Flow, options: CompileOptions) => Fn

let interpreter: HookInterpreter | undefined

/** Installs the interpreter portable hooks use; the first one installed stays (installing is idempotent). */
export function installHookInterpreter(compile: HookInterpreter): void {
  interpreter ??= compile
}

let codeGenerationWorks: boolean | undefined

/** Whether `new Function` works here; probed once, since the answer cannot change within a process. */
export function canGenerateCode(): boolean {
  if (codeGenerationWorks === undefined) {
    try {
      codeGenerationWorks = new Function('return true')() === true
    } catch {
      codeGenerationWorks = false
    }
  }
  return codeGenerationWorks
}

/**
 * Makes `hook` run without code generation: with `'off'` always, with `'auto'` only where `new Function`
 * throws (so tapable's faster compiled callers stay in use wherever they work). Throws for a hook that is
 * not one of tapable's ten hook classes (from the same tapable copy), whatever the mode, so an unsupported
 * hook fails on every runtime rather than only on the edge.
 */
export function makePortable(hook: PortableHook, mode: CodeGeneration): void {
  const internals = hook as unknown as HookInternals
  const flow = flows.get(internals.constructor)
  if (flow === undefined) {
    throw new IxpError(
      'INTERNAL_ERROR',
      "makePortable() needs a hook created by one of tapable's hook classes (SyncHook … AsyncParallelBailHook) " +
        'from the tapable copy @ixp/core uses; got ' +
        describe(internals.constructor),
      { expose: false },
    )
  }
  if (mode !== 'auto' && mode !== 'off') {
    throw new IxpError('INVALID_OPTIONS', `hooks.codeGeneration must be 'auto' or 'off', got ${String(mode)}`)
  }
  if (mode === 'auto' && canGenerateCode()) return
  const compile = interpreter
  if (compile === undefined) {
    // Edge bundlers resolving the 'workerd', 'worker' or 'edge-light' condition load it with @ixp/core.
    throw new IxpError(
      'INVALID_OPTIONS',
      `${mode === 'off' ? "hooks.codeGeneration: 'off' needs" : 'new Function is forbidden here, so tapable hooks need'} the hook interpreter: import '@ixp/core/portable-hooks' before createEngine()`,
    )
  }
  internals.compile = (options) => compile(internals, flow, options)
}

function describe(constructor: unknown): string {
  return typeof constructor === 'function' && constructor.name ? constructor.name : typeof constructor
}

/** Whether `value` is a hook of one of tapable's ten classes from the tapable copy the core uses. */
export function isTapableHook(value: unknown): value is PortableHook {
  return typeof value === 'object' && value !== null && flows.has((value as HookInternals).constructor)
}
