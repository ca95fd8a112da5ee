/**
 * Hooks on a runtime without code generation: the engine's own hooks (created in `'auto'` mode, which must
 * switch to the interpreter here) and every tapable hook class made portable.
 */
import tapable from 'tapable'
import { IxpError } from '../../src/errors.js'
import { createHooks, Stage, type RenderState } from '../../src/hooks/index.js'
import { canGenerateCode, makePortable, type PortableHook } from '../../src/hooks/portable.js'
import { removeTap } from '../../src/hooks/remove-tap.js'
import '../../src/portable-hooks/index.js'
import type { IntentDefinition, IxpContext, RenderResult, ResolveQuery } from '../../src/types.js'
import { assert, codeGenerationWorks, describe, equal, rejects, sleep, test, throws } from './harness.js'

const intent = (name: string): IntentDefinition => ({
  name,
  description: name,
  component: 'C',
  parameters: { type: 'object' },
})

function callback<T>(run: (done: (err: unknown, result?: T) => void) => void) {
  return new Promise<{ err: unknown; result: T | undefined }>((resolve) =>
    run((err, result) => resolve({ err, result })),
  )
}

describe('runtime', () => {
  test('forbids code generation from strings', () => {
    assert(!codeGenerationWorks(), 'new Function worked: this runtime allows code generation')
    throws(() => new Function('return 1'))
    throws(() => (0, eval)('1'))
    assert(!canGenerateCode(), 'canGenerateCode() says code generation works')
  })

  test("a stock tapable hook fails here (which is why the engine's hooks are made portable)", () => {
    const stock = new tapable.SyncHook<[]>()
    stock.tap('t', () => {})
    throws(() => stock.call())
  })
})

