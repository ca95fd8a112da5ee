import { describe, expect, it } from 'vitest'
import {
  delay,
  isObject,
  isPlainObject,
  isPromiseLike,
  messageOf,
  withTimeout,
} from '../src/plugin-kit/index.js'

describe('@ixp/core/plugin-kit', () => {
  it('tells objects, plain objects and thenables apart', () => {
    expect([isObject({}), isObject([]), isObject(null), isObject(new Date())]).toEqual([
      true,
      false,
      false,
      true,
    ])
    expect([
      isPlainObject({}),
      isPlainObject(Object.create(null)),
      isPlainObject([]),
      isPlainObject(new Date()),
    ]).toEqual([true, true, false, false])
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('no')
        },
      },
    )
    expect(isPlainObject(hostile)).toBe(false)
    expect([
      isPromiseLike(Promise.resolve(1)),
      isPromiseLike({ then() {} }),
      isPromiseLike(1),
      isPromiseLike(null),
    ]).toEqual([true, true, false, false])
  })

  it('withTimeout settles as the work does, or rejects with the timeout error and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve('done'), 1_000, () => new Error('late'))).resolves.toBe('done')
    await expect(withTimeout(new Promise(() => {}), 10, () => new Error('late'))).rejects.toThrow('late')
    const work = Promise.resolve(7)
    expect(withTimeout(work, 0, () => new Error('never'))).toBe(work)
  })

  it('delay waits, and rejects with the reason as soon as the signal aborts', async () => {
    const started = performance.now()
    await delay(20)
    expect(performance.now() - started).toBeGreaterThanOrEqual(15)
    const controller = new AbortController()
    const waiting = delay(60_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
    await expect(delay(10, AbortSignal.abort(new Error('already')))).rejects.toThrow('already')
  })

  it('delay uses the timers it is given', async () => {
    const calls: number[] = []
    const timers = {
      setTimeout: (callback: () => void, ms: number) => (calls.push(ms), queueMicrotask(callback), 1),
      clearTimeout: () => {},
    }
    await delay(5_000, undefined, timers)
    expect(calls).toEqual([5_000])
  })

  it('messageOf gives an error message or the value as text', () => {
    expect(messageOf(new Error('boom'))).toBe('boom')
    expect(messageOf('plain')).toBe('plain')
    expect(messageOf(42)).toBe('42')
  })
})
