import { describe, expect, it } from 'vitest'
import {
  checkIntent,
  computeTtl,
  createEngine,
  IxpError,
  type ComponentDefinition,
  type IntentDefinition,
} from '../src/index.js'
import { loadComponents, loadIntents } from '../src/reference-files/index.js'

const intentsFile = {
  intents: [
    {
      name: 'show_weather',
      description: 'Weather',
      component: 'WeatherCard',
      version: '1.0.0',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      crawlable: true,
      extra: { kept: 1 },
    },
    {
      name: 'old_weather',
      description: 'Old',
      component: 'WeatherCard',
      version: '1.0.0',
      parameters: { type: 'object', properties: {} },
      deprecated: true,
    },
  ],
  metadata: { ignored: true },
}
const componentsFile = {
  components: {
    WeatherCard: {
      name: 'ignored-name',
      framework: 'react',
      remoteUrl: 'http://localhost:5173/weather.js',
      exportName: 'WeatherCard',
      version: '1.0.0',
      propsSchema: { type: 'object', properties: { city: { type: 'string' } } },
      allowedOrigins: ['http://localhost:3000'],
      performance: { tti: '1.2s', bundleSizeGzipped: '80KB' },
    },
  },
}

function issuesOf(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    expect((error as IxpError).code).toBe('INVALID_DEFINITION')
    return (error as IxpError).details?.issues
  }
  throw new Error('expected INVALID_DEFINITION')
}

describe('reference files', () => {
  it('load unchanged and render with the reference TTLs', async () => {
    const engine = createEngine()
    for (const component of loadComponents(componentsFile)) engine.registerComponent(component)
    for (const intent of loadIntents(intentsFile)) engine.registerIntent(intent)
    expect(engine.components.get('WeatherCard')?.securityPolicy).toEqual({
      allowEval: false,
      sandboxed: true,
      maxBundleSize: '200KB',
    })
    expect(engine.intents.get('show_weather')?.extra).toEqual({ kept: 1 })
    const result = await engine.render({ intent: { name: 'show_weather', parameters: { city: 'Oslo' } } })
    expect(result.record).toEqual({
      moduleUrl: 'http://localhost:5173/weather.js',
      exportName: 'WeatherCard',
      props: { city: 'Oslo' },
    })
    expect(result.ttl).toBe(900)
  })

  it('report every problem with its JSON path', () => {
    expect(
      issuesOf(() =>
        loadIntents({
          intents: [
            { name: 'a', description: '', component: 'C', parameters: { type: 'array' } },
            { ...intentsFile.intents[0], name: 'a' },
            'x',
          ],
        }),
      ),
    ).toEqual([
      { path: 'intents.0.description', message: 'must be a non-empty string' },
      { path: 'intents.0.parameters.type', message: "must be 'object'" },
      { path: 'intents.0.version', message: 'must be a non-empty string' },
      { path: 'intents.2', message: 'must be an object' },
      { path: 'intents.1.name', message: "duplicates intent 'a'" },
    ])
    const bad = structuredClone(componentsFile) as { components: Record<string, Record<string, unknown>> }
    Object.assign(bad.components.WeatherCard!, {
      framework: 'svelte',
      performance: { bundleSizeGzipped: '80 KB', tti: 'fast' },
      securityPolicy: { csp: { 'script-src': ["'self'", "'unsafe-eval'"], 'made-up': [] } },
      propsSchema: { type: 'object', properties: { when: { type: 'date' } } },
    })
    expect(issuesOf(() => loadComponents(bad))).toEqual([
      { path: 'components.WeatherCard.framework', message: 'must be one of react, vue, vanilla' },
      {
        path: 'components.WeatherCard.propsSchema.properties.when.type',
        message: 'must be one of string, number, boolean, object, array',
      },
      {
        path: 'components.WeatherCard.performance.bundleSizeGzipped',
        message: 'must match ^\\d+(\\.\\d+)?(KB|MB)$',
      },
      { path: 'components.WeatherCard.performance.tti', message: 'must match ^\\d+(\\.\\d+)?(ms|s)$' },
      {
        path: 'components.WeatherCard.securityPolicy.csp.script-src',
        message: "must not allow 'unsafe-eval'",
      },
      { path: 'components.WeatherCard.securityPolicy.csp.made-up', message: 'is not a known CSP directive' },
    ])
    expect(issuesOf(() => loadIntents({}))).toEqual([
      { path: 'intents', message: 'must be an array of intents' },
    ])
    expect(issuesOf(() => loadComponents({ components: [] }))).toEqual([
      { path: 'components', message: 'must be an object keyed by component name' },
    ])
  })
})

describe('intent examples', () => {
  const base = {
    name: 'find_store',
    description: 'Finds a store',
    component: 'Card',
    parameters: { type: 'object' },
  }

  it('are strings or { text, entities } objects whose spans lie inside the text', () => {
    const ok = [
      'stores in seattle',
      { text: 'stores in Seattle', entities: [{ start: 10, end: 17, entity: 'city' }] },
      { text: 'any store' },
    ]
    expect(checkIntent({ ...base, examples: ok })).toEqual([])
    const issues = checkIntent({
      ...base,
      examples: [
        3,
        {
          text: 'abc',
          entities: [
            { start: 2, end: 9, entity: 'x' },
            { start: -1, end: 1, entity: 'y' },
          ],
        },
        { text: 'abc', entities: [{ start: 0, end: 1, entity: '' }] },
      ],
    })
    expect(issues.map((issue) => issue.path)).toEqual([
      'examples.0',
      'examples.1.entities.0.end',
      'examples.1.entities.1.start',
      'examples.2.entities.0.entity',
    ])
  })
})

describe('TTL rules', () => {
  const intent = (extra: Partial<IntentDefinition> = {}) =>
    ({
      name: 'i',
      description: 'd',
      component: 'C',
      parameters: { type: 'object' },
      ...extra,
    }) as IntentDefinition
  const component = (extra: Record<string, unknown> = {}) =>
    ({ name: 'C', remoteUrl: '/c.js', exportName: 'C', ...extra }) as ComponentDefinition
  it.each([
    ['plain', intent(), component(), 300],
    ['deprecated intent', intent({ deprecated: true }), component(), 60],
    ['deprecated component', intent(), component({ deprecated: true }), 60],
    ['crawlable', intent({ crawlable: true }), component(), 600],
    ['crawlable beats deprecated', intent({ crawlable: true, deprecated: true }), component(), 600],
    ['large bundle', intent(), component({ performance: { bundleSizeGzipped: '80KB' } }), 900],
    [
      'large bundle beats deprecated',
      intent({ deprecated: true }),
      component({ performance: { bundleSizeGzipped: '51KB' } }),
      900,
    ],
    ['50KB is not large', intent(), component({ performance: { bundleSizeGzipped: '50KB' } }), 300],
    ['MB never raises', intent(), component({ performance: { bundleSizeGzipped: '2MB' } }), 300],
    [
      '60.5KB reads as 5 (reference quirk)',
      intent(),
      component({ performance: { bundleSizeGzipped: '60.5KB' } }),
      300,
    ],
    ["intent's own ttl wins", intent({ ttl: 5, crawlable: true }), component(), 5],
  ])('%s → %i', (_label, i, c, expected) => {
    expect(computeTtl(i, c)).toBe(expected)
  })
})
