/**
 * The error codes of @ixp/plugin-workflows, with their HTTP status. Definition problems use the core's
 * `INVALID_DEFINITION` and bad input the core's `INVALID_REQUEST`; these are the workflow-specific ones.
 */
import { IxpError, type IxpErrorOptions } from '@ixp/core'

export const WorkflowErrorCodes = {
  /** `runWorkflow()` was asked for a workflow id that no installed workflows plugin registered. */
  WORKFLOW_NOT_FOUND: 404,
  /** The workflow did not finish within its `timeout`; running steps were cancelled. */
  WORKFLOW_TIMEOUT: 504,
  /** One attempt of a step did not finish within the step's `timeout`. */
  WORKFLOW_STEP_TIMEOUT: 504,
  /** A step was stopped before it finished because the run ended (another step failed, timeout, caller left). */
  WORKFLOW_STEP_CANCELLED: 499,
  /** A step's `condition` threw. */
  WORKFLOW_CONDITION_FAILED: 500,
  /** A step's `transform` threw or did not return an object. */
  WORKFLOW_TRANSFORM_FAILED: 500,
  /** A step ran a nested workflow whose run failed. */
  WORKFLOW_NESTED_FAILED: 502,
  /** Workflows nested deeper than `maxDepth`, or a workflow re-entered itself through its steps. */
  WORKFLOW_DEPTH_EXCEEDED: 508,
  /** `workflows(options)` got an option it cannot use (reported at creation). */
  WORKFLOW_INVALID_OPTIONS: 500,
  /** `plugin.run()` was called before the plugin was installed on an engine. */
  WORKFLOW_NOT_INSTALLED: 500,
} as const

export type WorkflowErrorCode = keyof typeof WorkflowErrorCodes

/** An `IxpError` with one of this plugin's codes; its message is ours, so it may be shown to callers. */
export function workflowError(
  code: WorkflowErrorCode,
  message: string,
  options: Omit<IxpErrorOptions, 'status'> = {},
): IxpError {
  return new IxpError(code, message, { expose: true, ...options, status: WorkflowErrorCodes[code] })
}
