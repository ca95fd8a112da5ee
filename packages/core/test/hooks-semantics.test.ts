/**
 * tapable's semantics, spelled out one by one, for compiled hooks and for portable (interpreted) hooks alike:
 * the interpreter must not merely agree with tapable, both must do what these tests say.
 */
import tapable from 'tapable'
import { describe, expect, it } from 'vitest'
import { IxpError } from '../src/errors.js'
import { canGenerateCode, makePortable, type PortableHook } from '../src/hooks/portable.js'
import { removeTap } from '../src/hooks/remove-tap.js'
import '../src/portable-hooks/index.js'

const {
  SyncHook,
  SyncBailHook,
  SyncWaterfallHook,
  SyncLoopHook,
  AsyncSeriesHook,
  AsyncSeriesBailHook,
  AsyncSeriesWaterfallHook,
  AsyncSeriesLoopHook,
  AsyncParallelHook,
  AsyncParallelBailHook,
} = tapable

type Mode = 'compiled' | 'interpreted'

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))
const later = <T>(value: T, turns = 1): Promise<T> =>
  new Promise((resolve) => {
    const wait = (left: number): unknown => (left === 0 ? resolve(value) : setImmediate(() => wait(left - 1)))
    wait(turns)
  })

function callAsync(hook: { callAsync: (...args: any[]) => void }, ...args: unknown[]) {
  return new Promise<{ err: unknown; result: unknown; arity: number }>((resolve) =>
    hook.callAsync(...args, (...results: unknown[]) =>
      resolve({ err: results[0], result: results[1], arity: results.length }),
    ),
  )
}

