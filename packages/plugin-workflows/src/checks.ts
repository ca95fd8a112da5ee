/**
 * Checks that need the engine: every intent a step or compensation renders is registered, and nested
 * workflows do not call each other in a circle. Run when the engine is ready (every plugin applied).
 */
import { coreError, type Engine } from '@ixp/core'
import type { CompiledWorkflow, WorkflowIssue } from './define.js'

interface Problem extends WorkflowIssue {
  workflow: string
}

function fail(problems: readonly Problem[]): never {
  const lines = problems.map((p) => `workflow '${p.workflow}', step '${p.step}': ${p.path} ${p.message}`)
  const summary = lines.slice(0, 5).join('; ') + (lines.length > 5 ? ` (and ${lines.length - 5} more)` : '')
  const first = problems[0]!
  throw coreError(
    'INVALID_DEFINITION',
    { reason: `Invalid workflows: ${summary}` },
    {
      details: {
        workflow: first.workflow,
        step: first.step,
        issues: problems.map((problem) => ({ ...problem })),
      },
    },
  )
}

/** Every call of a step or compensation, with where it is written. */
function calls(workflow: CompiledWorkflow) {
  const out: { step: string; path: string; intentName: string }[] = []
  for (const step of workflow.steps) {
    if (step.action.intentName !== undefined)
      out.push({ step: step.id, path: 'intentName', intentName: step.action.intentName })
    const compensation = step.compensate?.intentName
    if (compensation !== undefined)
      out.push({ step: step.id, path: 'compensate.intentName', intentName: compensation })
  }
  return out
}

export function checkAgainstEngine(engine: Engine, workflows: readonly CompiledWorkflow[]): void {
  const problems: Problem[] = []
  const byIntent = new Map(workflows.map((workflow) => [workflow.intentName, workflow]))
  for (const workflow of workflows) {
    for (const call of calls(workflow)) {
      if (!engine.intents.has(call.intentName)) {
        problems.push({
          workflow: workflow.id,
          step: call.step,
          path: call.path,
          message: `calls intent '${call.intentName}', which is not registered (register it before engine.ready())`,
        })
      }
    }
  }
  if (problems.length > 0) fail(problems)

  // Depth-first search over "a step of A renders workflow B"; a back edge closes a circle.
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (workflow: CompiledWorkflow): void => {
    state.set(workflow.id, 'open')
    path.push(workflow.id)
    for (const call of calls(workflow)) {
      const target = byIntent.get(call.intentName)
      if (!target) continue
      if (state.get(target.id) === 'open') {
        const circle = [...path.slice(path.indexOf(target.id)), target.id]
        fail([
          {
            workflow: workflow.id,
            step: call.step,
            path: call.path,
            message: `runs workflow '${target.id}', which leads back here (${circle.join(' → ')}); nested workflows cannot call each other in a circle`,
          },
        ])
      }
      if (!state.has(target.id)) visit(target)
    }
    path.pop()
    state.set(workflow.id, 'done')
  }
  for (const workflow of workflows) if (!state.has(workflow.id)) visit(workflow)
}
