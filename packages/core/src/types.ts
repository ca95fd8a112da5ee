/**
 * The public data model of IXP Engine: intents, components, render trees, contexts and results.
 * Plugins extend {@link IxpContext}, {@link IntentDefinition} and {@link RenderMeta} through
 * declaration merging (`declare module '@ixp/core' { interface IxpContext { user?: … } }`).
 */
import type { Engine } from './engine.js'
import type { IntentKind, TagFunction } from './invalidation.js'

/** A JSON Schema object, as code reads it. */
export type JsonSchema = Record<string, unknown>

/**
 * What definitions accept as a schema: a plain JSON Schema object or a TypeBox schema (TypeBox's types are
 * interfaces without an index signature, so they are not `JsonSchema` to the type checker; at run time they are).
 */
export type SchemaInput = JsonSchema | object

// ---------------------------------------------------------------------------------------------
// Render trees
// ---------------------------------------------------------------------------------------------

/** An element of a render tree: a JSON-serialisable `{ type, props, children }`. */
export interface ElementNode {
  type: string
  props: Record<string, unknown>
  children: RenderNode[]
}

/** Anything a render function may return; `null`, `undefined` and booleans render nothing. */
export type RenderNode = ElementNode | string | number | boolean | null | undefined

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

/**
 * What a transport knows about the caller, handed to every hook, handler and render function.
 * Everything is optional; plugins add their own fields through declaration merging.
 */
export interface IxpContext {
  /** The caller's `Origin` (checked against a component's `allowedOrigins` when present). */
  origin?: string
  /** Request headers, lower-cased names (transports fill it; auth reads `authorization`). */
  headers?: Record<string, string | undefined>
  /** The client's address as the transport saw it (the socket's peer; proxies are plugin-rate-limit's business). */
  ip?: string
  /** A request id for logs and tracing. */
  requestId?: string
  /** Aborted when the caller goes away; the engine also aborts it at the render deadline. */
  signal?: AbortSignal
  /** Per-request cache directive (plugin-cache): skip the cache or force a refresh. */
  cache?: 'bypass' | 'refresh'
  /** The engine serving this request (set by the engine). */
  engine?: Engine
  [key: string]: unknown
}

// ---------------------------------------------------------------------------------------------
// Intents
// ---------------------------------------------------------------------------------------------

/** Handler of an intent: turns validated parameters into extra props (data) for the component. */
export type IntentHandler<Params = Record<string, unknown>> = (
  params: Params,
  ctx: IxpContext,
) => Record<string, unknown> | void | Promise<Record<string, unknown> | void>

/** An entity annotated in an example: `text.slice(start, end)` (UTF-16 offsets) is a value of `entity`. */
export interface ExampleEntity {
  start: number
  end: number
  /** The entity, i.e. the parameter it fills (unless a plugin maps it elsewhere). */
  entity: string
  /** The canonical value when it differs from the text (a synonym's value). */
  value?: unknown
}

/** An example utterance with its annotated entities. */
export interface AnnotatedExample {
  text: string
  entities?: ExampleEntity[]
}

export type IntentExample = string | AnnotatedExample

/** A named action a client can ask for. Unknown fields are kept for plugins (`auth`, `cache`, …). */
export interface IntentDefinition<Params = Record<string, unknown>> {
  /** Unique name, e.g. `order_status`. */
  name: string
  /** What the intent does, for people and for discovery. */
  description: string
  /** JSON Schema (or TypeBox schema) of the parameters object. */
  parameters: SchemaInput
  /** Name of the component that renders the result. */
  component: string
  version?: string
  deprecated?: boolean
  crawlable?: boolean
  /**
   * Example utterances, used by natural-language resolution: plain text (NLU plugins may read Rasa-style
   * markup in it, `play [Daft Punk](artist)`), or text with its entities annotated.
   */
  examples?: IntentExample[]
  tags?: string[]
  metadata?: Record<string, unknown>
  /** Time to live of a render, in seconds; overrides the IXP TTL rules. */
  ttl?: number
  /** `query` (reads; cacheable) or `command` (changes something; never cached). @default 'query' */
  kind?: IntentKind
  /** The data an answer shows (`stock:<sku>`), on the result as `tags`; commands invalidate by them. */
  cacheTags?: readonly string[] | TagFunction<Params>
  /** Commands only: the tags made stale once the command's handler ran and its render succeeded. */
  invalidates?: readonly string[] | TagFunction<Params>
  /**
   * Commands only: running the command twice does no harm (it is idempotent by design), so what retries on a
   * failure — workflow steps — may retry it. Other commands are attempted once. @default false
   */
  retrySafe?: boolean
  handler?: IntentHandler<Params>
  [key: string]: unknown
}

