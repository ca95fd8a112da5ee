/**
 * Checking and compiling workflow definitions. Everything that can be known without an engine is checked
 * here — fields, step ids, parallel groups, the references of parameter mappings — and reported at once as
 * one `INVALID_DEFINITION` error naming the workflow and the steps at fault.
 */
import { isObject, type JsonSchema } from '@ixp/core'
import { definitionError, describe, Issues } from './issues.js'
import { compileMapping, type CompiledMapping } from './mapping.js'
import {
  checkInputReferences,
  checkResultReferences,
  declaredInputKeys,
  type ActionReferences,
  type StepPosition,
} from './references.js'
import type {
  ErrorHandling,
  StepCondition,
  StepFunction,
  StepTransform,
  WorkflowDefinition,
  WorkflowStep,
} from './types.js'

export type { WorkflowIssue } from './issues.js'

export interface CompiledAction {
  intentName: string | undefined
  run: StepFunction | undefined
  params: CompiledMapping | undefined
  transform: StepTransform<any> | undefined
  timeoutMs: number | undefined
  /** As written; the step's effective count also depends on its error handling. */
  retries: number | undefined
  retryDelayMs: number | undefined
}

export interface CompiledStep {
  id: string
  index: number
  group: number
  action: CompiledAction
  condition: StepCondition<any> | undefined
  handling: ErrorHandling
  /** Extra attempts after retryable failures. */
  retries: number
  retryDelayMs: number | undefined
  compensate: CompiledAction | undefined
}

export interface CompiledWorkflow {
  id: string
  /** `workflow_<id>`. */
  intentName: string
  definition: WorkflowDefinition<any>
  steps: readonly CompiledStep[]
  groups: readonly (readonly CompiledStep[])[]
  output: CompiledMapping | undefined
  timeoutMs: number | undefined
}

export const WORKFLOW_INTENT_PREFIX = 'workflow_'
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/
const MAX_RETRIES = 100
/**
 * Most steps a workflow may have. Checked when the workflow is defined, so that no run can do its work and
 * then lose its outcome: the view of a run must stay well under the engine's render tree limit
 * (`limits.maxTreeNodes`, 100,000 by default), and it renders at most {@link MAX_RENDERED_STEPS} step rows.
 */
export const MAX_STEPS = 1000
const DEFAULT_MAX_RETRIES = 3

const WORKFLOW_FIELDS = [
  'id',
  'name',
  'description',
  'input',
  'steps',
  'errorHandling',
  'maxRetries',
  'retryDelayMs',
  'timeoutMs',
  'output',
  'intent',
]
const ACTION_FIELDS = ['intentName', 'run', 'params', 'transform', 'timeoutMs', 'retries', 'retryDelayMs']
const STEP_FIELDS = [
  'id',
  'description',
  'condition',
  'parallel',
  'errorHandling',
  'compensate',
  ...ACTION_FIELDS,
]
const RESERVED_INTENT_FIELDS = ['name', 'component', 'parameters', 'handler']

/** The intent a workflow is served as. */
export function workflowIntentName(id: string): string {
  return `${WORKFLOW_INTENT_PREFIX}${id}`
}

function compileAction(
  issues: Issues,
  step: string,
  prefix: string,
  value: Record<string, unknown>,
  collected: ActionReferences[],
): CompiledAction {
  const hasIntent = value.intentName !== undefined
  const hasRun = value.run !== undefined
  if (hasIntent === hasRun) {
    issues.add(
      step,
      `${prefix}intentName`,
      'set exactly one of intentName (an intent to render) or run (a function)',
    )
  }
  if (hasIntent && (typeof value.intentName !== 'string' || value.intentName.trim() === '')) {
    issues.add(step, `${prefix}intentName`, 'must be a non-empty string')
  }
  const run = issues.fn<StepFunction>(step, `${prefix}run`, value.run)
  const transform = issues.fn<StepTransform<any>>(step, `${prefix}transform`, value.transform)
  let params: CompiledMapping | undefined
  if (value.params !== undefined) {
    if (value.transform !== undefined) {
      issues.add(step, `${prefix}params`, 'set params or transform, not both')
    }
    const isReference =
      typeof value.params === 'string' && value.params.startsWith('$') && !value.params.startsWith('$$')
    if (!isObject(value.params) && !isReference) {
      issues.add(step, `${prefix}params`, 'must be an object mapping or a single $reference')
    } else {
      const compiled = compileMapping(value.params, `${prefix}params`)
      for (const problem of compiled.problems) issues.add(step, problem.at, problem.message)
      collected.push({ step, prefix, references: compiled.references })
      params = compiled.compiled
    }
  }
  return {
    intentName: typeof value.intentName === 'string' ? value.intentName : undefined,
    run,
    params,
    transform,
    timeoutMs: issues.milliseconds(step, `${prefix}timeoutMs`, value.timeoutMs, false),
    retries: issues.count(step, `${prefix}retries`, value.retries, MAX_RETRIES),
    retryDelayMs: issues.milliseconds(step, `${prefix}retryDelayMs`, value.retryDelayMs, true),
  }
}

