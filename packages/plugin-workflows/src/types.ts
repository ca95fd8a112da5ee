/** The public data model of workflows: definitions (what users write) and results (what a run answers). */
import type { IxpContext, JsonSchema, RenderNode } from '@ixp/core'

/** What happens when a step fails: end the run, go on with the next steps, or retry the step first. */
export type ErrorHandling = 'stop' | 'continue' | 'retry'

/**
 * A declarative parameter mapping (see the README, "Parameter mappings"): JSON whose strings starting with `$`
 * are references — `$input.cartId`, `$results.validate.total`, `$context.locale` — and `$$` escapes a
 * literal `$`. Objects and arrays are walked, so references may sit at any depth.
 */
export type ParamMapping =
  string | number | boolean | null | readonly ParamMapping[] | { readonly [key: string]: ParamMapping }

/** Results of the steps that completed so far, by step id (a step's result is its render's `props`). */
export type StepResults = ReadonlyMap<string, unknown>

/** Everything a condition or transform may look at besides its first two arguments. */
export interface StepScope<Input = Record<string, unknown>> {
  readonly workflowId: string
  readonly runId: string
  readonly stepId: string
  /** The workflow's validated input. */
  readonly input: Input
  /** The workflow's `context` parameter (`{}` when the request sent none). */
  readonly context: Record<string, unknown>
  readonly results: StepResults
  /** The context of the workflow's own render: `user`, `headers`, `signal`, … */
  readonly caller: IxpContext
}

/** Decides whether a step runs; `context` is the workflow's `context` parameter. */
export type StepCondition<Input = Record<string, unknown>> = (
  context: Record<string, unknown>,
  results: StepResults,
  scope: StepScope<Input>,
) => boolean | Promise<boolean>

/** Builds a step's parameters from the workflow input and the earlier results. */
export type StepTransform<Input = Record<string, unknown>> = (
  input: Input,
  results: StepResults,
  scope: StepScope<Input>,
) => Record<string, unknown> | Promise<Record<string, unknown>>

/**
 * A step implemented as a function instead of an intent. `ctx` carries the caller's fields and a `signal` that
 * aborts at the step or workflow timeout, or when the caller goes away. Its return value is the step's result.
 */
export type StepFunction = (params: Record<string, unknown>, ctx: IxpContext) => unknown

/** What a step or a compensation does: call an intent (or a function) with parameters. */
export interface StepAction<Input = Record<string, unknown>> {
  /** The intent to render through the engine (auth, rate limits, cache and tracing apply). Or `run`. */
  intentName?: string
  /** A function to call instead of an intent. */
  run?: StepFunction
  /**
   * The parameters, as a mapping of the input and earlier results (checked when the workflow is defined).
   * Without `params` and `transform` the step gets the workflow input (a nested workflow: `{ input, context }`).
   */
  params?: ParamMapping
  /** The parameters, computed by a function (not statically checkable; prefer `params` when it suffices). */
  transform?: StepTransform<Input>
  /** Milliseconds one attempt may take; the attempt's signal aborts then (formerly `timeout`). @default no step timeout */
  timeoutMs?: number
  /** Extra attempts after a retryable failure. @default 0, or the workflow's `maxRetries` under `'retry'` */
  retries?: number
  /** Delay before the first retry, doubled (`retryFactor`) after each. @default the workflow's, else the plugin's */
  retryDelayMs?: number
}

/** Undoes a completed step when the workflow fails; compensations run in reverse step order. */
export type CompensationStep<Input = Record<string, unknown>> = StepAction<Input>

export interface WorkflowStep<Input = Record<string, unknown>> extends StepAction<Input> {
  /** Unique in the workflow: letters, digits, `_` and `-`. Results are read as `$results.<id>`. */
  id: string
  description?: string
  /** Runs the step only when it returns true; a skipped step has no result. */
  condition?: StepCondition<Input>
  /** Joins the parallel group of the step before it: the group's steps run concurrently. */
  parallel?: boolean
  /** Overrides the workflow's `errorHandling` for this step. */
  errorHandling?: ErrorHandling
  /** Undoes this step if it completed and the workflow then fails. */
  compensate?: CompensationStep<Input>
}

