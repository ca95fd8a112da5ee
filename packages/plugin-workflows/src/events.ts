/** The events of a workflows plugin (eventemitter3, typed). Listeners run synchronously; keep them cheap. */
import type { IxpError } from '@ixp/core'
import type { WorkflowError, WorkflowResult, WorkflowStatus } from './types.js'

/** Which run and step an event is about. */
export interface StepEventBase {
  workflowId: string
  runId: string
  stepId: string
}

export interface WorkflowEvents {
  /** A run started (after its input was validated). `depth` is 0 for a top-level run. */
  'workflow:start': [event: { workflowId: string; runId: string; input: unknown; depth: number }]
  /** A run ended, compensation included. */
  'workflow:end': [
    event: {
      workflowId: string
      runId: string
      status: WorkflowStatus
      durationMs: number
      error?: WorkflowError
      result: WorkflowResult
    },
  ]
  /** An attempt of a step started (`attempt` counts from 1). */
  'step:start': [event: StepEventBase & { attempt: number; intentName?: string }]
  /** A step completed. */
  'step:success': [event: StepEventBase & { attempts: number; durationMs: number; result: unknown }]
  /**
   * A step ended without a result: it failed for good (retries spent or not retryable), or it was cancelled
   * (`cancelled: true`) because the run ended first.
   */
  'step:failure': [
    event: StepEventBase & { attempts: number; durationMs: number; error: IxpError; cancelled: boolean },
  ]
  /** An attempt failed and the step will try again after `delayMs`. */
  'step:retry': [event: StepEventBase & { attempt: number; delayMs: number; error: IxpError }]
  /** A step's condition returned false. */
  'step:skipped': [event: StepEventBase]
  /** An attempt of a completed step's compensation started (the run failed). */
  'compensation:start': [event: StepEventBase & { attempt: number }]
  /** A compensation attempt failed and will be tried again after `delayMs`. */
  'compensation:retry': [event: StepEventBase & { attempt: number; delayMs: number; error: IxpError }]
  'compensation:success': [event: StepEventBase & { attempts: number; durationMs: number }]
  'compensation:failure': [event: StepEventBase & { attempts: number; durationMs: number; error: IxpError }]
}
