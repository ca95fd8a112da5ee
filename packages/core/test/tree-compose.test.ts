// Remote components are registered below: their checks come with `@ixp/core/remote`.
import '../src/remote/index.js'
import { describe, expect, it } from 'vitest'
import {
  createEngine,
  IxpError,
  type ComponentDefinition,
  type IxpContext,
  type ServerComponentDefinition,
} from '../src/index.js'
import { composeComponents, h, Layout, mergeSchemas, withErrorBoundary } from '../src/tree/index.js'
import { thrown } from './thrown.js'

const weather: ServerComponentDefinition = {
  name: 'weather-card',
  props: {
    type: 'object',
    properties: { location: { type: 'string' }, units: { enum: ['metric', 'imperial'] } },
    required: ['location'],
  },
  render: (props) => h('div', { class: 'weather' }, `${String(props.location)} ${String(props.units ?? '')}`),
}

const news: ServerComponentDefinition = {
  name: 'news-feed',
  props: {
    type: 'object',
    properties: { category: { type: 'string' }, limit: { type: 'integer', minimum: 1 } },
    required: ['category'],
  },
  render: async (props) => h('ul', { class: 'news' }, `${String(props.category)}:${String(props.limit)}`),
}

async function rejection(promise: unknown): Promise<IxpError> {
  try {
    await promise
  } catch (error) {
    return error as IxpError
  }
  throw new Error('expected a rejection')
}

describe('composeComponents: rendering', () => {
  it('renders every part with mapped props inside a layout node, in order', async () => {
    const dashboard = composeComponents({
      name: 'user-dashboard',
      description: 'Weather and news',
      layout: 'grid',
      layoutProps: { columns: 2, layout: 'ignored' },
      parts: [
        { component: weather, props: { location: 'user.city', units: 'prefs.units' } },
        { component: news, props: (props) => ({ category: props.topic, limit: 3 }) },
      ],
    })
    expect(dashboard.name).toBe('user-dashboard')
    expect(dashboard.description).toBe('Weather and news')
    const tree = await dashboard.render(
      { user: { city: 'Oslo' }, prefs: { units: 'metric' }, topic: 'tech' },
      {},
    )
    expect(tree).toEqual({
      type: Layout,
      props: { columns: 2, layout: 'grid' },
      children: [h('div', { class: 'weather' }, 'Oslo metric'), h('ul', { class: 'news' }, 'tech:3')],
    })
    expect(JSON.parse(JSON.stringify(tree))).toEqual(tree)
  })

  it('passes every prop (a copy) when a part has no mapping, and defaults the layout to stack', async () => {
    const received: unknown[] = []
    const spy: ServerComponentDefinition = {
      name: 'spy',
      render: (props) => {
        received.push(props)
        props.mutated = true
        return null
      },
    }
    const composed = composeComponents({ name: 'c', parts: [{ component: spy }, { component: spy }] })
    const props = { a: 1 }
    expect(await composed.render(props, {})).toEqual({
      type: Layout,
      props: { layout: 'stack' },
      children: [],
    })
    expect(received).toEqual([
      { a: 1, mutated: true },
      { a: 1, mutated: true },
    ])
    expect(received[0]).not.toBe(received[1])
    expect(props).toEqual({ a: 1 })
  })

  it('leaves a part prop unset when its path leads nowhere, and never reads inherited keys', async () => {
    let received: unknown
    const spy: ServerComponentDefinition = {
      name: 'spy',
      render: (props) => {
        received = props
        return null
      },
    }
    const composed = composeComponents({
      name: 'c',
      parts: [{ component: spy, props: { a: 'x.y', b: 'constructor', c: 'list.1', d: 'toString' } }],
    })
    await composed.render({ x: 'not-an-object', list: ['zero', 'one'] }, {})
    expect(received).toEqual({ c: 'one' })
  })

  it('renders parts in parallel', async () => {
    let running = 0
    let maxRunning = 0
    const slow: ServerComponentDefinition = {
      name: 'slow',
      render: async () => {
        running++
        maxRunning = Math.max(maxRunning, running)
        await new Promise((resolve) => setTimeout(resolve, 20))
        running--
        return 'done'
      },
    }
    const composed = composeComponents({
      name: 'c',
      parts: [{ component: slow }, { component: slow }, { component: slow }],
    })
    expect((await composed.render({}, {})) as { children: unknown[] }).toMatchObject({
      children: ['done', 'done', 'done'],
    })
    expect(maxRunning).toBe(3)
  })

  it('fails with the failing part’s own error, and starts every part even when one throws synchronously', async () => {
    const started: string[] = []
    const throwing: ServerComponentDefinition = {
      name: 'throwing',
      render: () => {
        started.push('throwing')
        throw new IxpError('FORBIDDEN', 'nope')
      },
    }
    const other: ServerComponentDefinition = {
      name: 'other',
      render: async () => {
        started.push('other')
        return 'x'
      },
    }
    const composed = composeComponents({ name: 'c', parts: [{ component: throwing }, { component: other }] })
    expect((await rejection(composed.render({}, {}))).code).toBe('FORBIDDEN')
    expect(started).toEqual(['throwing', 'other'])
    const safe = composeComponents({
      name: 'c2',
      parts: [
        { component: withErrorBoundary(throwing, { fallback: 'part unavailable' }) },
        { component: other },
      ],
    })
    expect(await safe.render({}, {})).toEqual({
      type: Layout,
      props: { layout: 'stack' },
      children: ['part unavailable', 'x'],
    })
  })

  it('rejects a function mapping that returns something else than a plain object', async () => {
    const composed = composeComponents({
      name: 'c',
      parts: [{ component: weather, props: () => null as never }],
    })
    const error = await rejection(composed.render({}, {}))
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toMatch(/part 0: the props mapping returned null/)
  })
})