// ---------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------

/** A render function of a server-rendered component. */
export type RenderFunction<Props = Record<string, unknown>> = (
  props: Props,
  ctx: IxpContext,
) => RenderNode | Promise<RenderNode>

/** A component rendered on the server into a render tree. */
export interface ServerComponentDefinition<Props = Record<string, unknown>> {
  name: string
  description?: string
  /** JSON Schema of the props (documentation, composition). */
  props?: SchemaInput
  version?: string
  deprecated?: boolean
  allowedOrigins?: string[]
  render: RenderFunction<Props>
  [key: string]: unknown
}

/** The IXP reference security policy of a remote component. */
export interface SecurityPolicy {
  allowEval?: boolean
  sandboxed?: boolean
  maxBundleSize?: string
  csp?: Record<string, string[]>
  [key: string]: unknown
}

/** A UI module loaded by the client (the IXP reference's component shape). */
export interface RemoteComponentDefinition {
  name: string
  description?: string
  framework?: 'react' | 'vue' | 'vanilla' | (string & {})
  remoteUrl: string
  exportName: string
  propsSchema?: SchemaInput
  version?: string
  allowedOrigins?: string[]
  bundleSize?: string
  performance?: { tti?: string; bundleSizeGzipped?: string; [key: string]: unknown }
  securityPolicy?: SecurityPolicy
  deprecated?: boolean
  render?: undefined
  [key: string]: unknown
}

export type ComponentDefinition<Props = Record<string, unknown>> =
  ServerComponentDefinition<Props> | RemoteComponentDefinition

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

export interface RenderRequest {
  intent: { name: string; parameters?: Record<string, unknown> }
  /** Merged into the props last (the IXP reference's order). */
  options?: Record<string, unknown>
}

/** What the client loads for a remote component. */
export interface RemoteRecord {
  moduleUrl: string
  exportName: string
  props: Record<string, unknown>
}

/** How a plugin-cache answer was produced. */
export type CacheStatus = 'hit' | 'miss' | 'stale' | 'bypass' | 'coalesced'

/** Facts about one render; plugins add fields through declaration merging. */
export interface RenderMeta {
  /** Milliseconds from the start of `render()` to the result. */
  durationMs: number
  cache?: CacheStatus
  requestId?: string
  /** Response hints for transports (rate-limit headers, …); plugin-http sends them as headers. */
  headers?: Record<string, string>
  [key: string]: unknown
}

export interface RenderResult {
  /** The intent's name. */
  intent: string
  /** The component's public description (what `GET /components` lists). */
  component: Record<string, unknown>
  /** Validated parameters, then handler data, then `options`. */
  props: Record<string, unknown>
  /** Seconds the result may be reused. */
  ttl: number
  /** The render tree of a server-rendered component. */
  tree?: RenderNode
  /** The module record of a remote component. */
  record?: RemoteRecord
  /** The data this answer shows: the intent's `cacheTags` for this render (and a cache's own tags). */
  tags?: readonly string[]
  meta: RenderMeta
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/** What `engine.resolve()` accepts: free text, or text with hints. */
export interface ResolveQuery {
  text: string
  /** The intent the conversation was last about (context boosting). */
  previousIntent?: string
  /** How many alternatives to return (default 3). */
  limit?: number
  [key: string]: unknown
}

export interface ResolveAlternative {
  intent: string
  confidence: number
}

export interface ResolveMatch {
  matched: true
  intent: string
  /** Parameters stated in the text (validated against the intent's schema). */
  parameters: Record<string, unknown>
  /** 0–1. */
  confidence: number
  alternatives: ResolveAlternative[]
  /** Required parameters the text did not state. */
  missing?: string[]
  /** Which resolver stage answered. */
  source?: string
}

export interface ResolveNoMatch {
  matched: false
  intent: null
  confidence: number
  alternatives: ResolveAlternative[]
  /**
   * Why nothing matched: no resolver recognised the text, it was judged out of scope, or it is ambiguous
   * (the `alternatives` are plausible: a client can ask "did you mean…").
   */
  reason: 'no-match' | 'out-of-scope' | 'ambiguous'
  source?: string
}

export type ResolveOutcome = ResolveMatch | ResolveNoMatch
