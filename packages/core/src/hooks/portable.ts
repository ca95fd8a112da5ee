/**
 * Portable tapable hooks. tapable builds every hook's `call` / `callAsync` / `promise` with `new Function`,
 * which edge runtimes (Cloudflare workerd, Vercel Edge) forbid. `makePortable` swaps a hook *instance's*
 * `compile` for an interpreter that builds the same callers from closures, so the whole tapable API (tap,
 * intercept, stage, before, context) keeps working there.
 *
 * The interpreter follows tapable 2.3's HookCodeFactory step by step (callTap, callTapsSeries,
 * callTapsLooping, callTapsParallel and each hook class's `content`), quirks included: when interceptors
 * run, which errors reach `interceptor.error`, how a promise caller defers synchronous errors. Randomized
 * differential tests compare it with the compiled hooks.
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

/** `'auto'`: use tapable's compiled callers where `new Function` works, else interpret. `'off'`: always interpret. */
export type CodeGeneration = 'auto' | 'off'

/** Any tapable hook. */
export interface PortableHook {
  taps: unknown[]
  interceptors: unknown[]
}

type Fn = (...args: any[]) => any
type CallType = 'sync' | 'async' | 'promise'

interface FullTap {
  name: string
  type: CallType
  fn: Fn
  context?: boolean
}

interface Interceptor {
  context?: boolean
  call?: Fn
  tap?: Fn
  loop?: Fn
  error?: Fn
  result?: Fn
  done?: Fn
}

interface CompileOptions {
  taps: FullTap[]
  interceptors: Interceptor[]
  args: readonly string[]
  type: CallType
}

/** The parts of a hook instance that tapable keeps public at runtime but leaves out of its typings. */
interface HookInternals {
  constructor: unknown
  taps: FullTap[]
  compile(options: CompileOptions): Fn
}

/** How a hook class runs its taps: the `content` of its tapable code factory. */
type Flow = 'series' | 'bail' | 'waterfall' | 'loop' | 'parallel' | 'parallelBail'

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
    throw new IxpError('INVALID_REQUEST', `hooks.codeGeneration must be 'auto' or 'off', got ${String(mode)}`)
  }
  if (mode === 'auto' && canGenerateCode()) return
  internals.compile = (options) => compile(internals, flow, options)
}

function describe(constructor: unknown): string {
  return typeof constructor === 'function' && constructor.name ? constructor.name : typeof constructor
}

/** What a caller does with the outcome: tapable's `onError` / `onResult` / `onDone` for one call type. */
interface Outcome {
  error(err: unknown): unknown
  result(value: unknown): unknown
  done(): unknown
}

/** Builds the caller tapable would have generated for `options.type`. */
function compile(hook: HookInternals, flow: Flow, options: CompileOptions): Fn {
  const plan: Plan = {
    hook,
    flow,
    taps: options.taps.slice(),
    fns: options.taps.map((tap) => tap.fn),
    interceptors: options.interceptors.slice(),
    arity: options.args.length,
    needContext: options.taps.some((tap) => tap.context),
    firstAsync: options.taps.findIndex((tap) => tap.type !== 'sync'),
  }
  const { arity } = plan
  switch (options.type) {
    case 'sync':
      return (...args: unknown[]) => {
        args.length = arity
        return execute(plan, args, syncOutcome, true)
      }
    case 'async':
      return (...args: unknown[]) => {
        const callback = args[arity] as Fn
        args.length = arity
        execute(
          plan,
          args,
          { error: (err) => callback(err), result: (value) => callback(null, value), done: () => callback() },
          false,
        )
      }
    case 'promise':
      return (...args: unknown[]) => {
        args.length = arity
        return new Promise((resolve, reject) => {
          let sync = true
          execute(
            plan,
            args,
            {
              // Like tapable: an error found before the executor returns rejects a tick later.
              error: (err) => {
                if (sync) {
                  resolve(
                    Promise.resolve().then(() => {
                      throw err
                    }),
                  )
                } else {
                  reject(err)
                }
              },
              result: (value) => resolve(value),
              done: () => resolve(undefined),
            },
            false,
          )
          sync = false
        })
      }
  }
}

const syncOutcome: Outcome = {
  error: (err) => {
    throw err
  },
  result: (value) => value,
  done: () => undefined,
}

