/**
 * The engine's hooks: one frozen object of typed tapable hooks, created per engine. Every hook is made
 * portable so it also runs where code generation from strings is forbidden (Cloudflare workerd, Vercel Edge).
 */
// Named imports: tapable is CommonJS with `__esModule` and no default export, so bundlers without Node's
// interop read a default import as `undefined`.
import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncWaterfallHook } from 'tapable'
import type { Engine } from '../engine.js'
import type { IxpError } from '../errors.js'
import type {
  ComponentDefinition,
  IntentDefinition,
  IxpContext,
  RenderMeta,
  RenderNode,
  RenderRequest,
  RenderResult,
  ResolveOutcome,
  ResolveQuery,
} from '../types.js'
import { makePortable, type CodeGeneration } from './portable.js'

/** What every render-path hook receives: the request and what the engine knows so far. */
export interface RenderState {
  readonly request: RenderRequest
  readonly context: IxpContext
  readonly intent: IntentDefinition
  readonly component: ComponentDefinition
  /** Validated parameters; `undefined` before validation (during `admission`). */
  parameters: Record<string, unknown> | undefined
  /** Whether the intent's handler ran (`false` while it has not, or when a plugin answered in `beforeHandler`). */
  handled?: boolean
  /** What the handler returned, once it ran (`undefined` when it returned nothing). */
  data?: Record<string, unknown> | undefined
  /** Facts about the render, copied into the result's `meta`; plugins may add fields. */
  readonly meta: RenderMeta
  /** Aborted at the render deadline or when the caller's own signal aborts. */
  readonly signal: AbortSignal
  /** `performance.now()` at the start of the render. */
  readonly startedAt: number
}

/** Where an error happened, for the `error` hook. */
export interface ErrorInfo {
  readonly phase: 'render' | 'resolve'
  readonly context: IxpContext
  readonly request?: RenderRequest
  readonly query?: ResolveQuery
  /** The render state when the error happened after the intent was found. */
  readonly state?: RenderState
}

/** Why a list of intents or components is being asked for (auth shows crawlers public intents only). */
export type DiscoveryPurpose = 'list' | 'crawler' | 'resolve'

/** The engine's hooks. Tap them with `{ name, stage }` (see {@link Stage}); every tap must be named. */
export interface EngineHooks {
  /** Sync waterfall, on `registerIntent`: return the (possibly decorated) definition, or throw to refuse it. */
  readonly registerIntent: SyncWaterfallHook<[IntentDefinition]>
  /** Sync waterfall, on `registerComponent`: return the (possibly decorated) definition, or throw to refuse it. */
  readonly registerComponent: SyncWaterfallHook<[ComponentDefinition]>
  /** Async series bail, on `resolve()`: the first tap returning an outcome wins (exact names run first). */
  readonly resolve: AsyncSeriesBailHook<[ResolveQuery, IxpContext], ResolveOutcome | undefined>
  /** Async series, before validation: throw an IxpError (`UNAUTHORIZED`, `FORBIDDEN`, `RATE_LIMITED`) to refuse. */
  readonly admission: AsyncSeriesHook<[RenderState]>
  /** Async series bail, after validation and before the handler: return a result to short-circuit (cache hit). */
  readonly beforeHandler: AsyncSeriesBailHook<[RenderState], RenderResult | undefined>
  /** Async series waterfall, after the intent's handler: receives and returns the merged props. */
  readonly handler: AsyncSeriesWaterfallHook<[Record<string, unknown>, RenderState]>
  /** Async series waterfall, after a server component rendered: receives and returns the tree. */
  readonly render: AsyncSeriesWaterfallHook<[RenderNode, RenderState]>
  /** Async series waterfall, on every result (cache hits included): receives and returns the result. */
  readonly afterRender: AsyncSeriesWaterfallHook<[RenderResult, RenderState]>
  /** Async series, when a render or resolve fails: observe the error (it is re-thrown afterwards). */
  readonly error: AsyncSeriesHook<[IxpError, ErrorInfo]>
  /**
   * Async series waterfall: filter the intents a caller may see. For `purpose: 'resolve'` the list holds only
   * the resolve outcome's intent and alternatives, not every registered intent.
   */
  readonly discoverIntents: AsyncSeriesWaterfallHook<[IntentDefinition[], IxpContext, DiscoveryPurpose]>
  /** Async series waterfall: filter the components a caller may see. */
  readonly discoverComponents: AsyncSeriesWaterfallHook<[ComponentDefinition[], IxpContext, DiscoveryPurpose]>
  /** Async series, once in `ready()` after every plugin was applied. */
  readonly ready: AsyncSeriesHook<[Engine]>
  /** Async series, once in `close()` before plugin teardowns. */
  readonly close: AsyncSeriesHook<[Engine]>
}

/** Creates a fresh, frozen set of hooks. `codeGeneration: 'off'` forces the portable interpreter. */
export function createHooks(codeGeneration: CodeGeneration = 'auto'): EngineHooks {
  const hooks: EngineHooks = {
    registerIntent: new SyncWaterfallHook<[IntentDefinition]>(['definition']),
    registerComponent: new SyncWaterfallHook<[ComponentDefinition]>(['definition']),
    resolve: new AsyncSeriesBailHook<[ResolveQuery, IxpContext], ResolveOutcome | undefined>([
      'query',
      'context',
    ]),
    admission: new AsyncSeriesHook<[RenderState]>(['state']),
    beforeHandler: new AsyncSeriesBailHook<[RenderState], RenderResult | undefined>(['state']),
    handler: new AsyncSeriesWaterfallHook<[Record<string, unknown>, RenderState]>(['props', 'state']),
    render: new AsyncSeriesWaterfallHook<[RenderNode, RenderState]>(['tree', 'state']),
    afterRender: new AsyncSeriesWaterfallHook<[RenderResult, RenderState]>(['result', 'state']),
    error: new AsyncSeriesHook<[IxpError, ErrorInfo]>(['error', 'info']),
    discoverIntents: new AsyncSeriesWaterfallHook<[IntentDefinition[], IxpContext, DiscoveryPurpose]>([
      'intents',
      'context',
      'purpose',
    ]),
    discoverComponents: new AsyncSeriesWaterfallHook<[ComponentDefinition[], IxpContext, DiscoveryPurpose]>([
      'components',
      'context',
      'purpose',
    ]),
    ready: new AsyncSeriesHook<[Engine]>(['engine']),
    close: new AsyncSeriesHook<[Engine]>(['engine']),
  }
  for (const hook of Object.values(hooks)) makePortable(hook, codeGeneration)
  return Object.freeze(hooks)
}

export { Stage, type StageName } from './stages.js'
export type { CodeGeneration } from './portable.js'
export { removeTap } from './remove-tap.js'