/** Fields of the intent `workflow_<id>` a workflow may set (`auth`, `cache`, `tags`, `examples`, …). */
export interface WorkflowIntentOptions {
  description?: string
  version?: string
  deprecated?: boolean
  crawlable?: boolean
  examples?: string[]
  tags?: string[]
  metadata?: Record<string, unknown>
  ttl?: number
  [key: string]: unknown
}

export interface WorkflowDefinition<Input = Record<string, unknown>> {
  /** Letters, digits, `_` and `-`; the workflow is served as the intent `workflow_<id>`. */
  id: string
  name: string
  description: string
  /** JSON Schema (or TypeBox schema) of the input. @default { type: 'object' } */
  input?: JsonSchema
  steps: readonly WorkflowStep<Input>[]
  /** What a failing step does to the run. @default 'stop' */
  errorHandling?: ErrorHandling
  /** Retries of a failing step under `'retry'` (when the step sets no `retries`). @default 3 */
  maxRetries?: number
  /** Delay before a step's first retry. @default the plugin's `retryDelayMs` */
  retryDelayMs?: number
  /** Milliseconds the whole run may take; running steps are cancelled then (formerly `timeout`). @default no workflow timeout */
  timeoutMs?: number
  /** The run's `results`, as a mapping of input and step results. @default every completed step's result by id */
  output?: ParamMapping
  /** Extra fields of the registered intent (`auth`, `cache`, `examples`, `tags`, …). @default {} */
  intent?: WorkflowIntentOptions
}

/** Overall outcome: every step that ran completed, some failed under `'continue'`, or the run failed. */
export type WorkflowStatus = 'completed' | 'partial' | 'failed'

/** A step's outcome; `not_run` steps come after the step that ended a failed run. */
export type StepStatus = 'completed' | 'failed' | 'skipped' | 'cancelled' | 'not_run'

/** An error as a run reports it: the `IxpError`'s code and message (hidden when it is not exposable). */
export interface StepError {
  code: string
  message: string
  details?: Record<string, unknown>
}

export interface WorkflowError extends StepError {
  /** The step whose failure ended the run, when one did. */
  step?: string
}

export interface CompensationRecord {
  status: 'completed' | 'failed'
  attempts: number
  /** Milliseconds, retries included. */
  duration: number
  result?: unknown
  error?: StepError
}

export interface StepRecord {
  id: string
  /** The intent the step renders (absent for a function step). */
  intentName?: string
  /** Index of the step's parallel group (steps of one group ran concurrently). */
  group: number
  status: StepStatus
  attempts: number
  /** Milliseconds from the step's start to its end, retries included (0 when it did not run). */
  duration: number
  /** The step's result: its render's `props`, or what its function returned. */
  result?: unknown
  /** The render tree of an intent step. */
  tree?: RenderNode
  error?: StepError
  compensation?: CompensationRecord
}

/** The outcome of one workflow run: the data of the `WorkflowResult` component. */
export interface WorkflowResult {
  runId: string
  workflowId: string
  name: string
  status: WorkflowStatus
  /** Milliseconds the run took (compensation included). */
  executionTime: number
  /** Every step, in definition order. */
  steps: StepRecord[]
  /** The workflow's `output` mapping, or every completed step's result by step id. */
  results: Record<string, unknown>
  /** Why the run failed. */
  error?: WorkflowError
}

/** Which run and step a render serves; set on every step's context as `ctx.workflow`. */
export interface WorkflowTrace {
  readonly workflowId: string
  readonly runId: string
  readonly stepId: string
  /** Ids of the workflows running, outermost first (its length is the nesting depth). */
  readonly stack: readonly string[]
  /** True while the step's compensation runs (the run failed). */
  readonly compensating?: boolean
}

declare module '@ixp/core' {
  interface IxpContext {
    /** On the context of a workflow step (`@ixp/plugin-workflows`): the run and step it serves. */
    workflow?: WorkflowTrace
  }
  interface Engine {
    /**
     * Runs a workflow as the caller (`@ixp/plugin-workflows`; the same as `runWorkflow(engine, …)`). Present only
     * while the plugin is installed, hence optional: `await engine.runWorkflow?.('checkout', input, ctx)`.
     */
    runWorkflow?: (
      id: string,
      input: unknown,
      ctx?: IxpContext,
      options?: import('./run-workflow.js').RunWorkflowOptions,
    ) => Promise<WorkflowResult>
  }
}