describe.each<Mode>(['compiled', 'interpreted'])('%s hooks', (mode) => {
  /** Makes the hook portable in the interpreted run; returns it for chaining. */
  function prepare<H extends object>(hook: H): H {
    if (mode === 'interpreted') makePortable(hook as unknown as PortableHook, 'off')
    return hook
  }

  describe('order', () => {
    it('runs taps in registration order, by stage, and before named taps', () => {
      const hook = prepare(new SyncHook<[string[]]>(['log']))
      hook.tap('a', (log) => void log.push('a'))
      hook.tap({ name: 'late', stage: 10 }, (log) => void log.push('late'))
      hook.tap({ name: 'early', stage: -10 }, (log) => void log.push('early'))
      hook.tap('b', (log) => void log.push('b'))
      hook.tap({ name: 'before-a', before: 'a' }, (log) => void log.push('before-a'))
      // tapable's typings allow one name only; its runtime takes a list.
      const beforeBoth = { name: 'before-both', before: ['b', 'late'] } as unknown as { name: string }
      hook.tap(beforeBoth, (log) => void log.push('before-both'))
      const log: string[] = []
      hook.call(log)
      expect(log).toEqual(['early', 'before-a', 'a', 'before-both', 'b', 'late'])
    })

    it('passes exactly the declared arguments, missing ones as undefined', () => {
      const hook = prepare(new SyncHook<[number, number]>(['a', 'b']))
      const seen: unknown[][] = []
      hook.tap('t', (...args: unknown[]) => void seen.push(args))
      ;(hook.call as (...args: unknown[]) => void)(1, 2, 3)
      ;(hook.call as (...args: unknown[]) => void)(1)
      expect(seen).toEqual([
        [1, 2],
        [1, undefined],
      ])
    })
  })

  describe('sync hooks', () => {
    it('SyncHook ignores tap return values and returns undefined', () => {
      const hook = prepare(new SyncHook<[number]>(['n']))
      hook.tap('t', (n) => n * 2)
      expect(hook.call(2)).toBeUndefined()
    })

    it('SyncBailHook stops at the first value that is not undefined (null bails)', () => {
      const hook = prepare(new SyncBailHook<[string[]], unknown>(['log']))
      hook.tap('undefined', (log) => void log.push('undefined'))
      hook.tap('null', (log) => (log.push('null'), null))
      hook.tap('never', (log) => (log.push('never'), 'x'))
      const log: string[] = []
      expect(hook.call(log)).toBeNull()
      expect(log).toEqual(['undefined', 'null'])
    })

    it('SyncBailHook returns undefined when nobody bails', () => {
      const hook = prepare(new SyncBailHook<[number], number>(['n']))
      hook.tap('t', () => undefined as unknown as number)
      expect(hook.call(1)).toBeUndefined()
    })

    it('SyncWaterfallHook threads the first argument; undefined keeps the previous value', () => {
      const hook = prepare(new SyncWaterfallHook<[string, string]>(['value', 'other']))
      const seen: string[] = []
      hook.tap('a', (value) => value + 'a')
      hook.tap('skip', (value, other) => (seen.push(`${value}/${other}`), undefined as unknown as string))
      hook.tap('b', (value) => value + 'b')
      expect(hook.call('>', 'o')).toBe('>ab')
      expect(seen).toEqual(['>a/o'])
      expect(prepare(new SyncWaterfallHook<[number]>(['n'])).call(7)).toBe(7)
    })

    it('SyncLoopHook restarts from the first tap while a tap returns a value', () => {
      const hook = prepare(new SyncLoopHook<[string[]]>(['log']))
      let first = 2
      let second = 1
      hook.tap('first', (log) => (log.push('first'), first-- > 0 ? true : undefined))
      hook.tap('second', (log) => (log.push('second'), second-- > 0 ? true : undefined))
      const passes: number[] = []
      hook.intercept({ loop: (log: string[]) => void passes.push(log.length) })
      const log: string[] = []
      expect(hook.call(log)).toBeUndefined()
      expect(log).toEqual(['first', 'first', 'first', 'second', 'first', 'second'])
      expect(passes).toEqual([0, 1, 2, 4])
    })

    it('call() throws a tap error synchronously, without telling error interceptors', () => {
      const hook = prepare(new SyncHook<[]>())
      const errors: unknown[] = []
      hook.intercept({ error: (err) => void errors.push(err) })
      const boom = new Error('boom')
      hook.tap('t', () => {
        throw boom
      })
      expect(() => hook.call()).toThrow(boom)
      expect(errors).toEqual([])
    })

    it('callAsync() and promise() on a sync hook report tap errors (interceptors included)', async () => {
      const hook = prepare(new SyncBailHook<[], string>())
      const errors: unknown[] = []
      hook.intercept({ error: (err) => void errors.push(err) })
      const boom = new Error('boom')
      hook.tap('t', () => {
        throw boom
      })
      expect(await callAsync(hook)).toEqual({ err: boom, result: undefined, arity: 1 })
      await expect(hook.promise()).rejects.toBe(boom)
      expect(errors).toEqual([boom, boom])
    })

    it('refuses tapAsync and tapPromise', () => {
      const hook = prepare(new SyncHook<[]>()) as unknown as { tapAsync: (...a: unknown[]) => void }
      expect(() => hook.tapAsync('t', () => {})).toThrow('tapAsync is not supported on a SyncHook')
    })
  })

  describe('async series hooks', () => {
    it('mixes tap, tapAsync and tapPromise in order', async () => {
      const hook = prepare(new AsyncSeriesHook<[string[]]>(['log']))
      hook.tapPromise('promise', async (log) => void log.push('promise'))
      hook.tapAsync('async', (log, callback) => setImmediate(() => (log.push('async'), callback())))
      hook.tap('sync', (log) => void log.push('sync'))
      const log: string[] = []
      await hook.promise(log)
      expect(log).toEqual(['promise', 'async', 'sync'])
      expect(await callAsync(hook, log)).toEqual({ err: undefined, result: undefined, arity: 0 })
    })

    it('stops at the first error: callback error, rejection, throw', async () => {
      for (const fail of ['callback', 'reject', 'throw'] as const) {
        const hook = prepare(new AsyncSeriesHook<[string[]]>(['log']))
        const boom = new Error(fail)
        hook.tap('first', (log) => void log.push('first'))
        if (fail === 'callback') hook.tapAsync('fails', (_log, callback) => callback(boom))
        if (fail === 'reject') hook.tapPromise('fails', () => Promise.reject(boom))
        if (fail === 'throw')
          hook.tap('fails', () => {
            throw boom
          })
        hook.tap('never', (log) => void log.push('never'))
        const log: string[] = []
        await expect(hook.promise(log)).rejects.toBe(boom)
        expect(log).toEqual(['first'])
      }
    })

    it('treats a falsy callback error as success', async () => {
      const hook = prepare(new AsyncSeriesBailHook<[], string>())
      hook.tapAsync('t', (callback) => (callback as (err: unknown, value: string) => void)(0, 'value'))
      await expect(hook.promise()).resolves.toBe('value')
    })

    it('turns a falsy rejection into an Error', async () => {
      const hook = prepare(new AsyncSeriesHook<[]>())
      hook.tapPromise('t', () => Promise.reject(0))
      await expect(hook.promise()).rejects.toThrow('Tap function (tapPromise) rejects "0" value')
    })

    it('reports a tapPromise that does not return a promise', async () => {
      const hook = prepare(new AsyncSeriesHook<[]>())
      hook.tapPromise('t', (() => 42) as never)
      await expect(hook.promise()).rejects.toThrow(
        'Tap function (tapPromise) did not return promise (returned 42)',
      )
      expect(() => hook.callAsync(() => {})).toThrow('did not return promise')
    })

    it('promise() rejects on a synchronous error a tick later; callAsync() calls back at once', async () => {
      const hook = prepare(new AsyncSeriesHook<[]>())
      const boom = new Error('boom')
      hook.tap('t', () => {
        throw boom
      })
      const order: string[] = []
      hook.promise().catch(() => order.push('promise rejected'))
      void Promise.resolve()
        .then(() => order.push('tick 1'))
        .then(() => order.push('tick 2'))
        .then(() => order.push('tick 3'))
      hook.callAsync((err) => order.push(err === boom ? 'callback' : 'wrong'))
      await tick()
      expect(order).toEqual(['callback', 'tick 1', 'tick 2', 'promise rejected', 'tick 3'])
    })

    it('AsyncSeriesBailHook resolves with the first value; undefined continues', async () => {
      const hook = prepare(new AsyncSeriesBailHook<[string[]], string>(['log']))
      hook.tapPromise('undefined', async (log) => void log.push('undefined') as unknown as string)
      hook.tapAsync('value', (log, callback) => (log.push('value'), callback(null, 'found')))
      hook.tap('never', (log) => (log.push('never'), 'late'))
      const log: string[] = []
      await expect(hook.promise(log)).resolves.toBe('found')
      expect(log).toEqual(['undefined', 'value'])
    })

    it('AsyncSeriesWaterfallHook threads values; undefined keeps the previous one', async () => {
      const hook = prepare(new AsyncSeriesWaterfallHook<[string]>(['value']))
      hook.tapPromise('a', async (value) => value + 'a')
      hook.tapAsync('skip', (_value, callback) => callback())
      hook.tap('b', (value) => value + 'b')
      await expect(hook.promise('>')).resolves.toBe('>ab')
      expect(await callAsync(hook, '<')).toEqual({ err: null, result: '<ab', arity: 2 })
    })

    it('AsyncSeriesLoopHook restarts after asynchronous values', async () => {
      const hook = prepare(new AsyncSeriesLoopHook<[string[]]>(['log']))
      let again = 2
      hook.tap('sync', (log) => void log.push('sync'))
      hook.tapPromise(
        'async',
        (log) => (log.push('async'), later(again-- > 0 ? 'again' : undefined)) as Promise<never>,
      )
      const log: string[] = []
      await hook.promise(log)
      expect(log).toEqual(['sync', 'async', 'sync', 'async', 'sync', 'async'])
    })
  })

  describe('async parallel hooks', () => {
    it('AsyncParallelHook starts every tap before any finishes and finishes when all did', async () => {
      const hook = prepare(new AsyncParallelHook<[string[]]>(['log']))
      hook.tapPromise(
        'slow',
        async (log) => (log.push('slow start'), await later(0, 3), void log.push('slow end')),
      )
      hook.tapAsync(
        'fast',
        (log, callback) => (log.push('fast start'), setImmediate(() => (log.push('fast end'), callback()))),
      )
      const log: string[] = []
      await hook.promise(log)
      expect(log).toEqual(['slow start', 'fast start', 'fast end', 'slow end'])
    })

    it('AsyncParallelHook reports the first error once and ignores the rest', async () => {
      const hook = prepare(new AsyncParallelHook<[]>())
      const first = new Error('first')
      hook.tapPromise('second', () => later(0, 3).then(() => Promise.reject(new Error('second'))))
      hook.tapAsync('first', (callback) => setImmediate(() => callback(first)))
      const results: unknown[] = []
      hook.callAsync((err) => void results.push(err))
      for (let i = 0; i < 6; i++) await tick()
      expect(results).toEqual([first])
    })

    it('AsyncParallelBailHook takes the earliest tap in order that has a value, not the fastest', async () => {
      const hook = prepare(new AsyncParallelBailHook<[], string>())
      hook.tapPromise('slow first', () => later('slow', 3))
      hook.tapPromise('fast second', () => later('fast', 1))
      await expect(hook.promise()).resolves.toBe('slow')
    })

    it('AsyncParallelBailHook skips earlier taps that produce undefined', async () => {
      const hook = prepare(new AsyncParallelBailHook<[], string>())
      hook.tapPromise('undefined', () => later(undefined as unknown as string, 3))
      hook.tapPromise('value', () => later('value', 1))
      hook.tapPromise('error', () => later(0, 1).then(() => Promise.reject(new Error('late'))))
      await expect(hook.promise()).resolves.toBe('value')
    })

    it('AsyncParallelBailHook reports an error of an earlier tap before a later value', async () => {
      const hook = prepare(new AsyncParallelBailHook<[], string>())
      const boom = new Error('boom')
      hook.tapPromise('error', () => later(0, 3).then(() => Promise.reject(boom)))
      hook.tapPromise('value', () => later('value', 1))
      await expect(hook.promise()).rejects.toBe(boom)
    })

    it('AsyncParallelBailHook does not start taps after a synchronous bail', async () => {
      const hook = prepare(new AsyncParallelBailHook<[string[]], string>(['log']))
      hook.tap('bails', (log) => (log.push('bails'), 'now'))
      hook.tap('never', (log) => (log.push('never'), 'late'))
      const log: string[] = []
      await expect(hook.promise(log)).resolves.toBe('now')
      expect(log).toEqual(['bails'])
    })
  })

  describe('interceptors', () => {
    it('see call, each tap, the result and done, in order', async () => {
      const events: string[] = []
      const bail = prepare(new AsyncSeriesBailHook<[number], string>(['n']))
      const waterfall = prepare(new AsyncSeriesWaterfallHook<[number]>(['n']))
      for (const hook of [bail, waterfall] as const) {
        hook.intercept({
          call: (n: number) => void events.push(`call ${n}`),
          tap: (tap) => void events.push(`tap ${tap.name}`),
          result: (result: unknown) => void events.push(`result ${String(result)}`),
          done: () => void events.push('done'),
        })
      }
      bail.tap('a', () => undefined as unknown as string)
      await bail.promise(1)
      bail.tap('b', (n) => `b${n}`)
      await bail.promise(2)
      waterfall.tap('w', (n) => n + 1)
      await waterfall.promise(3)
      expect(events).toEqual([
        'call 1',
        'tap a',
        'done',
        'call 2',
        'tap a',
        'tap b',
        'result b2',
        'call 3',
        'tap w',
        'result 4',
      ])
    })

    it('error interceptors see the error before the caller', async () => {
      const hook = prepare(new AsyncSeriesHook<[]>())
      const events: string[] = []
      hook.intercept({ error: (err: Error) => void events.push(`interceptor ${err.message}`) })
      hook.tapPromise('t', () => Promise.reject(new Error('boom')))
      await hook.promise().catch((err: Error) => events.push(`caller ${err.message}`))
      expect(events).toEqual(['interceptor boom', 'caller boom'])
    })

    it('register rewrites taps, also those registered before it', () => {
      const hook = prepare(new SyncWaterfallHook<[string]>(['value']))
      hook.tap('early', (value) => value + 'e')
      hook.intercept({
        register: (tap) => {
          const inner = tap.fn as (value: string) => string
          return { ...tap, fn: (value: string) => inner(value) + '!' }
        },
      })
      hook.tap('late', (value) => value + 'l')
      expect(hook.call('>')).toBe('>e!l!')
    })

    it('share one context object with context taps and context interceptors', () => {
      const hook = prepare(new SyncHook<[number]>(['n']))
      const contexts: unknown[] = []
      hook.intercept({ context: true, call: (context: unknown) => void contexts.push(context) } as never)
      hook.tap(
        { name: 'writer', context: true } as never,
        ((context: Record<string, number>, n: number) => {
          context.n = n
        }) as never,
      )
      hook.tap(
        { name: 'reader', context: true } as never,
        ((context: Record<string, number>) => {
          contexts.push({ ...context })
        }) as never,
      )
      hook.call(5)
      hook.call(6)
      expect(contexts).toEqual([{ n: 5 }, { n: 5 }, { n: 6 }, { n: 6 }])
      expect(contexts[0]).not.toBe(contexts[2])
    })

    it('get no context object when no tap asks for one', () => {
      const hook = prepare(new SyncHook<[]>())
      const contexts: unknown[] = []
      hook.intercept({ context: true, call: (context: unknown) => void contexts.push(context) } as never)
      hook.tap('t', () => {})
      hook.call()
      expect(contexts).toEqual([undefined])
    })
  })

  describe('recompiling', () => {
    it('sees taps and interceptors added after earlier calls', async () => {
      const hook = prepare(new AsyncSeriesWaterfallHook<[string]>(['value']))
      hook.tap('a', (value) => value + 'a')
      await expect(hook.promise('')).resolves.toBe('a')
      hook.tap('b', (value) => value + 'b')
      await expect(hook.promise('')).resolves.toBe('ab')
      const results: unknown[] = []
      hook.intercept({ result: (result: unknown) => void results.push(result) })
      await expect(hook.promise('')).resolves.toBe('ab')
      expect(results).toEqual(['ab'])
    })
  })

  describe('removeTap', () => {
    it('removes every tap of that name; later calls run without it', async () => {
      const hook = prepare(new AsyncSeriesWaterfallHook<[string]>(['value']))
      hook.tap('keep', (value) => value + 'k')
      hook.tap('drop', (value) => value + 'd')
      hook.tapPromise('drop', async (value) => value + 'D')
      await expect(hook.promise('')).resolves.toBe('kdD')
      expect(removeTap(hook, 'drop')).toBe(2)
      await expect(hook.promise('')).resolves.toBe('k')
      expect(removeTap(hook, 'drop')).toBe(0)
      expect(hook.isUsed()).toBe(true)
    })

    it('lets a call already running finish with the taps it started with', async () => {
      const hook = prepare(new AsyncSeriesHook<[string[]]>(['log']))
      hook.tapPromise('first', async (log) => {
        log.push('first')
        removeTap(hook, 'second')
        await later(0)
      })
      hook.tap('second', (log) => void log.push('second'))
      const running: string[] = []
      await hook.promise(running)
      expect(running).toEqual(['first', 'second'])
      const next: string[] = []
      await hook.promise(next)
      expect(next).toEqual(['first'])
    })
  })
})

