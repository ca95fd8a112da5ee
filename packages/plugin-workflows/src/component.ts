/**
 * The `WorkflowResult` component: a server-rendered view of a run — overall status and time, each step with
 * its status, duration, error and result, and the final results.
 */
import { isObject, type ElementNode, type RenderNode, type ServerComponentDefinition } from '@ixp/core'
import { h } from '@ixp/core/tree'

export const WORKFLOW_RESULT_COMPONENT = 'WorkflowResult'

/**
 * Most step rows the view renders; the rest are summarised by status in one line. Keeps the tree of a run far
 * under the engine's node limit whatever the number of steps (nested workflows add theirs as one result).
 */
export const MAX_RENDERED_STEPS = 200

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

function errorLine(kind: string, error: unknown): ElementNode | null {
  if (!isObject(error)) return null
  return h(
    'div',
    { class: kind, role: 'alert' },
    h('span', { class: 'error-code' }, text(error.code, 'ERROR')),
    ' ',
    h('span', { class: 'error-message' }, text(error.message, '')),
  )
}

function compensationLine(compensation: unknown): ElementNode | null {
  if (!isObject(compensation)) return null
  const status = statusOf(compensation.status)
  return h(
    'div',
    { class: `step-compensation status-${status}` },
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
      class: `step-item status-${status}`,
      'data-step-id': text(step.id, ''),
      'data-group': typeof step.group === 'number' ? step.group : undefined,
    },
    h(
      'div',
      { class: 'step-header' },
      h('span', { class: 'step-id' }, text(step.id, '(unnamed step)')),
      typeof step.intentName === 'string' ? h('span', { class: 'step-intent' }, step.intentName) : null,
      h('span', { class: 'step-status' }, status),
      ms(step.duration) && status !== 'not_run'
        ? h('span', { class: 'step-duration' }, ms(step.duration)!)
        : null,
      attempts ? h('span', { class: 'step-attempts' }, `${attempts} attempts`) : null,
    ),
    errorLine('step-error', step.error),
    compensationLine(step.compensation),
    step.result !== undefined && status === 'completed'
      ? h('div', { class: 'step-result' }, h('pre', null, json(step.result)))
      : null,
  )
}

/** One line for the steps past {@link MAX_RENDERED_STEPS}: how many, by status. */
function moreSteps(rest: unknown[]): ElementNode {
  const byStatus = new Map<string, number>()
  for (const step of rest) {
    const status = isObject(step) ? statusOf(step.status) : 'unknown'
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
  }
  const counts = [...byStatus].map(([status, count]) => `${count} ${status}`).join(', ')
  return h('p', { class: 'steps-more' }, `… and ${rest.length} more steps (${counts})`)
}

/** Renders the props of a run (a {@link WorkflowResult}); unknown or missing fields render as little as possible. */
export function renderWorkflowResult(props: Record<string, unknown>): RenderNode {
  const status = statusOf(props.status)
  const steps = Array.isArray(props.steps) ? props.steps : []
  const workflowId = text(props.workflowId, 'unknown')
  return h(
    'div',
    {
      class: `workflow-result status-${status}`,
      'data-workflow-id': workflowId,
      'data-run-id': typeof props.runId === 'string' ? props.runId : undefined,
    },
    h(
      'header',
      { class: 'workflow-header' },
      h('h2', null, `Workflow: ${text(props.name, workflowId)}`),
      h(
        'div',
        { class: 'workflow-status' },
        h('span', { class: `status-badge ${status}` }, status.toUpperCase()),
        ms(props.executionTime) ? h('span', { class: 'execution-time' }, ms(props.executionTime)!) : null,
      ),
    ),
    errorLine('workflow-error', props.error),
    steps.length > 0
      ? h(
          'div',
          { class: 'workflow-steps' },
          h('h3', null, 'Execution Steps'),
          h('div', { class: 'steps-list' }, steps.slice(0, MAX_RENDERED_STEPS).map(stepItem)),
          steps.length > MAX_RENDERED_STEPS ? moreSteps(steps.slice(MAX_RENDERED_STEPS)) : null,
        )
      : null,
    isObject(props.results)
      ? h(
          'div',
          { class: 'workflow-results' },
          h('h3', null, 'Final Results'),
          h('pre', { class: 'results-json' }, json(props.results)),
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
