/** The shapes the hook interpreter shares with tapable: taps, interceptors and what `compile` receives. */

export type Fn = (...args: any[]) => any
export type CallType = 'sync' | 'async' | 'promise'

export interface FullTap {
  name: string
  type: CallType
  fn: Fn
  context?: boolean
}

export interface Interceptor {
  context?: boolean
  call?: Fn
  tap?: Fn
  loop?: Fn
  error?: Fn
  result?: Fn
  done?: Fn
}

/** What tapable hands to a hook's `compile`. */
export interface CompileOptions {
  taps: FullTap[]
  interceptors: Interceptor[]
  args: readonly string[]
  type: CallType
}

/** How a hook class runs its taps: the `content` of its tapable code factory. */
export type Flow = 'series' | 'bail' | 'waterfall' | 'loop' | 'parallel' | 'parallelBail'

/** The hook a caller belongs to: its live `taps` are read at each call, like the generated code does. */
export interface TapSource {
  taps: FullTap[]
}

/** What is fixed when tapable would compile: the taps, their functions and the interceptors. */
export interface Plan {
  hook: TapSource
  flow: Flow
  taps: FullTap[]
  fns: Fn[]
  interceptors: Interceptor[]
  arity: number
  needContext: boolean
  /** Index of the first tap that is not sync, -1 if none: sync taps before it may throw straight through. */
  firstAsync: number
}