describe('composeComponents: parts by name', () => {
  function engineWith(...components: ComponentDefinition[]) {
    const engine = createEngine({ logger: undefined })
    for (const component of components) engine.registerComponent(component)
    return engine
  }

  it('looks registered components up at render time through ctx.engine', async () => {
    const composed = composeComponents({
      name: 'dash',
      parts: [{ component: 'weather-card', props: { location: 'city' } }, { component: news }],
    })
    const engine = engineWith(weather, composed)
    engine.registerIntent({
      name: 'dash',
      description: 'Dashboard',
      component: 'dash',
      parameters: { type: 'object' },
    })
    const result = await engine.render({
      intent: { name: 'dash', parameters: {} },
      options: { city: 'Rome', category: 'art' },
    })
    expect(result.tree).toEqual({
      type: Layout,
      props: { layout: 'stack' },
      children: [h('div', { class: 'weather' }, 'Rome '), h('ul', { class: 'news' }, 'art:undefined')],
    })
  })

  it('fails with COMPONENT_NOT_FOUND when the name is not registered or there is no engine', async () => {
    const composed = composeComponents({ name: 'dash', parts: [{ component: 'missing-card' }] })
    const engine = engineWith()
    const missing = await rejection(composed.render({}, { engine } as IxpContext))
    expect(missing.code).toBe('COMPONENT_NOT_FOUND')
    expect(missing.message).toBe("Component 'missing-card' not found (composition 'dash' part 0)")
    expect(missing.details).toEqual({ component: 'missing-card' })
    const noEngine = await rejection(composed.render({}, {}))
    expect(noEngine.code).toBe('COMPONENT_NOT_FOUND')
    expect(noEngine.message).toMatch(
      /^Component 'missing-card' not found: composition 'dash' part 0 .*no engine/,
    )
  })

  it('refuses a registered remote component', async () => {
    const engine = engineWith({
      name: 'Map',
      remoteUrl: 'https://cdn.example.com/map.js',
      exportName: 'StoreMap',
    })
    const composed = composeComponents({ name: 'dash', parts: [{ component: 'Map' }] })
    const error = await rejection(composed.render({}, { engine } as IxpContext))
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toMatch(/'Map' is a remote component/)
  })

  it('stops a composition that contains itself, directly or through another one', async () => {
    const selfish = composeComponents({ name: 'loop-a', parts: [{ component: 'loop-b' }] })
    const other = composeComponents({ name: 'loop-b', parts: [{ component: 'loop-a' }] })
    const engine = engineWith(selfish, other)
    const error = await rejection(selfish.render({}, { engine } as IxpContext))
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toBe("Composition 'loop-a' contains itself: loop-a → loop-b → loop-a.")
    // The same composition twice side by side is not a cycle.
    const leaf: ServerComponentDefinition = { name: 'leaf', render: () => 'leaf' }
    const pair = composeComponents({ name: 'pair', parts: [{ component: leaf }] })
    const twice = composeComponents({ name: 'twice', parts: [{ component: pair }, { component: pair }] })
    expect(await twice.render({}, {})).toMatchObject({
      children: [{ children: ['leaf'] }, { children: ['leaf'] }],
    })
  })
})

