/**
 * The workflows plugin. On `apply` it registers the `WorkflowResult` component (unless one exists) and one
 * intent `workflow_<id>` per workflow; when the engine is ready it checks that every intent the steps call
 * exists and that nested workflows do not loop. A run is that intent's handler.
 */
import { Stage, coreError, type Engine, type IxpContext, type IxpPlugin, isObject } from '@ixp/core'
import { EventEmitter } from 'eventemitter3'
import { checkAgainstEngine } from './checks.js'
import { WORKFLOW_RESULT_COMPONENT, workflowResultComponent } from './component.js'
import { compileWorkflow, type CompiledWorkflow } from './define.js'
import { workflowError } from './errors.js'
import type { WorkflowEvents } from './events.js'
import { Executor } from './executor.js'
import { workflowIntent } from './intent.js'
import { resolveOptions, type Settings, type WorkflowsOptions } from './options.js'
import { checkNesting } from './nesting.js'
import { WorkflowRun } from './run.js'
import { runWorkflow, type RunWorkflowOptions } from './run-workflow.js'
import type { WorkflowDefinition, WorkflowResult } from './types.js'

export const PLUGIN_NAME = '@ixp/plugin-workflows'
const PLUGIN_VERSION = '0.1.0'

/** The plugin object `workflows()` returns: install it with `engine.use()`, keep it to run and observe. */
export interface WorkflowsPlugin extends IxpPlugin {
  /** Run and step events: `workflow:start|end`, `step:start|success|failure|retry|skipped`, `compensation:*`. */
  readonly events: EventEmitter<WorkflowEvents>
  /** The workflows this plugin serves, in the order given. */
  readonly workflows: readonly WorkflowDefinition<any>[]
  /** `runWorkflow(engine, id, input, ctx, options)` on the engine this plugin is installed on. */
  run(id: string, input: unknown, ctx?: IxpContext, options?: RunWorkflowOptions): Promise<WorkflowResult>
}

class Workflows implements WorkflowsPlugin {
  readonly name = PLUGIN_NAME
  readonly version = PLUGIN_VERSION
  readonly events = new EventEmitter<WorkflowEvents>()
  readonly #settings: Settings
  readonly #compiled: readonly CompiledWorkflow[]
  #engine: Engine | undefined

  constructor(options: WorkflowsOptions) {
    this.#settings = resolveOptions(options)
    const compiled = (options.workflows ?? []).map((definition) => compileWorkflow(definition))
    const seen = new Set<string>()
    for (const workflow of compiled) {
      if (seen.has(workflow.id)) {
        throw coreError(
          'INVALID_DEFINITION',
          { reason: `Two workflows have the id '${workflow.id}'; workflow ids must be unique` },
          { details: { workflow: workflow.id } },
        )
      }
      seen.add(workflow.id)
    }
    this.#compiled = compiled
  }

  get workflows(): readonly WorkflowDefinition<any>[] {
    return this.#compiled.map((workflow) => workflow.definition)
  }

  apply(engine: Engine): () => void {
    if (this.#engine) {
      throw workflowError('WORKFLOW_INVALID_OPTIONS', {
        problem: 'this plugin is already installed on an engine; create one per engine',
      })
    }
    const executor = new Executor(engine, this.#settings)
    const deps = { engine, settings: this.#settings, executor, events: this.events }
    const undo: (() => void)[] = []
    try {
      if (!engine.components.has(WORKFLOW_RESULT_COMPONENT))
        undo.push(engine.registerComponent(workflowResultComponent))
      for (const workflow of this.#compiled) {
        undo.push(
          engine.registerIntent(
            workflowIntent(workflow, async (params, ctx) => {
              const stack = checkNesting(workflow.id, ctx, this.#settings.maxDepth)
              const context = isObject(params.context) ? params.context : {}
              const run = new WorkflowRun(deps, workflow, params.input, context, ctx, stack)
              return { ...(await run.execute()) }
            }),
          ),
        )
      }
    } catch (error) {
      for (const step of undo.reverse()) step()
      throw error
    }
    // Intents registered after this plugin (by the application or later plugins) count: check when ready.
    const check = () => checkAgainstEngine(engine, this.#compiled)
    if (engine.isReady) check()
    else
      engine.hooks.ready.tapPromise({ name: `${PLUGIN_NAME}:references`, stage: Stage.DEFAULT }, async () =>
        check(),
      )
    this.#engine = engine
    // `engine.runWorkflow(id, input, ctx)`, for as long as the plugin is installed (declared optional on Engine).
    const runOnEngine: NonNullable<Engine['runWorkflow']> = (id, input, ctx, options) =>
      runWorkflow(engine, id, input, ctx, options)
    engine.runWorkflow = runOnEngine
    return () => {
      for (const step of undo.reverse()) step()
      if (engine.runWorkflow === runOnEngine) delete engine.runWorkflow
      this.#engine = undefined
    }
  }

  run(
    id: string,
    input: unknown,
    ctx: IxpContext = {},
    options: RunWorkflowOptions = {},
  ): Promise<WorkflowResult> {
    if (!this.#engine) {
      return Promise.reject(workflowError('WORKFLOW_NOT_INSTALLED'))
    }
    return runWorkflow(this.#engine, id, input, ctx, options)
  }
}

/**
 * Creates the workflows plugin: each workflow becomes the intent `workflow_<id>`, rendered as `WorkflowResult`.
 * Definitions are checked here (`INVALID_DEFINITION` names the workflow and step); the intents they call are
 * checked when the engine is ready.
 */
export function workflows(options: WorkflowsOptions = {}): WorkflowsPlugin {
  return new Workflows(options)
}
