import { describe, expect, expectTypeOf, it } from 'vitest'
import { createEngine, IxpError, silentLogger, type Engine, type RenderResult } from '../src/index.js'
import { makeEngine, orderStatus } from './fixtures.js'
import { tapMaybeSync } from '../src/plugin-kit/index.js'

describe('engine.renderNow', () => {
  it('is typed as the result or a promise of it', () => {
    expectTypeOf<Engine['renderNow']>().returns.toEqualTypeOf<RenderResult | Promise<RenderResult>>()
  })

  it('hands back the result itself when every step finished synchronously', async () => {
    const engine = makeEngine()
    engine.registerIntent({
      ...orderStatus,
      name: 'now',
      handler: ({ orderId }) => ({ status: `now:${orderId}` }),
    })
    await engine.ready()
    const step = engine.renderNow({ intent: { name: 'now', parameters: { orderId: '7' } } })
    expect(step).not.toBeInstanceOf(Promise)
    expect((step as RenderResult).tree).toMatchObject({ props: { title: 'Order 7' }, children: ['now:7'] })
  })

  it('hands back a promise when a step waits, and before ready()', async () => {
    const engine = makeEngine()
    const early = engine.renderNow({ intent: { name: 'order_status', parameters: { orderId: '1' } } })
    expect(early).toBeInstanceOf(Promise)
    expect((await early).props).toMatchObject({ status: 'shipped:1' })
    const waiting = engine.renderNow({ intent: { name: 'order_status', parameters: { orderId: '2' } } })
    expect(waiting).toBeInstanceOf(Promise)
    expect((await waiting).props).toMatchObject({ status: 'shipped:2' })
  })

  it('never throws: a failure is a rejected promise', async () => {
    const engine = makeEngine()
    await engine.ready()
    let step: unknown
    expect(() => {
      step = engine.renderNow({ intent: { name: 'missing', parameters: {} } })
    }).not.toThrow()
    expect(step).toBeInstanceOf(Promise)
    const failure = await (step as Promise<RenderResult>).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(IxpError)
    expect((failure as IxpError).code).toBe('INTENT_NOT_SUPPORTED')
  })
})

/** An engine with a `note` intent (a `text` parameter) rendered by a `Note` component. */
function noteEngine() {
  const engine = createEngine({ logger: silentLogger })
  engine.registerComponent({
    name: 'Note',
    render: (props) => ({ type: 'p', props: {}, children: [String(props.text)] }),
  })
  engine.registerIntent({
    name: 'note',
    description: 'A note',
    component: 'Note',
    parameters: { type: 'object', properties: { text: { type: 'string' } } },
  })
  return engine
}

describe('hooks whose taps are all synchronous', () => {
  async function engineWithSyncTaps() {
    const engine = noteEngine()
    const order: string[] = []
    engine.hooks.admission.tap('test:admission', (state) => {
      order.push(`admission:${state.intent.name}`)
    })
    engine.hooks.beforeHandler.tap('test:before', (state) => {
      order.push('before')
      return state.request.intent.parameters?.text === 'cached'
        ? { intent: 'note', component: { name: 'Note' }, props: {}, ttl: 1, meta: state.meta, tree: 'hit' }
        : undefined
    })
    engine.hooks.handler.tap('test:handler', (props) => ({ ...props, text: `${String(props.text)}!` }))
    // A waterfall tap returning nothing keeps the value (as tapable's promise() does).
    engine.hooks.handler.tap('test:keeps', () => undefined as unknown as Record<string, unknown>)
    engine.hooks.render.tap('test:render', (tree) => ({ type: 'div', props: {}, children: [tree] }))
    engine.hooks.afterRender.tap('test:after', (result) => {
      order.push('after')
      result.meta.headers = { 'x-seen': '1' }
      return result
    })
    await engine.ready()
    return { engine, order }
  }

  it('run inline: the render is synchronous, in order, with waterfall and bail results as promise() gives', async () => {
    const { engine, order } = await engineWithSyncTaps()
    const result = engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } })
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toMatchObject({
      props: { text: 'hi!' },
      tree: { type: 'div', props: {}, children: [{ type: 'p', props: {}, children: ['hi!'] }] },
      meta: { headers: { 'x-seen': '1' } },
    })
    expect(order).toEqual(['admission:note', 'before', 'after'])
    const hit = engine.renderNow({ intent: { name: 'note', parameters: { text: 'cached' } } })
    expect(hit).not.toBeInstanceOf(Promise)
    expect(hit).toMatchObject({ tree: 'hit' })
  })

  it('a throwing synchronous tap still fails the render as a rejected promise with an IxpError', async () => {
    const { engine } = await engineWithSyncTaps()
    engine.hooks.admission.tap('test:refuse', () => {
      throw new IxpError('FORBIDDEN', 'Not for you')
    })
    const failed = engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } })
    expect(failed).toBeInstanceOf(Promise)
    await expect(failed).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('fall back to promise() as soon as one tap is asynchronous', async () => {
    const { engine } = await engineWithSyncTaps()
    engine.hooks.afterRender.tapPromise('test:async', async (result) => result)
    const pending = engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } })
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).resolves.toMatchObject({ props: { text: 'hi!' } })
  })
})

