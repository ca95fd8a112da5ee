/** Options of `workflows()` and their defaults (spread in one place). */
import type { IxpError } from '@ixp/core'
import { systemClock, type WorkflowClock } from './clock.js'
import { workflowError } from './errors.js'
import { MAX_MS } from './issues.js'
import type { WorkflowDefinition } from './types.js'

export interface WorkflowsOptions {
  /** The workflows to serve, each registered as the intent `workflow_<id>`. @default [] */
  workflows?: readonly WorkflowDefinition<any>[]
  /** Deepest nesting of workflows (a step running a workflow whose step runs a workflow, …). @default 8 */
  maxDepth?: number
  /** Delay before a step's first retry when neither the step nor its workflow sets one. @default 100 */
  retryDelayMs?: number
  /** Each further retry waits this many times longer than the previous one. @default 2 */
  retryFactor?: number
  /** Longest wait between two attempts (also caps a `Retry-After` of a rate-limited step). @default 10000 */
  maxRetryDelayMs?: number
  /** Which failures are worth another attempt. @default {@link isRetryable} */
  retryable?: (error: IxpError) => boolean
  /** Timeout of each compensation attempt that sets none. @default 10000 */
  compensationTimeoutMs?: number
  /** Time source of durations, retry delays and timeouts (tests pass one they move by hand). @default systemClock */
  clock?: WorkflowClock
}

export interface Settings {
  maxDepth: number
  retryDelayMs: number
  retryFactor: number
  maxRetryDelayMs: number
  retryable: (error: IxpError) => boolean
  compensationTimeoutMs: number
  clock: WorkflowClock
}

/** Failures that say the step itself is wrong, or that the run is being torn down: never retried. */
const FINAL_CODES = new Set([
  'WORKFLOW_DEPTH_EXCEEDED',
  'WORKFLOW_NESTED_FAILED',
  'WORKFLOW_STEP_CANCELLED',
  'WORKFLOW_TIMEOUT',
  'INVALID_RENDER_TREE',
  'ENGINE_CLOSED',
])

/**
 * The default retry policy: server-side failures (5xx, step timeouts and render timeouts included), 408 and
 * 429 are retried; client errors (bad parameters, refused credentials, unknown intents) and nested workflow
 * failures are not.
 */
export function isRetryable(error: IxpError): boolean {
  if (FINAL_CODES.has(error.code)) return false
  return error.status >= 500 || error.status === 429 || error.status === 408
}

const DEFAULTS: Settings = {
  maxDepth: 8,
  retryDelayMs: 100,
  retryFactor: 2,
  maxRetryDelayMs: 10_000,
  retryable: isRetryable,
  compensationTimeoutMs: 10_000,
  clock: systemClock,
}

const KNOWN_OPTIONS = ['workflows', ...Object.keys(DEFAULTS)]

function invalid(problem: string): never {
  throw workflowError('WORKFLOW_INVALID_OPTIONS', { problem })
}

function checkMs(name: string, value: unknown, low: number): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > MAX_MS) {
    invalid(`${name} must be a number of milliseconds from ${low} to ${MAX_MS}`)
  }
}

/** Checks the options and fills in the defaults. */
export function resolveOptions(options: WorkflowsOptions): Settings {
  if (typeof options !== 'object' || options === null) invalid('options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) invalid(`'${key}' is not an option (use ${KNOWN_OPTIONS.join(', ')})`)
  }
  const { workflows: _workflows, ...rest } = options
  const settings = { ...DEFAULTS, ...stripUndefined(rest) }
  if (!Number.isInteger(settings.maxDepth) || settings.maxDepth < 1 || settings.maxDepth > 64) {
    invalid('maxDepth must be a whole number from 1 to 64')
  }
  checkMs('retryDelayMs', settings.retryDelayMs, 0)
  checkMs('maxRetryDelayMs', settings.maxRetryDelayMs, 0)
  checkMs('compensationTimeoutMs', settings.compensationTimeoutMs, 1)
  if (
    typeof settings.retryFactor !== 'number' ||
    !(settings.retryFactor >= 1) ||
    settings.retryFactor > 100
  ) {
    invalid('retryFactor must be a number from 1 to 100')
  }
  if (typeof settings.retryable !== 'function') invalid('retryable must be a function (error) => boolean')
  const clock = settings.clock as Partial<WorkflowClock> | null
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    invalid('clock must be an object { now(), setTimeout(callback, ms), clearTimeout(handle) }')
  }
  if (options.workflows !== undefined && !Array.isArray(options.workflows)) {
    invalid('workflows must be an array of workflow definitions')
  }
  return settings
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
