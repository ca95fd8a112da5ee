import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { IxpError, type IxpContext, type RenderNode, type ServerComponentDefinition } from '../src/index.js'
import {
  compose,
  containsPlaceholder,
  h,
  Placeholder,
  withErrorBoundary,
  withGuard,
  withLoadingState,
} from '../src/tree/index.js'
import { thrown } from './thrown.js'

type CardProps = { title: string; role?: string }

const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }

function card(render: ServerComponentDefinition<CardProps>['render']): ServerComponentDefinition<CardProps> {
  return { name: 'Card', description: 'A card', props: schema, version: '1.2.0', render }
}

const ok = card(({ title }) => h('div', { class: 'card' }, title))
const failsSync = card(() => {
  throw new Error('sync boom')
})
const failsAsync = card(async () => {
  await Promise.resolve()
  throw new Error('async boom')
})

async function rejection(promise: unknown): Promise<IxpError> {
  try {
    await promise
  } catch (error) {
    return error as IxpError
  }
  throw new Error('expected a rejection')
}

afterEach(() => {
  vi.useRealTimers()
})

describe('withErrorBoundary', () => {
  it('keeps every field but the name and render', () => {
    const wrapped = withErrorBoundary(ok, { fallback: null })
    expect(wrapped.name).toBe('WithErrorBoundary(Card)')
    expect(wrapped.props).toBe(schema)
    expect(wrapped).toMatchObject({ description: 'A card', version: '1.2.0' })
    expectTypeOf(wrapped).toEqualTypeOf<ServerComponentDefinition<CardProps>>()
  })

  it('passes a successful render through', async () => {
    const wrapped = withErrorBoundary(ok, { fallback: 'never' })
    expect(await wrapped.render({ title: 'Hi' }, {})).toEqual(h('div', { class: 'card' }, 'Hi'))
  })

  it('renders the fallback for synchronous throws and for rejections', async () => {
    const fallback = h('p', null, 'Something went wrong')
    expect(await withErrorBoundary(failsSync, { fallback }).render({ title: 'x' }, {})).toEqual(fallback)
    expect(await withErrorBoundary(failsAsync, { fallback }).render({ title: 'x' }, {})).toEqual(fallback)
  })

  it('gives a fallback function the error, props and context, and calls onError', async () => {
    const seen: unknown[] = []
    const ctx: IxpContext = { requestId: 'r1' }
    const wrapped = withErrorBoundary(failsAsync, {
      fallback: (error, props, context) =>
        h('p', null, `${(error as Error).message} ${props.title} ${context.requestId}`),
      onError: (error, props, context) => {
        seen.push((error as Error).message, props.title, context)
      },
    })
    expect(await wrapped.render({ title: 'T' }, ctx)).toEqual(h('p', null, 'async boom T r1'))
    expect(seen).toEqual(['async boom', 'T', ctx])
  })

  it('ignores a throwing or rejecting onError (no unhandled rejection)', async () => {
    const throwing = withErrorBoundary(failsSync, {
      fallback: 'fb',
      onError: () => {
        throw new Error('logger down')
      },
    })
    expect(await throwing.render({ title: 'x' }, {})).toBe('fb')
    const rejecting = withErrorBoundary(failsSync, {
      fallback: 'fb',
      onError: () => Promise.reject(new Error('x')),
    })
    expect(await rejecting.render({ title: 'x' }, {})).toBe('fb')
    await new Promise((resolve) => setTimeout(resolve, 0))
  })

  it('lets a failing fallback propagate to an outer boundary', async () => {
    const inner = withErrorBoundary(failsSync, {
      fallback: () => {
        throw new Error('fallback broke')
      },
    })
    const outer = withErrorBoundary(inner, {
      fallback: (error) => `outer caught: ${(error as Error).message}`,
    })
    expect(outer.name).toBe('WithErrorBoundary(WithErrorBoundary(Card))')
    expect(await outer.render({ title: 'x' }, {})).toBe('outer caught: fallback broke')
  })

  it('checks its options when they are given', () => {
    expect(thrown(() => withErrorBoundary(ok, {} as never)).message).toMatch(/fallback is required/)
    expect(thrown(() => withErrorBoundary({ fallback: 'x', onError: 'log' } as never)).message).toMatch(
      /onError/,
    )
    expect(thrown(() => withErrorBoundary(ok as never)).message).toMatch(
      /needs its options as the second argument/,
    )
    const remote = { name: 'Map', remoteUrl: 'https://cdn.example.com/map.js', exportName: 'Map' }
    const error = thrown(() => withErrorBoundary(remote as never, { fallback: null }))
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toMatch(/'Map' has no render function.*remote component/)
  })
})

