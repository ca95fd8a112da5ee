/**
 * The engine every HTTP test serves: the reference-format fixture files, plus a server-rendered component, a
 * small resolver, an intent that waits (for deadlines and aborts) and one whose handler throws.
 * Runtime-neutral: the same module runs under vitest and inside workerd.
 */
// A remote component is registered below: its checks come with `@ixp/core/remote`.
import '@ixp/core/remote'
import {
  createEngine,
  IxpError,
  silentLogger,
  Stage,
  type Engine,
  type EngineOptions,
  type Logger,
} from '@ixp/core'
import { loadComponents, loadIntents } from '@ixp/core/reference-files'
import { h } from '@ixp/core/tree'
import componentsFile from './fixtures/components.json'
import intentsFile from './fixtures/intents.json'

/** Log lines written during a test, to check what reaches the server log. */
export interface CapturedLog {
  level: string
  message: string
  fields: Record<string, unknown> | undefined
}

export function captureLogger(into: CapturedLog[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    // The reference file's ghost_intent has no component on purpose; ready() warns about it once (start-up,
    // not the requests these tests look at).
    if (message.startsWith("intent 'ghost_intent' renders component")) return
    into.push({ level, message, fields })
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** How long `slow_report` waits unless its signal aborts first. */
export const SLOW_MS = 1_500

/** Aborted `slow_report` runs, observed through the handler's signal (transport abort tests read it). */
export const observed = { aborted: 0, started: 0 }

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        observed.aborted++
        resolve()
      },
      { once: true },
    )
  })
}

export function createTestEngine(options: EngineOptions = {}): Engine {
  // The reference intents file names components its components file lacks: they must answer 404 at render
  // time, as the reference server does, instead of failing ready().
  const engine = createEngine({
    logger: silentLogger,
    ...options,
    validation: { missingComponents: 'warn', ...options.validation },
  })
  for (const component of loadComponents(componentsFile)) engine.registerComponent(component)
  for (const intent of loadIntents(intentsFile)) engine.registerIntent(intent)

  engine.registerComponent({
    name: 'Greeting',
    description: 'A greeting rendered on the server',
    render: (props) => h('p', { class: 'greeting' }, `Hello, ${String(props.name)}`),
  })
  engine.registerIntent({
    name: 'greet',
    description: 'Greet someone by name',
    component: 'Greeting',
    parameters: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 } },
      required: ['name'],
    },
    examples: ['say hello to Ada'],
  })
  engine.registerIntent({
    name: 'slow_report',
    description: 'A report that takes a while',
    component: 'Greeting',
    parameters: { type: 'object', properties: {} },
    handler: async (_params, ctx) => {
      observed.started++
      await wait(SLOW_MS, ctx.signal)
      return { name: 'slow' }
    },
  })
  engine.registerIntent({
    name: 'explode',
    description: 'A handler that fails unexpectedly',
    component: 'Greeting',
    parameters: { type: 'object', properties: {} },
    handler: () => {
      throw new Error('connection to postgres://admin:hunter2@db.internal failed')
    },
  })
  engine.registerComponent({
    name: 'ContextCard',
    remoteUrl: 'https://cdn.example.com/context-card.js',
    exportName: 'ContextCard',
  })
  engine.registerIntent({
    name: 'echo_context',
    description: 'Shows what the transport put into the context',
    component: 'ContextCard',
    parameters: { type: 'object', properties: {} },
    handler: (_params, ctx) => ({
      cache: ctx.cache ?? null,
      query: ctx.query ?? null,
      requestId: ctx.requestId ?? null,
      origin: ctx.origin ?? null,
      hasSignal: ctx.signal !== undefined,
      userAgent: ctx.headers?.['user-agent'] ?? null,
    }),
  })
  engine.registerIntent({
    name: 'limited',
    description: 'Always over its rate limit',
    component: 'Greeting',
    parameters: { type: 'object', properties: {} },
  })
  engine.registerIntent({
    name: 'cached_greeting',
    description: 'Answered from a cache',
    component: 'Greeting',
    parameters: { type: 'object', properties: {} },
    handler: () => ({ name: 'cache' }),
  })

  // A tiny resolver: "say hello to <name>" → greet.
  engine.hooks.resolve.tapPromise({ name: 'test:resolver', stage: Stage.SEMANTIC }, async (query) => {
    // "greet someone": the intent without the name it needs; "hello or theme": ambiguous.
    if (/greet someone/i.test(query.text))
      return {
        matched: true,
        intent: 'greet',
        parameters: {},
        missing: ['name'],
        confidence: 0.8,
        alternatives: [],
        source: 'test',
      }
    if (/hello or theme/i.test(query.text))
      return {
        matched: false,
        intent: null,
        reason: 'ambiguous',
        confidence: 0.4,
        alternatives: [
          { intent: 'greet', confidence: 0.4 },
          { intent: 'pick_theme', confidence: 0.35 },
        ],
        source: 'test',
      }
    const match = /hello to (\w+)/i.exec(query.text)
    if (!match) return undefined
    return {
      matched: true,
      intent: 'greet',
      parameters: { name: match[1]! },
      confidence: 0.9,
      alternatives: [],
      source: 'test',
    }
  })
  // Errors and answers carrying transport hints, as rate-limit and cache plugins produce them.
  engine.hooks.admission.tapPromise({ name: 'test:limits', stage: Stage.RATE_LIMIT }, async (state) => {
    if (state.intent.name === 'limited') {
      throw new IxpError('RATE_LIMITED', 'Too many requests; retry in 7 seconds', {
        headers: { 'Retry-After': '7' },
        details: { retryAfter: 7 },
      })
    }
  })
  engine.hooks.afterRender.tapPromise({ name: 'test:cache' }, async (result, state) => {
    if (state.intent.name === 'cached_greeting') {
      result.meta.cache = 'hit'
      result.meta.headers = { 'x-ratelimit-remaining': '41' }
    }
    return result
  })
  return engine
}