describe('engine hooks (auto mode)', () => {
  test('registerIntent: sync waterfall in stage order, undefined keeps the value', () => {
    const hooks = createHooks('auto')
    hooks.registerIntent.tap({ name: 'late', stage: Stage.OBSERVE_LAST }, (definition) => ({
      ...definition,
      tags: [...(definition.tags ?? []), 'late'],
    }))
    hooks.registerIntent.tap({ name: 'first', stage: Stage.AUTH }, (definition) => ({
      ...definition,
      tags: ['first'],
    }))
    hooks.registerIntent.tap('observer', () => undefined as unknown as IntentDefinition)
    equal(hooks.registerIntent.call(intent('a')).tags, ['first', 'late'])
  })

  test('registerIntent: a throwing tap refuses the definition', () => {
    const hooks = createHooks('auto')
    hooks.registerIntent.tap('refuse', () => {
      throw new IxpError('INVALID_DEFINITION', 'no')
    })
    throws(() => hooks.registerIntent.call(intent('a')), {
      type: IxpError,
      fields: { code: 'INVALID_DEFINITION' },
    })
  })

  test('resolve: async series bail, exact before semantic, undefined continues', async () => {
    const hooks = createHooks('auto')
    const order: string[] = []
    hooks.resolve.tapPromise({ name: 'semantic', stage: Stage.SEMANTIC }, async (query) => {
      order.push('semantic')
      return { matched: true, intent: query.text, parameters: {}, confidence: 0.5, alternatives: [] }
    })
    hooks.resolve.tapAsync({ name: 'exact', stage: Stage.EXACT_NAME }, (_query, _context, done) => {
      order.push('exact')
      setTimeout(() => done(null, undefined), 1)
    })
    const outcome = await hooks.resolve.promise({ text: 'x' } as ResolveQuery, {} as IxpContext)
    equal(outcome?.confidence, 0.5)
    equal(order, ['exact', 'semantic'])
  })

  test('admission: async series stops at the first error; interceptors see it', async () => {
    const hooks = createHooks('auto')
    const seen: string[] = []
    hooks.admission.intercept({
      call: () => void seen.push('call'),
      tap: (tap) => void seen.push(`tap:${tap.name}`),
      error: (error) => void seen.push(`error:${(error as IxpError).code}`),
    })
    hooks.admission.tapPromise({ name: 'auth', stage: Stage.AUTH }, async () => {
      throw new IxpError('FORBIDDEN', 'no')
    })
    hooks.admission.tap({ name: 'rate', stage: Stage.RATE_LIMIT }, () => void seen.push('rate ran'))
    await rejects(hooks.admission.promise({} as RenderState), { fields: { code: 'FORBIDDEN' } })
    equal(seen, ['call', 'tap:auth', 'error:FORBIDDEN'])
  })

  test('handler: async waterfall over tap, tapAsync and tapPromise', async () => {
    const hooks = createHooks('auto')
    hooks.handler.tapPromise('a', async (props) => ({ ...props, a: 1 }))
    hooks.handler.tapAsync('b', (props, _state, done) => done(null, { ...props, b: 2 }))
    hooks.handler.tap({ name: 'first', before: 'a' }, (props) => ({ ...props, first: true }))
    const results: unknown[] = []
    hooks.handler.intercept({ result: (result) => void results.push(result) })
    const props = await hooks.handler.promise({}, {} as RenderState)
    equal(props, { first: true, a: 1, b: 2 })
    equal(results, [props])
  })

  test('beforeHandler: bail with the first result; callAsync reports it', async () => {
    const hooks = createHooks('auto')
    hooks.beforeHandler.tap('miss', () => undefined)
    hooks.beforeHandler.tapPromise('hit', async (state) => ({
      intent: 'x',
      component: {},
      props: { hit: true },
      ttl: 1,
      meta: state.meta,
    }))
    const { err, result } = await callback<RenderResult | undefined>((done) =>
      hooks.beforeHandler.callAsync({ meta: {} } as RenderState, done),
    )
    equal(err, null)
    equal(result?.props, { hit: true })
  })

  test('error hook: a falsy rejection and a non-promise are reported as errors', async () => {
    const hooks = createHooks('auto')
    hooks.error.tapPromise('falsy', () => Promise.reject(0))
    await rejects(hooks.error.promise(new IxpError('X', 'x'), { phase: 'render', context: {} }), {
      message: 'Tap function (tapPromise) rejects "0" value',
    })
    const other = createHooks('auto')
    other.error.tapPromise('not a promise', (() => 'nope') as never)
    await rejects(other.error.promise(new IxpError('X', 'x'), { phase: 'render', context: {} }), {
      message: 'did not return promise (returned nope)',
    })
  })

  test('context taps and interceptors share one object per call', async () => {
    const hooks = createHooks('auto')
    const contexts: unknown[] = []
    hooks.close.intercept({ context: true, call: (context: unknown) => void contexts.push(context) } as never)
    hooks.close.tap(
      { name: 'writer', context: true } as never,
      ((context: Record<string, unknown>) => {
        context.seen = true
      }) as never,
    )
    hooks.close.tapPromise(
      { name: 'reader', context: true } as never,
      (async (context: Record<string, unknown>) => {
        contexts.push(context.seen)
      }) as never,
    )
    await hooks.close.promise(undefined as never)
    equal(contexts.length, 2)
    equal(contexts[1], true)
    equal((contexts[0] as Record<string, unknown>).seen, true)
  })

  test('removeTap undoes a tap', async () => {
    const hooks = createHooks('auto')
    hooks.discoverIntents.tap('hide-a', (intents) => intents.filter((i) => i.name !== 'a'))
    const all = [intent('a'), intent('b')]
    equal((await hooks.discoverIntents.promise(all, {}, 'list')).length, 1)
    equal(removeTap(hooks.discoverIntents, 'hide-a'), 1)
    equal((await hooks.discoverIntents.promise(all, {}, 'list')).length, 2)
  })
})