/** What is fixed when tapable would compile: the taps, their functions and the interceptors. */
interface Plan {
  hook: HookInternals
  flow: Flow
  taps: FullTap[]
  fns: Fn[]
  interceptors: Interceptor[]
  arity: number
  needContext: boolean
  /** Index of the first tap that is not sync, -1 if none: sync taps before it may throw straight through. */
  firstAsync: number
}

type Next = () => unknown
type DoneBreak = (skipDone: boolean) => unknown
type OnTapError = (index: number, err: unknown, next: Next, doneBreak: DoneBreak) => unknown
type OnTapResult = (index: number, result: unknown, next: Next, doneBreak: DoneBreak) => unknown

interface TapHandlers {
  onError(err: unknown): unknown
  onResult: ((result: unknown) => unknown) | undefined
  onDone: Next | undefined
  rethrow: boolean
}

/** A promise tap rejected with a falsy value: tapable builds a new Error for it at every place it is used. */
class FalsyRejection {
  constructor(readonly value: unknown) {}
}

function reason(err: unknown): unknown {
  return err instanceof FalsyRejection
    ? new Error('Tap function (tapPromise) rejects "' + (err.value as string) + '" value')
    : err
}

/** One call of the hook: tapable's generated function body. Returns the sync caller's result. */
function execute(plan: Plan, args: unknown[], outcome: Outcome, rethrowIfPossible: boolean): unknown {
  const { taps, fns, interceptors, firstAsync } = plan
  const context = plan.needContext ? {} : undefined
  // Read at call start like the generated code's `var _taps = this.taps`.
  const currentTaps = plan.hook.taps
  const count = taps.length

  for (const interceptor of interceptors) {
    if (interceptor.call) {
      if (interceptor.context) interceptor.call(context, ...args)
      else interceptor.call(...args)
    }
  }
  const onError = (err: unknown): unknown => {
    for (const interceptor of interceptors) if (interceptor.error) interceptor.error(reason(err))
    return outcome.error(reason(err))
  }
  const onResult = (value: unknown): unknown => {
    for (const interceptor of interceptors) if (interceptor.result) interceptor.result(value)
    return outcome.result(value)
  }
  const onDone = (): unknown => {
    for (const interceptor of interceptors) if (interceptor.done) interceptor.done()
    return outcome.done()
  }

  function callTap(index: number, { onError, onResult, onDone, rethrow }: TapHandlers): unknown {
    let tapInfo: unknown
    for (const interceptor of interceptors) {
      if (interceptor.tap) {
        if (tapInfo === undefined) tapInfo = currentTaps[index]
        if (interceptor.context) interceptor.tap(context, tapInfo)
        else interceptor.tap(tapInfo)
      }
    }
    const fn = fns[index]!
    const withContext = taps[index]!.context === true
    switch (taps[index]!.type) {
      case 'sync': {
        let result: unknown
        if (rethrow) {
          result = withContext ? fn(context, ...args) : fn(...args)
        } else {
          try {
            result = withContext ? fn(context, ...args) : fn(...args)
          } catch (err) {
            return onError(err)
          }
        }
        return onResult ? onResult(result) : onDone!()
      }
      case 'async': {
        const callback = (err: unknown, result?: unknown): void => {
          if (err) onError(err)
          else if (onResult) onResult(result)
          else onDone!()
        }
        if (withContext) fn(context, ...args, callback)
        else fn(...args, callback)
        return undefined
      }
      case 'promise': {
        let hasResult = false
        // Not guarded, like tapable: a synchronous throw or a non-promise escapes to whoever runs this tap.
        const promise = withContext ? fn(context, ...args) : fn(...args)
        if (!promise || !promise.then) {
          throw new Error('Tap function (tapPromise) did not return promise (returned ' + promise + ')')
        }
        promise.then(
          (result: unknown) => {
            hasResult = true
            if (onResult) onResult(result)
            else onDone!()
          },
          (err: unknown) => {
            if (hasResult) throw err
            onError(err ? err : new FalsyRejection(err))
          },
        )
        return undefined
      }
    }
  }

  function callTapsSeries(
    onTapError: OnTapError,
    onTapResult: OnTapResult | undefined,
    onAllDone: Next,
    rethrow: boolean,
  ): unknown {
    if (count === 0) return onAllDone()
    const doneBreak: DoneBreak = (skipDone) => (skipDone ? undefined : onAllDone())
    const step = (index: number): unknown => {
      const next = index + 1 < count ? () => step(index + 1) : onAllDone
      return callTap(index, {
        onError: (err) => onTapError(index, err, next, doneBreak),
        onResult: onTapResult && ((result) => onTapResult(index, result, next, doneBreak)),
        onDone: onTapResult ? undefined : next,
        rethrow: rethrow && (firstAsync < 0 || index < firstAsync),
      })
    }
    return step(0)
  }

  function callTapsLooping(onTapError: OnTapError, rethrow: boolean): unknown {
    if (count === 0) return onDone()
    const looper = (): void => {
      // Per pass of the looper, like the generated `_loop` / `_loopAsync` variables.
      let loopAsync = false
      let loop: boolean
      do {
        loop = false
        for (const interceptor of interceptors) {
          if (interceptor.loop) {
            if (interceptor.context) interceptor.loop(context, ...args)
            else interceptor.loop(...args)
          }
        }
        callTapsSeries(
          onTapError,
          (_index, result, next) => {
            if (result === undefined) return next()
            loop = true
            // A value that arrives after this pass returned restarts the loop from a new pass.
            if (loopAsync) looper()
            return undefined
          },
          () => (loop ? undefined : onDone()),
          rethrow && firstAsync < 0,
        )
      } while (loop)
      loopAsync = true
    }
    looper()
    return undefined
  }

  function callTapsParallel(
    onTapError: OnTapError,
    onTapResult: OnTapResult | undefined,
    rethrow: boolean,
    onTap: (index: number, run: Next, done: Next) => unknown = (_index, run) => run(),
  ): unknown {
    if (count <= 1) return callTapsSeries(onTapError, onTapResult, onDone, rethrow)
    let counter = count
    const done: Next = () => {
      if (--counter === 0) onDone()
      return undefined
    }
    const doneBreak: DoneBreak = (skipDone) => {
      counter = 0
      return skipDone ? undefined : onDone()
    }
    for (let index = 0; index < count; index++) {
      if (counter <= 0) break
      onTap(
        index,
        () =>
          callTap(index, {
            onError: (err) => (counter > 0 ? onTapError(index, err, done, doneBreak) : undefined),
            onResult:
              onTapResult &&
              ((result) => (counter > 0 ? onTapResult(index, result, done, doneBreak) : undefined)),
            onDone: onTapResult ? undefined : done,
            rethrow,
          }),
        done,
      )
    }
    return undefined
  }

  const tapError: OnTapError = (_index, err) => onError(err)
  switch (plan.flow) {
    case 'series':
      return callTapsSeries(tapError, undefined, onDone, rethrowIfPossible)
    case 'bail':
      return callTapsSeries(
        tapError,
        (_index, result, next) => (result !== undefined ? onResult(result) : next()),
        onDone,
        rethrowIfPossible,
      )
    case 'waterfall':
      return callTapsSeries(
        tapError,
        (_index, result, next) => {
          if (result !== undefined) args[0] = result
          return next()
        },
        () => onResult(args[0]),
        rethrowIfPossible,
      )
    case 'loop':
      return callTapsLooping(tapError, rethrowIfPossible)
    case 'parallel':
      return callTapsParallel(
        (_index, err, _done, doneBreak) => {
          onError(err)
          return doneBreak(true)
        },
        undefined,
        rethrowIfPossible,
      )
    case 'parallelBail': {
      // Slot per tap; the first settled slot in tap order that holds a value or an error decides.
      const results: ({ result?: unknown; error?: unknown } | undefined)[] = new Array(count)
      const checkDone = (): boolean => {
        for (let i = 0; i < results.length; i++) {
          const item = results[i]
          if (item === undefined) return false
          if (item.result !== undefined) {
            onResult(item.result)
            return true
          }
          if (item.error) {
            onError(item.error)
            return true
          }
        }
        return false
      }
      return callTapsParallel(
        (index, err, done, doneBreak) => {
          if (index < results.length) {
            results.length = index + 1
            results[index] = { error: reason(err) }
            if (checkDone()) return doneBreak(true)
          }
          return done()
        },
        (index, result, done, doneBreak) => {
          if (index < results.length) {
            if (result !== undefined) results.length = index + 1
            results[index] = { result }
            if (checkDone()) return doneBreak(true)
          }
          return done()
        },
        rethrowIfPossible,
        (index, run, done) => (index > 0 && index >= results.length ? done() : run()),
      )
    }
  }
}
