/**
 * The error codes of @ixp/plugin-workflows, each declared once with its status and message template. Definition
 * problems use the core's `INVALID_DEFINITION` and bad input the core's `INVALID_REQUEST` (built with
 * `coreError`); these are the workflow-specific ones. Their messages are ours, so every one may be shown to
 * callers (`expose: true`, 5xx included): a run record names what failed without leaking user code's errors.
 */
import { defineErrors } from '@ixp/core'

const WORKFLOW_ERRORS = {
  /** `runWorkflow()` was asked for a workflow id that no installed workflows plugin registered. */
  WORKFLOW_NOT_FOUND: {
    status: 404,
    message: "No workflow '{workflow}' is registered (its intent would be '{intent}')",
    expose: true,
  },
  /** The workflow did not finish within its `timeoutMs`; running steps were cancelled. */
  WORKFLOW_TIMEOUT: {
    status: 504,
    message: "Workflow '{workflow}' did not finish within {timeoutMs} ms",
    expose: true,
  },
  /** One attempt of a step did not finish within the step's `timeoutMs`. */
  WORKFLOW_STEP_TIMEOUT: {
    status: 504,
    message: "Step '{step}' of workflow '{workflow}' did not finish within {timeoutMs} ms",
    expose: true,
  },
  /** A step was stopped before it finished because the run ended (another step failed, timeout, caller left). */
  WORKFLOW_STEP_CANCELLED: {
    status: 499,
    message: "Cancelled: step '{failedStep}' of the same parallel group failed",
    expose: true,
  },
  /** A step's `condition` threw (the error is kept as `cause` and logged, not sent). */
  WORKFLOW_CONDITION_FAILED: { status: 500, message: "Step '{step}': its condition threw", expose: true },
  /** A step's `transform` threw or did not return an object. */
  WORKFLOW_TRANSFORM_FAILED: { status: 500, message: "Step '{step}': its transform {problem}", expose: true },
  /** A step ran a nested workflow whose run failed (`details.error` is the nested run's error). */
  WORKFLOW_NESTED_FAILED: {
    status: 502,
    message: "Nested workflow '{workflow}' failed{reason}",
    expose: true,
  },
  /** Workflows nested deeper than `maxDepth`, or a workflow re-entered itself through its steps. */
  WORKFLOW_DEPTH_EXCEEDED: { status: 508, message: "Workflow '{workflow}' {problem}", expose: true },
  /** `workflows(options)` got an option it cannot use (reported at creation). */
  WORKFLOW_INVALID_OPTIONS: { status: 500, message: 'workflows(): {problem}', expose: true },
  /** `plugin.run()` was called before the plugin was installed on an engine. */
  WORKFLOW_NOT_INSTALLED: {
    status: 500,
    message:
      'Install the workflows plugin (engine.use(plugin), then await engine.ready()) before calling run()',
    expose: true,
  },
} as const

/** Builds this package's errors: `workflowError('WORKFLOW_TIMEOUT', { workflow, timeoutMs })`. */
export const workflowError = defineErrors(WORKFLOW_ERRORS)

/** The error codes of @ixp/plugin-workflows, with their status. */
export const WorkflowErrorCodes = workflowError.statuses

export type WorkflowErrorCode = keyof typeof WORKFLOW_ERRORS
