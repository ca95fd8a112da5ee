/**
 * One call of an interpreted hook: the body tapable 2.3's HookCodeFactory would have generated for it, step
 * by step, quirks included (when interceptors run, which errors reach `interceptor.error`, how a promise
 * caller defers synchronous errors). @internal
 */
import type { CallType, Fn, FullTap, Plan } from './types.js'

/** `fn(...args)`, without the cost of a spread for the usual few arguments. */
export function invoke(fn: Fn, args: unknown[]): any {
  switch (args.length) {
    case 0:
      return fn()
    case 1:
      return fn(args[0])
    case 2:
      return fn(args[0], args[1])
    case 3:
      return fn(args[0], args[1], args[2])
    default:
      return fn(...args)
  }
}

/** Returned by a tap's settlement in a series: go on with the next tap (anything else ends the series). */
const CONTINUE = Symbol('continue')

/** One pass of a loop hook; callbacks of the pass share it, like the generated `_loop` / `_loopAsync`. */
interface Pass {
  again: boolean
  /** The pass returned: a value arriving now restarts the loop with a new pass. */
  async: boolean
}

const NO_SLOTS: never[] = []

/** One slot per tap of a parallel bail hook. */
type BailSlot = { result: unknown; error?: undefined } | { result?: undefined; error: unknown }

/** A promise tap rejected with a falsy value: tapable builds a new Error for it at every place it is used. */
class FalsyRejection {
  constructor(readonly value: unknown) {}
}

function reason(err: unknown): unknown {
  return err instanceof FalsyRejection
    ? new Error('Tap function (tapPromise) rejects "' + (err.value as string) + '" value')
    : err
}

/**
 * One call of a hook: the body tapable would have generated. Sync taps run in a plain loop; only async and
 * promise taps get a continuation, so a call allocates little more than this object.
 */
export class HookCall {
  // Fields are assigned in the constructor only (no initializers): one hidden class, cheap to create.
  declare readonly plan: Plan
  declare readonly args: unknown[]
  declare readonly type: CallType
  declare readonly context: object | undefined
  /** Read at call start, like the generated code's `var _taps = this.taps`. */
  declare readonly currentTaps: FullTap[]
  declare callback: Fn | undefined
  declare resolve: ((value: unknown) => void) | undefined
  declare reject: ((reason: unknown) => void) | undefined
  /** The promise executor is still running: errors must reject a tick later, like tapable's `_sync`. */
  declare executing: boolean
  /** Parallel hooks: taps still to finish; 0 once the call is decided. */
  declare counter: number
  /** Parallel bail hooks: a slot per tap. */
  declare results: (BailSlot | undefined)[]

  constructor(plan: Plan, args: unknown[], type: CallType) {
    this.plan = plan
    this.args = args
    this.type = type
    this.context = plan.needContext ? {} : undefined
    this.currentTaps = plan.hook.taps
    this.callback = undefined
    this.resolve = undefined
    this.reject = undefined
    this.executing = false
    this.counter = 0
    this.results = NO_SLOTS
  }

  run(): unknown {
    const { interceptors, flow, taps } = this.plan
    for (let i = 0; i < interceptors.length; i++) {
      const interceptor = interceptors[i]!
      if (interceptor.call) {
        if (interceptor.context) interceptor.call(this.context, ...this.args)
        else interceptor.call(...this.args)
      }
    }
    const count = taps.length
    if (flow === 'loop') {
      if (count === 0) return this.finish()
      this.loop()
      return undefined
    }
    if (flow === 'parallelBail') this.results = new Array(count)
    if ((flow === 'parallel' || flow === 'parallelBail') && count > 1) {
      this.counter = count
      for (let i = 0; i < count; i++) {
        if (this.counter <= 0) break
        if (flow === 'parallelBail' && i > 0 && i >= this.results.length) this.done()
        else this.callTap(i, this.type === 'sync', undefined, true)
      }
      return undefined
    }
    return this.series(0, undefined)
  }

  /** Runs the taps from `from` on, in order, until one ends the series or waits for a callback. */
  series(from: number, pass: Pass | undefined): unknown {
    const { taps, firstAsync, flow } = this.plan
    for (let i = from; i < taps.length; i++) {
      // Sync taps before the first async one may throw straight through a sync caller (loops: only if all sync).
      const rethrow = this.type === 'sync' && (firstAsync < 0 || (flow !== 'loop' && i < firstAsync))
      const step = this.callTap(i, rethrow, pass, false)
      if (taps[i]!.type !== 'sync' || step !== CONTINUE) return step
    }
    return this.allDone(pass)
  }

  loop(): void {
    const pass: Pass = { again: false, async: false }
    do {
      pass.again = false
      for (const interceptor of this.plan.interceptors) {
        if (interceptor.loop) {
          if (interceptor.context) interceptor.loop(this.context, ...this.args)
          else interceptor.loop(...this.args)
        }
      }
      this.series(0, pass)
    } while (pass.again)
    pass.async = true
  }

