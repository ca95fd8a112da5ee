import { describe, expect, it } from 'vitest'
import {
  delay,
  isObject,
  isPlainObject,
  isPromiseLike,
  messageOf,
  queryNotResolved,
  withTimeout,
} from '../src/plugin-kit/index.js'
import { createEngine, Stage } from '../src/index.js'

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

  it("queryNotResolved: names an ambiguous query's candidates, and the missing resolver of free text", () => {
    const engine = createEngine()
    const none = queryNotResolved(engine, {
      matched: false,
      intent: null,
      confidence: 0,
      alternatives: [],
      reason: 'no-match',
    })
    expect([none.code, none.status, none.details]).toEqual([
      'INTENT_NOT_SUPPORTED',
      404,
      { reason: 'no-match', alternatives: [] },
    ])
    expect(none.message).toContain('this engine has no resolver for free text')
    engine.hooks.resolve.tap({ name: 'words', stage: Stage.DEFAULT }, () => undefined)
    const alternatives = [
      { intent: 'greet', confidence: 0.4 },
      { intent: 'pick_theme', confidence: 0.38 },
    ]
    const ambiguous = queryNotResolved(engine, {
      matched: false,
      intent: null,
      confidence: 0.4,
      alternatives,
      reason: 'ambiguous',
    })
    expect(ambiguous.message).toBe("The query is ambiguous: did you mean 'greet' or 'pick_theme'?")
    expect(ambiguous.details).toEqual({ reason: 'ambiguous', alternatives })
    const outOfScope = queryNotResolved(engine, {
      matched: false,
      intent: null,
      confidence: 0.1,
      alternatives: [],
      reason: 'out-of-scope',
    })
    expect(outOfScope.message).toBe('No intent matches the query')
  })
})