describe('makePortable', () => {
  it('keeps tapable compiled callers in auto mode where new Function works', () => {
    expect(canGenerateCode()).toBe(true)
    const stock = new SyncHook<[]>()
    const auto = new SyncHook<[]>()
    makePortable(auto as unknown as PortableHook, 'auto')
    expect((auto as unknown as { compile: unknown }).compile).toBe(
      (stock as unknown as { compile: unknown }).compile,
    )
    const off = new SyncHook<[]>()
    makePortable(off as unknown as PortableHook, 'off')
    expect((off as unknown as { compile: unknown }).compile).not.toBe(
      (stock as unknown as { compile: unknown }).compile,
    )
  })

  it('interprets without code generation, where compiled hooks fail', () => {
    const portable = new SyncWaterfallHook<[number]>(['n'])
    makePortable(portable as unknown as PortableHook, 'off')
    portable.tap('double', (n) => n * 2)
    const stock = new SyncWaterfallHook<[number]>(['n'])
    stock.tap('double', (n) => n * 2)
    const original = globalThis.Function
    globalThis.Function = function NoCodeGeneration() {
      throw new EvalError('Code generation from strings disallowed for this context')
    } as unknown as FunctionConstructor
    try {
      expect(portable.call(21)).toBe(42)
      expect(() => stock.call(21)).toThrow(EvalError)
    } finally {
      globalThis.Function = original
    }
  })

  it('refuses hooks that are not tapable hook instances', () => {
    const fake = { taps: [], interceptors: [] }
    expect(() => makePortable(fake, 'off')).toThrow(IxpError)
    expect(() => makePortable(fake, 'auto')).toThrow(/tapable's hook classes/)
    expect(() => makePortable(new tapable.HookMap(() => new SyncHook()) as never, 'off')).toThrow(IxpError)
  })

  it('refuses an unknown mode', () => {
    expect(() => makePortable(new SyncHook() as unknown as PortableHook, 'never' as never)).toThrow(
      /codeGeneration must be 'auto' or 'off'/,
    )
  })
})