describe('every tapable hook class, made portable', () => {
  const portable = <H extends object>(hook: H): H => {
    makePortable(hook as unknown as PortableHook, 'auto')
    return hook
  }

  test('SyncHook, SyncBailHook, SyncWaterfallHook, SyncLoopHook', async () => {
    const log: string[] = []
    const sync = portable(new tapable.SyncHook<[string]>(['x']))
    sync.tap('a', (x) => void log.push(`a${x}`))
    sync.tap({ name: 'b', stage: -1 }, (x) => void log.push(`b${x}`))
    sync.call('1')
    await sync.promise('2')
    equal(log, ['b1', 'a1', 'b2', 'a2'])

    const bail = portable(new tapable.SyncBailHook<[number], number>(['n']))
    bail.tap('skip', () => undefined as unknown as number)
    bail.tap('double', (n) => n * 2)
    equal(bail.call(4), 8)
    equal((await callback<number>((done) => bail.callAsync(5, done))).result, 10)

    const waterfall = portable(new tapable.SyncWaterfallHook<[string]>(['s']))
    waterfall.tap('a', (s) => `${s}a`)
    waterfall.tap('b', (s) => `${s}b`)
    equal(waterfall.call('>'), '>ab')

    const loop = portable(new tapable.SyncLoopHook<[string[]]>(['log']))
    let again = 2
    loop.tap('first', (l) => void l.push('first'))
    loop.tap('repeat', (l) => (l.push('repeat'), again-- > 0 ? true : undefined))
    const passes: string[] = []
    loop.call(passes)
    equal(passes, ['first', 'repeat', 'first', 'repeat', 'first', 'repeat'])
  })

  test('sync call() throws tap errors synchronously', () => {
    const hook = portable(new tapable.SyncHook<[]>())
    hook.tap('boom', () => {
      throw new Error('boom')
    })
    throws(() => hook.call(), { message: 'boom' })
  })

  test('AsyncSeriesHook, AsyncSeriesBailHook, AsyncSeriesWaterfallHook, AsyncSeriesLoopHook', async () => {
    const log: string[] = []
    const series = portable(new tapable.AsyncSeriesHook<[string]>(['x']))
    series.tapAsync('slow', (x, done) => setTimeout(() => (log.push(`slow${x}`), done()), 5))
    series.tapPromise('fast', async (x) => void log.push(`fast${x}`))
    await series.promise('1')
    equal(log, ['slow1', 'fast1'])

    const bail = portable(new tapable.AsyncSeriesBailHook<[], string>())
    bail.tapPromise('none', async () => undefined as unknown as string)
    bail.tapAsync('value', (done) => done(null, 'v'))
    equal(await bail.promise(), 'v')

    const waterfall = portable(new tapable.AsyncSeriesWaterfallHook<[number]>(['n']))
    waterfall.tapPromise('inc', async (n) => n + 1)
    waterfall.tap('double', (n) => n * 2)
    equal(await waterfall.promise(1), 4)

    const loop = portable(new tapable.AsyncSeriesLoopHook<[string[]]>(['log']))
    let again = 1
    loop.tapPromise('repeat', async (l) => (l.push('repeat'), again-- > 0 ? true : undefined) as never)
    const passes: string[] = []
    await loop.promise(passes)
    equal(passes, ['repeat', 'repeat'])
  })

  test('AsyncParallelHook and AsyncParallelBailHook', async () => {
    const log: string[] = []
    const parallel = portable(new tapable.AsyncParallelHook<[]>())
    parallel.tapPromise(
      'slow',
      async () => (log.push('slow start'), await sleep(10), void log.push('slow end')),
    )
    parallel.tapPromise(
      'fast',
      async () => (log.push('fast start'), await sleep(1), void log.push('fast end')),
    )
    await parallel.promise()
    equal(log, ['slow start', 'fast start', 'fast end', 'slow end'])

    const bail = portable(new tapable.AsyncParallelBailHook<[], string>())
    bail.tapPromise('slow but first', async () => (await sleep(10), 'slow'))
    bail.tapPromise('fast', async () => (await sleep(1), 'fast'))
    equal(await bail.promise(), 'slow')

    const failing = portable(new tapable.AsyncParallelHook<[]>())
    failing.tapAsync('fails', (done) => setTimeout(() => done(new Error('first')), 1))
    failing.tapPromise('later', async () => sleep(5))
    await rejects(failing.promise(), { message: 'first' })
  })
})
