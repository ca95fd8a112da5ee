/** Test set-up: a real OpenTelemetry SDK with an in-memory exporter, engines, and span-tree helpers. */
// A remote component is registered below: its checks come with `@ixp/core/remote`.
import '@ixp/core/remote'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
} from '@opentelemetry/sdk-trace'
import {
  createEngine,
  IxpError,
  silentLogger,
  Stage,
  type Engine,
  type IntentDefinition,
  type IntentHandler,
  type IxpPlugin,
} from '@ixp/core'

export interface Sdk {
  provider: TracerProvider
  exporter: InMemorySpanExporter
  spans(): ReadableSpan[]
  shutdown(): Promise<void>
}

/** An SDK whose spans land in memory; `global` also registers it (and a context manager) process-wide. */
export function createSdk(
  options: { global?: boolean; contextManager?: boolean; sampler?: Sampler } = {},
): Sdk {
  const exporter = new InMemorySpanExporter()
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(options.sampler ? { sampler: options.sampler } : {}),
  })
  let manager: AsyncLocalStorageContextManager | undefined
  if (options.contextManager ?? options.global) {
    manager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(manager)
  }
  if (options.global) trace.setGlobalTracerProvider(provider)
  return {
    provider,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await provider.shutdown()
      trace.disable()
      context.disable()
      propagation.disable()
      manager?.disable()
    },
  }
}

export const parentId = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

/** The one finished span named `name` (fails when there is none or several). */
export function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name)
  if (found.length !== 1) {
    throw new Error(
      `expected one span '${name}', found ${found.length} in [${spans.map((s) => s.name).join(', ')}]`,
    )
  }
  return found[0]!
}

/** `name (children…)` lines, children in start order: the shape of a trace, for `toEqual`. */
export function tree(spans: ReadableSpan[], root?: ReadableSpan): string[] {
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  const roots = root ? [root] : spans.filter((span) => !parentId(span) || !ids.has(parentId(span)!))
  const lines: string[] = []
  const walk = (span: ReadableSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${span.name}`)
    const children = spans
      .filter((child) => parentId(child) === span.spanContext().spanId)
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
    for (const child of children) walk(child, depth + 1)
  }
  for (const span of roots) walk(span, 0)
  return lines
}

export const PRODUCT_PARAMETERS = {
  type: 'object',
  properties: { productId: { type: 'string', minLength: 1 } },
  required: ['productId'],
}

/** An engine with `product_details` (handler + server component) and `store_locator` (remote component). */
export async function productEngine(
  plugins: IxpPlugin[],
  options: { handler?: IntentHandler; intent?: Partial<IntentDefinition> } = {},
): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger, plugins })
  engine.registerComponent({
    name: 'ProductCard',
    render: (props) => ({ type: 'card', props: { title: String(props.name) }, children: [] }),
  })
  engine.registerComponent({
    name: 'StoreLocator',
    remoteUrl: 'https://cdn.example.com/store-locator.js',
    exportName: 'StoreLocator',
  })
  engine.registerIntent({
    name: 'product_details',
    description: 'Product details',
    component: 'ProductCard',
    parameters: PRODUCT_PARAMETERS,
    handler: options.handler ?? (async (params) => ({ name: `Product ${String(params.productId)}` })),
    ...options.intent,
  })
  engine.registerIntent({
    name: 'store_locator',
    description: 'Find a store',
    component: 'StoreLocator',
    parameters: { type: 'object', properties: {} },
  })
  await engine.ready()
  return engine
}

/** A stand-in auth plugin: puts `ctx.user` from the `x-user` header, refuses `x-user: blocked`. */
export function headerUser(): IxpPlugin {
  return {
    name: 'test-user',
    apply(engine) {
      engine.hooks.admission.tap({ name: 'test-user', stage: Stage.AUTH }, (state) => {
        const user = state.context.headers?.['x-user']
        if (user === 'blocked') throw new IxpError('FORBIDDEN', 'This user may not render')
        if (user !== undefined) state.context.user = { id: user }
      })
    },
  }
}
