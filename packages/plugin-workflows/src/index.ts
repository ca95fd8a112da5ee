/**
 * @ixp/plugin-workflows — run intents as workflow steps: sequential and parallel, conditional, mapped,
 * retried, timed out and compensated; each workflow is served as the intent `workflow_<id>`.
 * This file is the package's public API. It imports nothing Node-specific.
 */
export { workflows, type WorkflowsPlugin } from './plugin.js'
export { defineWorkflow } from './define.js'
export { runWorkflow, workflowResultOf, type RunWorkflowOptions } from './run-workflow.js'
export { isRetryable, type WorkflowsOptions } from './options.js'
export { systemClock, type WorkflowClock } from './clock.js'
export { renderWorkflowResult, WORKFLOW_RESULT_COMPONENT } from './component.js'
export { WorkflowErrorCodes, type WorkflowErrorCode } from './errors.js'
export type { StepEventBase, WorkflowEvents } from './events.js'
export type {
  CompensationRecord,
  CompensationStep,
  ErrorHandling,
  ParamMapping,
  StepAction,
  StepCondition,
  StepError,
  StepFunction,
  StepRecord,
  StepResults,
  StepScope,
  StepStatus,
  StepTransform,
  WorkflowDefinition,
  WorkflowError,
  WorkflowIntentOptions,
  WorkflowResult,
  WorkflowStatus,
  WorkflowStep,
  WorkflowTrace,
} from './types.js'