/**
 * Checks a workflow definition and prepares it for running; throws `INVALID_DEFINITION` listing every problem.
 * Engine-dependent checks (do the intents exist, do nested workflows loop) happen when the plugin is installed.
 */
export function compileWorkflow(definition: unknown): CompiledWorkflow {
  const issues = new Issues()
  if (!isObject(definition)) {
    throw definitionError(undefined, [
      { path: '', message: `A workflow definition must be an object; got ${describe(definition)}` },
    ])
  }
  const def = definition as unknown as WorkflowDefinition<any> & Record<string, unknown>
  issues.unknownFields(undefined, '', def, WORKFLOW_FIELDS)
  if (typeof def.id !== 'string' || !ID_PATTERN.test(def.id)) {
    issues.add(
      undefined,
      'id',
      "must be 1–100 letters, digits, '_' or '-', starting with a letter or digit (it becomes the intent name workflow_<id>)",
    )
  }
  for (const field of ['name', 'description'] as const) {
    if (typeof def[field] !== 'string' || def[field].trim() === '')
      issues.add(undefined, field, 'must be a non-empty string')
  }
  if (def.input !== undefined && !isObject(def.input))
    issues.add(undefined, 'input', 'must be a JSON Schema object')
  const handling = issues.handling(undefined, 'errorHandling', def.errorHandling) ?? 'stop'
  const maxRetries = issues.count(undefined, 'maxRetries', def.maxRetries, MAX_RETRIES) ?? DEFAULT_MAX_RETRIES
  const workflowDelay = issues.milliseconds(undefined, 'retryDelayMs', def.retryDelayMs, true)
  const timeoutMs = issues.milliseconds(undefined, 'timeoutMs', def.timeoutMs, false)
  if (def.intent !== undefined) {
    if (!isObject(def.intent))
      issues.add(undefined, 'intent', 'must be an object of intent fields (auth, cache, tags, …)')
    else
      for (const key of RESERVED_INTENT_FIELDS) {
        if (def.intent[key] !== undefined)
          issues.add(undefined, `intent.${key}`, 'is set by the plugin and cannot be overridden')
      }
  }

  const rawSteps: unknown = def.steps
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) {
    issues.add(undefined, 'steps', 'must be a non-empty array of steps')
    throw definitionError(def.id, issues.list)
  }
  if (rawSteps.length > MAX_STEPS) {
    issues.add(
      undefined,
      'steps',
      `has ${rawSteps.length} steps; a workflow may have at most ${MAX_STEPS} — split it into nested workflows (a step may run workflow_<id>)`,
    )
    throw definitionError(def.id, issues.list)
  }

  const positions = new Map<string, StepPosition>()
  const steps: CompiledStep[] = []
  const collected: {
    own: StepPosition
    params: ActionReferences[]
    compensation: ActionReferences[]
  }[] = []
  let group = -1
  rawSteps.forEach((raw: unknown, index: number) => {
    if (!isObject(raw)) {
      issues.add(undefined, `steps.${index}`, `must be a step object; got ${describe(raw)}`)
      return
    }
    const step = raw as unknown as WorkflowStep<any> & Record<string, unknown>
    const validId = typeof step.id === 'string' && ID_PATTERN.test(step.id)
    const label = validId ? step.id : `#${index + 1}`
    if (!validId) {
      issues.add(
        label,
        `steps.${index}.id`,
        "must be 1–100 letters, digits, '_' or '-', starting with a letter or digit",
      )
    } else if (positions.has(step.id)) {
      issues.add(
        label,
        'id',
        `is used by step ${positions.get(step.id)!.index + 1} too; step ids must be unique`,
      )
    }
    issues.unknownFields(label, '', step, STEP_FIELDS)
    if (step.parallel !== undefined && typeof step.parallel !== 'boolean')
      issues.add(label, 'parallel', 'must be a boolean')
    if (step.description !== undefined && typeof step.description !== 'string')
      issues.add(label, 'description', 'must be a string')
    // A step marked parallel joins the group of the step before it; the first step always opens a group.
    if (!(step.parallel === true && index > 0)) group++
    const own = { index, group }
    if (validId && !positions.has(step.id)) positions.set(step.id, own)
    const params: ActionReferences[] = []
    const compensation: ActionReferences[] = []
    const action = compileAction(issues, label, '', step, params)
    const condition = issues.fn<StepCondition<any>>(label, 'condition', step.condition)
    const stepHandling = issues.handling(label, 'errorHandling', step.errorHandling) ?? handling
    let compensate: CompiledAction | undefined
    if (step.compensate !== undefined) {
      if (!isObject(step.compensate)) {
        issues.add(
          label,
          'compensate',
          'must be an object { intentName | run, params | transform, timeoutMs?, retries? }',
        )
      } else {
        issues.unknownFields(label, 'compensate.', step.compensate, ACTION_FIELDS)
        compensate = compileAction(issues, label, 'compensate.', step.compensate, compensation)
      }
    }
    collected.push({ own, params, compensation })
    steps.push({
      id: label,
      index,
      group,
      action,
      condition,
      handling: stepHandling,
      retries: action.retries ?? (stepHandling === 'retry' ? maxRetries : 0),
      retryDelayMs: action.retryDelayMs ?? workflowDelay,
      compensate,
    })
  })

  const inputKeys = declaredInputKeys(def.input)
  for (const { own, params, compensation } of collected) {
    for (const entry of params) {
      checkResultReferences(issues, entry, positions, own, false)
      checkInputReferences(issues, entry.step, entry.references, inputKeys)
    }
    for (const entry of compensation) {
      checkResultReferences(issues, entry, positions, own, true)
      checkInputReferences(issues, entry.step, entry.references, inputKeys)
    }
  }

  let output: CompiledMapping | undefined
  if (def.output !== undefined) {
    if (!isObject(def.output)) {
      issues.add(undefined, 'output', 'must be an object mapping')
    } else {
      const compiled = compileMapping(def.output, 'output')
      for (const problem of compiled.problems) issues.add(undefined, problem.at, problem.message)
      for (const { at, text, reference } of compiled.references) {
        const target = reference.path[0]
        if (reference.root === 'results' && target !== undefined && !positions.has(target)) {
          issues.add(undefined, at, `${text} reads step '${target}', which this workflow does not have`)
        }
      }
      checkInputReferences(issues, undefined, compiled.references, inputKeys)
      output = compiled.compiled
    }
  }

  if (issues.list.length > 0) throw definitionError(def.id, issues.list)
  const groups: CompiledStep[][] = []
  for (const step of steps) (groups[step.group] ??= []).push(step)
  return {
    id: def.id,
    intentName: workflowIntentName(def.id),
    definition: def,
    steps,
    groups,
    output,
    timeoutMs,
  }
}

/**
 * Checks a workflow definition and returns it, typed: problems are reported where the workflow is written,
 * not when a server starts. Throws `INVALID_DEFINITION` (details: `workflow`, `step`, `issues`).
 */
export function defineWorkflow<Input = Record<string, unknown>>(
  definition: WorkflowDefinition<Input>,
): WorkflowDefinition<Input> {
  compileWorkflow(definition)
  return definition
}

/** The input schema of a workflow as its intent declares it. */
export function inputSchemaOf(definition: WorkflowDefinition<any>): JsonSchema {
  return { description: 'Input data for the workflow', ...(definition.input ?? { type: 'object' }) }
}
