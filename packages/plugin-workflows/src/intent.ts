/** The intent a workflow is served as: `workflow_<id>`, parameters `{ input, context? }`, rendered by `WorkflowResult`. */
import type { IntentDefinition, IntentHandler } from '@ixp/core'
import { WORKFLOW_RESULT_COMPONENT } from './component.js'
import { inputSchemaOf, type CompiledWorkflow } from './define.js'

export function workflowIntent(workflow: CompiledWorkflow, handler: IntentHandler): IntentDefinition {
  const definition = workflow.definition
  const overrides = definition.intent ?? {}
  return {
    description: `Execute workflow: ${definition.description}`,
    tags: ['workflow'],
    // A run has effects: never answer one from a cache, and tell clients not to reuse it.
    cache: false,
    ttl: 0,
    ...overrides,
    name: workflow.intentName,
    component: WORKFLOW_RESULT_COMPONENT,
    parameters: {
      type: 'object',
      properties: {
        input: inputSchemaOf(definition),
        context: {
          type: 'object',
          description: 'Additional context for the run (read by step conditions and $context references)',
        },
      },
      required: ['input'],
    },
    metadata: { ...overrides.metadata, workflowId: workflow.id, isWorkflow: true },
    handler,
  }
}