describe('withGuard', () => {
  const isAdmin = (props: CardProps) => props.role === 'admin'

  it('renders when the check returns true (sync or async)', async () => {
    expect(await withGuard(ok, { check: isAdmin }).render({ title: 'A', role: 'admin' }, {})).toEqual(
      h('div', { class: 'card' }, 'A'),
    )
    const asyncCheck = withGuard(ok, { check: async (_props, ctx) => ctx.user === 'ann' })
    expect(await asyncCheck.render({ title: 'A' }, { user: 'ann' })).toEqual(h('div', { class: 'card' }, 'A'))
  })

  it('throws FORBIDDEN when denied without a fallback, and never calls the component', async () => {
    const render = vi.fn(() => 'secret')
    const guarded = withGuard(card(render), { check: isAdmin })
    expect(guarded.name).toBe('WithGuard(Card)')
    const error = await rejection(guarded.render({ title: 'A', role: 'guest' }, {}))
    expect(error).toBeInstanceOf(IxpError)
    expect(error.code).toBe('FORBIDDEN')
    expect(error.status).toBe(403)
    expect(error.message).toBe("Access to component 'Card' was denied.")
    expect(render).not.toHaveBeenCalled()
    const custom = withGuard(ok, { check: () => false, message: 'Admins only.' })
    expect((await rejection(custom.render({ title: 'A' }, {}))).message).toBe('Admins only.')
  })

  it('fails closed: only a literal true passes', async () => {
    for (const answer of [1, 'yes', {}, undefined, null]) {
      const guarded = withGuard(ok, { check: () => answer as unknown as boolean })
      expect((await rejection(guarded.render({ title: 'A' }, {}))).code).toBe('FORBIDDEN')
    }
  })

  it('renders the fallback (a tree, null, or a function) when denied', async () => {
    const denied = { title: 'A', role: 'guest' }
    expect(await withGuard(ok, { check: isAdmin, fallback: 'Sign in' }).render(denied, {})).toBe('Sign in')
    expect(await withGuard(ok, { check: isAdmin, fallback: null }).render(denied, {})).toBeNull()
    const fn = withGuard(ok, { check: isAdmin, fallback: async (props) => `No access for ${props.role}` })
    expect(await fn.render(denied, {})).toBe('No access for guest')
  })

  it('propagates a throwing check as is', async () => {
    const guarded = withGuard(ok, {
      check: () => {
        throw new Error('auth backend down')
      },
    })
    expect((await rejection(guarded.render({ title: 'A' }, {}))).message).toBe('auth backend down')
  })

  it('checks its options', () => {
    expect(thrown(() => withGuard(ok, { check: true } as never)).message).toMatch(/check must be a function/)
    expect(thrown(() => withGuard({ check: () => true, message: 3 } as never)).code).toBe(
      'INVALID_DEFINITION',
    )
  })
})