describe('composeComponents: definition checks', () => {
  it('reports mistakes at composition time', () => {
    const cases: [unknown, RegExp][] = [
      [null, /options object/],
      [{ parts: [{ component: weather }] }, /name must be a non-empty string/],
      [{ name: 'c', parts: [] }, /parts must be a non-empty array/],
      [
        { name: 'c', parts: [weather] },
        /part 0 looks like a component definition \('weather-card'\); write it as \{ component/,
      ],
      [{ name: 'c', parts: [{ component: '' }] }, /component name is empty/],
      [
        { name: 'c', parts: [{ component: { name: 'Map', remoteUrl: 'x', exportName: 'M' } }] },
        /'Map' has no render function/,
      ],
      [{ name: 'c', parts: [{ component: weather, props: { location: 'a..b' } }] }, /dotted path/],
      [{ name: 'c', parts: [{ component: weather, props: { location: 3 } }] }, /dotted path/],
      [{ name: 'c', parts: [{ component: weather, props: 'location' }] }, /function or an object/],
      [{ name: 'c', layout: 'grid; color: red', parts: [{ component: weather }] }, /layout must be a token/],
      [
        { name: 'c', layoutProps: { gap: () => 1 }, parts: [{ component: weather }] },
        /layoutProps props\.gap: a function/,
      ],
      [
        { name: 'c', layoutProps: 'wide', parts: [{ component: weather }] },
        /layoutProps must be a plain object/,
      ],
    ]
    for (const [options, message] of cases) {
      const error = thrown(() => composeComponents(options as never))
      expect(error.code).toBe('INVALID_DEFINITION')
      expect(error.message).toMatch(message)
    }
  })
})

describe('props schema of a composition', () => {
  it('merges the parts’ object schemas: union of properties and of required', () => {
    const composed = composeComponents({ name: 'c', parts: [{ component: weather }, { component: news }] })
    expect(composed.props).toEqual({
      type: 'object',
      properties: {
        location: { type: 'string' },
        units: { enum: ['metric', 'imperial'] },
        category: { type: 'string' },
        limit: { type: 'integer', minimum: 1 },
      },
      required: ['location', 'category'],
    })
  })

  it('places mapped props at their path, required along it when the part requires them', () => {
    const composed = composeComponents({
      name: 'c',
      parts: [
        { component: weather, props: { location: 'user.address.city', units: 'prefs.units' } },
        { component: news, props: { category: 'user.topic' } },
      ],
    })
    expect(composed.props).toEqual({
      type: 'object',
      properties: {
        user: {
          type: 'object',
          properties: {
            address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            topic: { type: 'string' },
          },
          required: ['address', 'topic'],
        },
        prefs: { type: 'object', properties: { units: { enum: ['metric', 'imperial'] } } },
      },
      required: ['user'],
    })
  })

  it('skips parts by name and function mappings, and takes an explicit schema as is', () => {
    const composed = composeComponents({
      name: 'c',
      parts: [{ component: 'weather-card' }, { component: news, props: () => ({}) }],
    })
    expect(composed.props).toBeUndefined()
    const explicit = { type: 'object', properties: { q: { type: 'string' } } }
    expect(composeComponents({ name: 'c', props: explicit, parts: [{ component: weather }] }).props).toBe(
      explicit,
    )
  })
})

describe('mergeSchemas', () => {
  it('turns conflicting property schemas into allOf, and keeps equal ones once', () => {
    const a = {
      type: 'object',
      properties: { id: { type: 'string' }, n: { type: 'number' } },
      additionalProperties: false,
    }
    const b = {
      type: 'object',
      properties: { id: { type: 'string', format: 'uuid' }, n: { type: 'number' } },
    }
    expect(mergeSchemas(a, b)).toEqual({
      type: 'object',
      properties: {
        id: { allOf: [{ type: 'string' }, { type: 'string', format: 'uuid' }] },
        n: { type: 'number' },
      },
    })
    const c = { type: 'object', properties: { id: { minLength: 3 } } }
    expect((mergeSchemas(mergeSchemas(a, b), c)!.properties as Record<string, unknown>).id).toEqual({
      allOf: [{ type: 'string' }, { type: 'string', format: 'uuid' }, { minLength: 3 }],
    })
  })

  it('combines non-object schemas with allOf and ignores an absent side', () => {
    const anyOf = { anyOf: [{ type: 'object' }, { type: 'null' }] }
    const object = { type: 'object', properties: {} }
    expect(mergeSchemas(anyOf, object)).toEqual({ allOf: [anyOf, object] })
    expect(mergeSchemas(undefined, object)).toBe(object)
    expect(mergeSchemas(object, undefined)).toBe(object)
  })

  it('keeps a __proto__ property as a property without touching prototypes', () => {
    const a = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}')
    const merged = mergeSchemas(a, { type: 'object', properties: { x: { type: 'number' } } })!
    const properties = merged.properties as Record<string, unknown>
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype)
    expect(Object.keys(properties)).toEqual(['__proto__', 'x'])
  })
})