describe('render events', () => {
  it('reach listeners added and removed at any time, before and after renders', async () => {
    const engine = makeEngine()
    await engine.ready()
    const request = { intent: { name: 'order_status', parameters: { orderId: '1' } } }
    const seen: string[] = []
    const before = ({ intent }: { intent: string }) => void seen.push(`before:${intent}`)
    const after = ({ intent }: { intent: string }) => void seen.push(`after:${intent}`)
    await engine.render(request)
    engine.events.on('intent:before', before)
    engine.events.on('intent:after', after)
    await engine.render(request)
    engine.events.off('intent:before', before)
    await engine.render(request)
    engine.events.off('intent:after', after)
    await engine.render(request)
    engine.events.once('intent:before', before)
    await engine.render(request)
    await engine.render(request)
    expect(seen).toEqual([
      'before:order_status',
      'after:order_status',
      'after:order_status',
      'before:order_status',
    ])
  })
})

describe('maybe-sync taps (plugin-kit tapMaybeSync)', () => {
  async function engineWith(
    admit: (state: { request: { intent: { parameters?: Record<string, unknown> } } }) => unknown,
  ) {
    const engine = noteEngine()
    const order: string[] = []
    tapMaybeSync(engine.hooks.admission, { name: 'test:maybe', stage: -1 }, (state) => {
      order.push('maybe')
      return admit(state) as void | Promise<void>
    })
    engine.hooks.admission.tap('test:after-maybe', () => {
      order.push('sync')
    })
    tapMaybeSync(engine.hooks.beforeHandler, { name: 'test:bail' }, (state) =>
      state.request.intent.parameters?.text === 'later'
        ? Promise.resolve({
            intent: 'note',
            component: { name: 'Note' },
            props: {},
            ttl: 1,
            meta: state.meta,
            tree: 'late hit',
          })
        : undefined,
    )
    tapMaybeSync(engine.hooks.afterRender, { name: 'test:waterfall' }, (result) =>
      result.props.text === 'wait' ? Promise.resolve({ ...result, ttl: 7 }) : result,
    )
    await engine.ready()
    return { engine, order }
  }

  it('keep the render synchronous while the work answers at once', async () => {
    const { engine, order } = await engineWith(() => undefined)
    const result = engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } })
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toMatchObject({ tree: { type: 'p', props: {}, children: ['hi'] } })
    expect(order).toEqual(['maybe', 'sync'])
  })

  it('wait for a promise the work returns, and run the later taps after it', async () => {
    let release!: () => void
    const { engine, order } = await engineWith(
      () =>
        new Promise<void>((resolve) => {
          release = resolve
        }),
    )
    const pending = engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } })
    expect(pending).toBeInstanceOf(Promise)
    await Promise.resolve()
    expect(order).toEqual(['maybe'])
    release()
    await expect(pending).resolves.toMatchObject({ tree: { children: ['hi'] } })
    expect(order).toEqual(['maybe', 'sync'])
  })

  it('give bail and waterfall results that arrive later as promise() does', async () => {
    const { engine } = await engineWith(() => undefined)
    await expect(
      engine.renderNow({ intent: { name: 'note', parameters: { text: 'later' } } }),
    ).resolves.toMatchObject({
      tree: 'late hit',
    })
    await expect(
      engine.renderNow({ intent: { name: 'note', parameters: { text: 'wait' } } }),
    ).resolves.toMatchObject({
      ttl: 7,
      tree: { children: ['wait'] },
    })
  })

  it('refuse the render when the work throws or its promise rejects', async () => {
    const thrown = await engineWith(() => {
      throw new IxpError('FORBIDDEN', 'Not for you')
    })
    await expect(
      thrown.engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    const rejected = await engineWith(() => Promise.reject(new IxpError('RATE_LIMITED', 'Slow down')))
    await expect(
      rejected.engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } }),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    })
    expect(rejected.order).toEqual(['maybe'])
  })

  it('run through the hook promise() when an interceptor forces it, with the same outcome', async () => {
    const { engine, order } = await engineWith(() => undefined)
    engine.hooks.admission.intercept({ call: () => undefined })
    const pending = engine.renderNow({ intent: { name: 'note', parameters: { text: 'hi' } } })
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).resolves.toMatchObject({ tree: { children: ['hi'] } })
    expect(order).toEqual(['maybe', 'sync'])
  })
})
