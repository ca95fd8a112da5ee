/**
 * The interpreter behind portable hooks: builds a hook's `call` / `callAsync` / `promise` the way
 * tapable 2.3's HookCodeFactory would generate them (callTap, callTapsSeries, callTapsLooping,
 * callTapsParallel and each hook class's `content`), without code generation. One call's body is
 * {@link HookCall} (`./hook-call.ts`). @internal
 */
import { HookCall } from './hook-call.js'
import type { CompileOptions, Flow, Fn, Plan, TapSource } from './types.js'

/** Builds the caller tapable would have generated for `options.type`. */
export function compile(hook: TapSource, flow: Flow, options: CompileOptions): Fn {
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
      return (...args: unknown[]) => new HookCall(plan, fit(args, arity), 'sync').run()
    case 'async':
      return (...args: unknown[]) => {
        const call = new HookCall(plan, fit(args, arity), 'async')
        call.callback = args[arity] as Fn
        call.run()
      }
    case 'promise':
      return (...args: unknown[]) => {
        const call = new HookCall(plan, fit(args, arity), 'promise')
        return new Promise((resolve, reject) => {
          call.resolve = resolve
          call.reject = reject
          call.executing = true
          call.run()
          call.executing = false
        })
      }
  }
}

/** Exactly `arity` arguments, like the generated function's named parameters (missing ones undefined). */
function fit(args: unknown[], arity: number): unknown[] {
  if (args.length === arity) return args
  if (args.length > arity) return args.slice(0, arity)
  // Not `args.length = arity`: changing an array's length makes every later call on it slow.
  const fitted = new Array<unknown>(arity)
  for (let i = 0; i < arity; i++) fitted[i] = args[i]
  return fitted
}