describe('withLoadingState', () => {
  function slow(ms: number, outcome: 'resolve' | 'reject' = 'resolve') {
    return card(
      ({ title }) =>
        new Promise<RenderNode>((resolve, reject) =>
          setTimeout(() => (outcome === 'resolve' ? resolve(title) : reject(new Error('late failure'))), ms),
        ),
    )
  }

  it('answers the render when it settles in time, and clears its timer', async () => {
    vi.useFakeTimers()
    const wrapped = withLoadingState(slow(50), { timeoutMs: 100, loading: 'Loading…' })
    expect(wrapped.name).toBe('WithLoadingState(Card)')
    const result = wrapped.render({ title: 'done' }, {})
    await vi.advanceTimersByTimeAsync(50)
    expect(await result).toBe('done')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('answers a placeholder holding the loading tree when the render is late', async () => {
    vi.useFakeTimers()
    const wrapped = withLoadingState(slow(500), {
      timeoutMs: 100,
      loading: (props) => h('span', { class: 'spinner' }, `Loading ${props.title}`),
    })
    const result = wrapped.render({ title: 'report' }, {})
    await vi.advanceTimersByTimeAsync(100)
    const tree = await result
    expect(tree).toEqual({
      type: Placeholder,
      props: { reason: 'loading', component: 'WithLoadingState(Card)', timeoutMs: 100 },
      children: [h('span', { class: 'spinner' }, 'Loading report')],
    })
    expect(containsPlaceholder(tree)).toBe(true)
    expect(vi.getTimerCount()).toBe(1) // only the wrapped component's own timer is left
    await vi.advanceTimersByTimeAsync(400)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('absorbs the rejection of a render that fails after the timeout', async () => {
    vi.useFakeTimers()
    const wrapped = withLoadingState(slow(200, 'reject'), { timeoutMs: 10, loading: null })
    const result = wrapped.render({ title: 'x' }, {})
    await vi.advanceTimersByTimeAsync(10)
    expect(await result).toEqual({ type: Placeholder, props: expect.any(Object), children: [] })
    // If the late rejection were unhandled, vitest would fail this run.
    await vi.advanceTimersByTimeAsync(200)
  })

  it('propagates failures that happen before the timeout (sync and async), clearing the timer', async () => {
    vi.useFakeTimers()
    const early = withLoadingState(slow(5, 'reject'), { timeoutMs: 100, loading: 'L' })
    const result = rejection(early.render({ title: 'x' }, {}))
    await vi.advanceTimersByTimeAsync(5)
    expect((await result).message).toBe('late failure')
    expect(vi.getTimerCount()).toBe(0)
    const sync = withLoadingState(failsSync, { timeoutMs: 100, loading: 'L' })
    expect((await rejection(sync.render({ title: 'x' }, {}))).message).toBe('sync boom')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops waiting as soon as ctx.signal aborts, leaving no timer', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const wrapped = withLoadingState(slow(10_000), { timeoutMs: 5_000, loading: 'L' })
    const result = rejection(wrapped.render({ title: 'x' }, { signal: controller.signal }))
    controller.abort(new IxpError('RENDER_TIMEOUT', 'deadline'))
    expect((await result).code).toBe('RENDER_TIMEOUT')
    vi.clearAllTimers() // the wrapped component's own timer
    expect(vi.getTimerCount()).toBe(0)
    const aborted = AbortSignal.abort(new Error('gone'))
    expect((await rejection(wrapped.render({ title: 'x' }, { signal: aborted }))).message).toBe('gone')
  })

  it('works with real short timers', async () => {
    const wrapped = withLoadingState(slow(200), { timeoutMs: 5, loading: 'L' })
    const tree = await wrapped.render({ title: 'x' }, {})
    expect(containsPlaceholder(tree)).toBe(true)
  })

  it('checks its options', () => {
    for (const timeoutMs of [-1, NaN, Infinity, 2 ** 31, '10']) {
      expect(thrown(() => withLoadingState(ok, { timeoutMs, loading: 'L' } as never)).message).toMatch(
        /timeoutMs/,
      )
    }
    expect(thrown(() => withLoadingState({ timeoutMs: 10 } as never)).message).toMatch(/loading is required/)
  })
})

describe('compose', () => {
  it('applies HOCs right to left (the first one listed is the outermost)', async () => {
    const guarded = compose(
      withErrorBoundary({ fallback: (error) => `caught ${(error as IxpError).code}` }),
      withGuard<CardProps>({ check: (props) => props.role === 'admin' }),
    )(ok)
    expect(guarded.name).toBe('WithErrorBoundary(WithGuard(Card))')
    expect(guarded.props).toBe(schema)
    expect(await guarded.render({ title: 'x', role: 'guest' }, {})).toBe('caught FORBIDDEN')
    expect(await guarded.render({ title: 'x', role: 'admin' }, {})).toEqual(h('div', { class: 'card' }, 'x'))

    const reversed = compose(
      withGuard<CardProps>({ check: (props) => props.role === 'admin' }),
      withErrorBoundary({ fallback: 'fb' }),
    )(ok)
    expect(reversed.name).toBe('WithGuard(WithErrorBoundary(Card))')
    expect((await rejection(reversed.render({ title: 'x' }, {}))).code).toBe('FORBIDDEN')
  })

  it('composes all three, with an error boundary catching a late failure of a nested HOC', async () => {
    vi.useFakeTimers()
    const enhanced = compose(
      withErrorBoundary({ fallback: 'error' }),
      withGuard({ check: async () => true }),
      withLoadingState({ timeoutMs: 50, loading: 'loading' }),
    )(failsAsync)
    expect(enhanced.name).toBe('WithErrorBoundary(WithGuard(WithLoadingState(Card)))')
    expect(await enhanced.render({ title: 'x' }, {})).toBe('error')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('is the identity without HOCs and rejects non-HOCs and bad results', () => {
    expect(compose()(ok)).toBe(ok)
    expect(thrown(() => compose(withGuard as never, 'x' as never)).message).toMatch(/argument 1 is not a HOC/)
    const broken = (() => ({ name: 'Broken' })) as never
    expect(thrown(() => compose(broken)(ok)).message).toMatch(
      /HOC at argument 0.*'Broken' has no render function/,
    )
    expect(thrown(() => compose(withGuard({ check: () => true }))({ render: () => 1 } as never)).code).toBe(
      'INVALID_DEFINITION',
    )
  })

  it('keeps the component props type', () => {
    const enhanced = compose(withErrorBoundary({ fallback: null }))(ok)
    expectTypeOf(enhanced).toEqualTypeOf<ServerComponentDefinition<CardProps>>()
  })
})
