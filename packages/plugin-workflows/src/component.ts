/**
 * The `WorkflowResult` component: a server-rendered view of a run — overall status and time, each step with
 * its status, duration, error and result, and the final results.
 */
import type { ElementNode, RenderNode, ServerComponentDefinition } from '@ixp/core'
import { h } from '@ixp/core/tree'

export const WORKFLOW_RESULT_COMPONENT = 'WorkflowResult'

const STATUS_CLASS = /^[a-z_-]{1,32}$/

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback
}

function statusOf(value: unknown): string {
  return typeof value === 'string' && STATUS_CLASS.test(value) ? value : 'unknown'
}

function ms(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? `${Math.round(value)}ms` : undefined
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'null'
  } catch {
    return '"(not representable as JSON)"'
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function errorLine(className: string, error: unknown): ElementNode | null {
  if (!isObject(error)) return null
  return h(
    'div',
    { className, role: 'alert' },
    h('span', { className: 'error-code' }, text(error.code, 'ERROR')),
    ' ',
    h('span', { className: 'error-message' }, text(error.message, '')),
  )
}

function compensationLine(compensation: unknown): ElementNode | null {
  if (!isObject(compensation)) return null
  const status = statusOf(compensation.status)
  return h(
    'div',
    { className: `step-compensation status-${status}` },
    status === 'completed' ? 'Compensated' : 'Compensation failed',
    ms(compensation.duration) ? ` (${ms(compensation.duration)})` : null,
    status === 'completed' ? null : errorLine('step-error', compensation.error),
  )
}

function stepItem(step: unknown): ElementNode | null {
  if (!isObject(step)) return null
  const status = statusOf(step.status)
  const attempts = typeof step.attempts === 'number' && step.attempts > 1 ? step.attempts : undefined
  return h(
    'div',
    {
      className: `step-item status-${status}`,
      'data-step-id': text(step.id, ''),
      'data-group': typeof step.group === 'number' ? step.group : undefined,
    },
    h(
      'div',
      { className: 'step-header' },
      h('span', { className: 'step-id' }, text(step.id, '(unnamed step)')),
      typeof step.intentName === 'string' ? h('span', { className: 'step-intent' }, step.intentName) : null,
      h('span', { className: 'step-status' }, status),
      ms(step.duration) && status !== 'not_run'
        ? h('span', { className: 'step-duration' }, ms(step.duration)!)
        : null,
      attempts ? h('span', { className: 'step-attempts' }, `${attempts} attempts`) : null,
    ),
    errorLine('step-error', step.error),
    compensationLine(step.compensation),
    step.result !== undefined && status === 'completed'
      ? h('div', { className: 'step-result' }, h('pre', null, json(step.result)))
      : null,
  )
}

/** Renders the props of a run (a {@link WorkflowResult}); unknown or missing fields render as little as possible. */
export function renderWorkflowResult(props: Record<string, unknown>): RenderNode {
  const status = statusOf(props.status)
  const steps = Array.isArray(props.steps) ? props.steps : []
  const workflowId = text(props.workflowId, 'unknown')
  return h(
    'div',
    {
      className: `workflow-result status-${status}`,
      'data-workflow-id': workflowId,
      'data-run-id': typeof props.runId === 'string' ? props.runId : undefined,
    },
    h(
      'header',
      { className: 'workflow-header' },
      h('h2', null, `Workflow: ${text(props.name, workflowId)}`),
      h(
        'div',
        { className: 'workflow-status' },
        h('span', { className: `status-badge ${status}` }, status.toUpperCase()),
        ms(props.executionTime) ? h('span', { className: 'execution-time' }, ms(props.executionTime)!) : null,
      ),
    ),
    errorLine('workflow-error', props.error),
    steps.length > 0
      ? h(
          'div',
          { className: 'workflow-steps' },
          h('h3', null, 'Execution Steps'),
          h('div', { className: 'steps-list' }, steps.map(stepItem)),
        )
      : null,
    isObject(props.results)
      ? h(
          'div',
          { className: 'workflow-results' },
          h('h3', null, 'Final Results'),
          h('pre', { className: 'results-json' }, json(props.results)),
        )
      : null,
  )
}

export const workflowResultComponent: ServerComponentDefinition = {
  name: WORKFLOW_RESULT_COMPONENT,
  description: 'The outcome of a workflow run: overall status, each step, and the final results',
  version: '1.0.0',
  props: {
    type: 'object',
    properties: {
      runId: { type: 'string' },
      workflowId: { type: 'string' },
      name: { type: 'string' },
      status: { type: 'string', enum: ['completed', 'partial', 'failed'] },
      executionTime: { type: 'number' },
      results: { type: 'object' },
      error: { type: 'object' },
      steps: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            status: { type: 'string' },
            result: {},
            duration: { type: 'number' },
            attempts: { type: 'number' },
            error: { type: 'object' },
          },
        },
      },
    },
    required: ['workflowId', 'status'],
  },
  render: (props) => renderWorkflowResult(props),
}
