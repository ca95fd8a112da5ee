/** The guard against runaway nesting: every step's context carries the chain of running workflows. */
import type { IxpContext } from '@ixp/core'
import { workflowError } from './errors.js'

/** Refuses a run nested too deep, or one re-entering a workflow already running in the chain. */
export function checkNesting(workflowId: string, caller: IxpContext, maxDepth: number): readonly string[] {
  const trace = caller.workflow
  const stack = trace && Array.isArray(trace.stack) ? trace.stack.filter((id) => typeof id === 'string') : []
  if (stack.includes(workflowId)) {
    throw workflowError(
      'WORKFLOW_DEPTH_EXCEEDED',
      {
        workflow: workflowId,
        problem: `is already running in this chain (${[...stack, workflowId].join(' → ')}); a workflow cannot run itself through its steps`,
      },
      { details: { workflow: workflowId, stack } },
    )
  }
  if (stack.length >= maxDepth) {
    throw workflowError(
      'WORKFLOW_DEPTH_EXCEEDED',
      {
        workflow: workflowId,
        problem: `would be nested ${stack.length + 1} deep (${[...stack, workflowId].join(' → ')}); the limit is maxDepth = ${maxDepth}`,
      },
      { details: { workflow: workflowId, stack, maxDepth } },
    )
  }
  return stack
}
