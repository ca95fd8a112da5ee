/**
 * Watching other plugins' taps. A tapable `register` interceptor sees every tap of a hook — those made
 * before and after it — and may replace its function; the wrapper here tells an observer when the tap
 * starts and how it ended, for sync, callback and promise taps alike. This package's own taps are left
 * alone.
 */
import type { Span } from '@opentelemetry/api'
import { SCOPE_NAME } from './semconv.js'
import { isThenable, spanTime } from './spans.js'

/** A tap as tapable hands it to a `register` interceptor. */
export interface TapRecord {
  name: string
  type: 'sync' | 'async' | 'promise'
  fn: (...args: any[]) => any
  [key: string]: unknown
}

/** What one run of a tap reports. */
export interface TapRun {
  end(result: unknown): void
  fail(error: unknown): void
}

/** Decides per call whether to watch it (`undefined`: call the tap untouched). */
export type TapObserver = (args: unknown[], tap: TapRecord) => TapRun | undefined

interface Interceptable {
  intercept(interceptor: { name?: string; register?: (tap: TapRecord) => TapRecord }): void
}

export function isOwnTap(name: string): boolean {
  return name === SCOPE_NAME || name.startsWith(`${SCOPE_NAME}:`)
}

function wrap(tap: TapRecord, observe: TapObserver): TapRecord['fn'] {
  const fn = tap.fn
  switch (tap.type) {
    case 'sync':
      return function (this: unknown, ...args: unknown[]) {
        const run = observe(args, tap)
        if (run === undefined) return fn.apply(this, args)
        const result = callRecordingThrow(fn, this, args, run)
        run.end(result)
        return result
      }
    case 'promise':
      return function (this: unknown, ...args: unknown[]) {
        const run = observe(args, tap)
        if (run === undefined) return fn.apply(this, args)
        const result = callRecordingThrow(fn, this, args, run)
        // tapable itself rejects a tapPromise that returns no promise; pass such a value on unchanged.
        if (!isThenable(result)) {
          run.end(result)
          return result
        }
        return Promise.resolve(result).then(
          (value) => {
            run.end(value)
            return value
          },
          (error: unknown) => {
            run.fail(error)
            throw error
          },
        )
      }
    case 'async':
      return function (this: unknown, ...args: unknown[]) {
        const run = observe(args.slice(0, -1), tap)
        if (run === undefined) return fn.apply(this, args)
        const callback = args[args.length - 1] as (error?: unknown, value?: unknown) => void
        args[args.length - 1] = (error?: unknown, value?: unknown) => {
          if (error) run.fail(error)
          else run.end(value)
          callback(error, value)
        }
        return callRecordingThrow(fn, this, args, run)
      }
  }
}

/** Calls a tap's function; a synchronous throw is recorded on the run and re-thrown unchanged. */
function callRecordingThrow(fn: TapRecord['fn'], self: unknown, args: unknown[], run: TapRun): unknown {
  try {
    return fn.apply(self, args)
  } catch (error) {
    run.fail(error)
    throw error
  }
}

/** Watches every tap of `hook` that is not this package's. */
export function observeTaps(hook: unknown, purpose: string, observe: TapObserver): void {
  ;(hook as Interceptable).intercept({
    name: `${SCOPE_NAME}:${purpose}`,
    register: (tap) => (isOwnTap(tap.name) ? tap : Object.assign({}, tap, { fn: wrap(tap, observe) })),
  })
}

/** A {@link TapRun} that ends a span. */
export function spanRun(span: Span, fail: (span: Span, error: unknown) => void): TapRun {
  return {
    end: () => span.end(spanTime()),
    fail: (error) => {
      fail(span, error)
      span.end(spanTime())
    },
  }
}
