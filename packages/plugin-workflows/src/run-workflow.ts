/** `runWorkflow(engine, id, input, ctx)`: a run through the engine's render path, answered as data. */
import { coreError, type Engine, type IxpContext, type RenderResult } from '@ixp/core'
import { workflowIntentName } from './define.js'
import { workflowError } from './errors.js'
import type { WorkflowResult } from './types.js'

export interface RunWorkflowOptions {
  /** The run's `context` parameter (read by conditions and `$context` references). @default {} */
  context?: Record<string, unknown>
}

const RESULT_FIELDS = [
  'runId',
  'workflowId',
  'name',
  'status',
  'executionTime',
  'steps',
  'results',
  'error',
] as const

/** The run a `workflow_<id>` render answered (its props without the request's `input` and `context`). */
export function workflowResultOf(rendered: RenderResult): WorkflowResult {
  const result: Record<string, unknown> = {}
  for (const field of RESULT_FIELDS) {
    if (rendered.props[field] !== undefined) result[field] = rendered.props[field]
  }
  return result as unknown as WorkflowResult
}

/**
 * Runs the workflow `id` as the caller `ctx` by rendering its intent `workflow_<id>`, so the caller is
 * authenticated, rate limited and traced like any other client. Resolves with the run — also a failed one
 * (`status: 'failed'`, `error`); rejects with `INVALID_REQUEST` for input the workflow's schema refuses,
 * `WORKFLOW_NOT_FOUND` for an unknown id, and whatever refuses the caller (`UNAUTHORIZED`, `RATE_LIMITED`, …).
 */
export async function runWorkflow(
  engine: Engine,
  id: string,
  input: unknown,
  ctx: IxpContext = {},
  options: RunWorkflowOptions = {},
): Promise<WorkflowResult> {
  if (typeof id !== 'string' || id === '') {
    throw coreError('INVALID_REQUEST', {
      reason: 'runWorkflow() needs the id of a workflow (a non-empty string)',
    })
  }
  await engine.ready()
  const name = workflowIntentName(id)
  if (engine.intents.get(name)?.metadata?.isWorkflow !== true) {
    const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id
    throw workflowError(
      'WORKFLOW_NOT_FOUND',
      { workflow: shown, intent: workflowIntentName(shown) },
      { details: { workflow: shown } },
    )
  }
  const parameters: Record<string, unknown> = { input }
  if (options.context !== undefined) parameters.context = options.context
  return workflowResultOf(await engine.render({ intent: { name, parameters } }, ctx))
}