  /**
   * Runs tap `index`. A sync tap's settlement is returned; async and promise taps settle later, and in a
   * series their continuation resumes it at the next tap.
   */
  callTap(index: number, rethrow: boolean, pass: Pass | undefined, parallel: boolean): unknown {
    let tapInfo: unknown
    const { interceptors } = this.plan
    for (let i = 0; i < interceptors.length; i++) {
      const interceptor = interceptors[i]!
      if (interceptor.tap) {
        if (tapInfo === undefined) tapInfo = this.currentTaps[index]
        if (interceptor.context) interceptor.tap(this.context, tapInfo)
        else interceptor.tap(tapInfo)
      }
    }
    const fn = this.plan.fns[index]!
    const tap = this.plan.taps[index]!
    const args = tap.context ? [this.context, ...this.args] : this.args
    switch (tap.type) {
      case 'sync': {
        let result: unknown
        if (rethrow) {
          result = invoke(fn, args)
        } else {
          try {
            result = invoke(fn, args)
          } catch (err) {
            return this.settle(index, true, err, pass, parallel)
          }
        }
        return this.settle(index, false, result, pass, parallel)
      }
      case 'async':
        fn(...args, (err: unknown, result?: unknown) => {
          const step = err
            ? this.settle(index, true, err, pass, parallel)
            : this.settle(index, false, result, pass, parallel)
          if (!parallel && step === CONTINUE) this.series(index + 1, pass)
        })
        return undefined
      case 'promise': {
        let hasResult = false
        // Not guarded, like tapable: a synchronous throw or a non-promise escapes to whoever runs this tap.
        const promise = invoke(fn, args)
        if (!promise || !promise.then) {
          throw new Error('Tap function (tapPromise) did not return promise (returned ' + promise + ')')
        }
        promise.then(
          (result: unknown) => {
            hasResult = true
            const step = this.settle(index, false, result, pass, parallel)
            if (!parallel && step === CONTINUE) this.series(index + 1, pass)
          },
          (err: unknown) => {
            if (hasResult) throw err
            const step = this.settle(index, true, err ? err : new FalsyRejection(err), pass, parallel)
            if (!parallel && step === CONTINUE) this.series(index + 1, pass)
          },
        )
        return undefined
      }
    }
  }

  /** What a tap's error or value means for the hook's flow: tapable's per-hook `onError` / `onResult`. */
  settle(index: number, failed: boolean, value: unknown, pass: Pass | undefined, parallel: boolean): unknown {
    const { flow } = this.plan
    if (parallel) {
      // Errors and bail values count only while the call is undecided; plain completions always count down.
      if (failed) {
        if (this.counter <= 0) return undefined
        if (flow === 'parallelBail') return this.fillSlot(index, { error: reason(value) }, true, true)
        this.fail(value)
        this.counter = 0
        return undefined
      }
      if (flow === 'parallelBail') {
        return this.counter > 0
          ? this.fillSlot(index, { result: value }, value !== undefined, true)
          : undefined
      }
      return this.done()
    }
    if (failed) {
      return flow === 'parallelBail'
        ? this.fillSlot(index, { error: reason(value) }, true, false)
        : this.fail(value)
    }
    switch (flow) {
      case 'bail':
        return value !== undefined ? this.succeed(value) : CONTINUE
      case 'waterfall':
        if (value !== undefined) this.args[0] = value
        return CONTINUE
      case 'loop':
        if (value === undefined) return CONTINUE
        pass!.again = true
        if (pass!.async) this.loop()
        return undefined
      case 'parallelBail':
        return this.fillSlot(index, { result: value }, value !== undefined, false)
      default:
        return CONTINUE
    }
  }

  /** Parallel bail: the first settled slot in tap order holding a value or an error decides the call. */
  fillSlot(index: number, slot: BailSlot, decisive: boolean, parallel: boolean): unknown {
    const { results } = this
    if (index < results.length) {
      if (decisive) results.length = index + 1
      results[index] = slot
      if (this.checkSlots()) {
        if (parallel) this.counter = 0
        return undefined
      }
    }
    return parallel ? this.done() : CONTINUE
  }

  checkSlots(): boolean {
    const { results } = this
    for (let i = 0; i < results.length; i++) {
      const slot = results[i]
      if (slot === undefined) return false
      if (slot.result !== undefined) {
        this.succeed(slot.result)
        return true
      }
      if (slot.error) {
        this.fail(slot.error)
        return true
      }
    }
    return false
  }

  done(): undefined {
    if (--this.counter === 0) this.finish()
    return undefined
  }

  allDone(pass: Pass | undefined): unknown {
    switch (this.plan.flow) {
      case 'waterfall':
        return this.succeed(this.args[0])
      case 'loop':
        return pass!.again ? undefined : this.finish()
      default:
        return this.finish()
    }
  }

  fail(err: unknown): unknown {
    for (const interceptor of this.plan.interceptors) if (interceptor.error) interceptor.error(reason(err))
    const error = reason(err)
    switch (this.type) {
      case 'sync':
        throw error
      case 'async':
        return this.callback!(error)
      case 'promise':
        if (this.executing) {
          this.resolve!(
            Promise.resolve().then(() => {
              throw error
            }),
          )
        } else {
          this.reject!(error)
        }
        return undefined
    }
  }

  succeed(value: unknown): unknown {
    const { interceptors } = this.plan
    for (let i = 0; i < interceptors.length; i++) {
      const interceptor = interceptors[i]!
      if (interceptor.result) interceptor.result(value)
    }
    switch (this.type) {
      case 'sync':
        return value
      case 'async':
        return this.callback!(null, value)
      case 'promise':
        return this.resolve!(value)
    }
  }

  finish(): unknown {
    const { interceptors } = this.plan
    for (let i = 0; i < interceptors.length; i++) {
      const interceptor = interceptors[i]!
      if (interceptor.done) interceptor.done()
    }
    switch (this.type) {
      case 'sync':
        return undefined
      case 'async':
        return this.callback!()
      case 'promise':
        return this.resolve!(undefined)
    }
  }
}
