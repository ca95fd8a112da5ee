/** Collecting the problems of a workflow definition, and reporting them as one `INVALID_DEFINITION` error. */
import { coreError, type IxpError } from '@ixp/core'
import type { ErrorHandling } from './types.js'

/** One problem with a definition: the step at fault (if any), the field and what is wrong. */
export interface WorkflowIssue {
  step?: string
  path: string
  message: string
}

const HANDLINGS: readonly ErrorHandling[] = ['stop', 'continue', 'retry']
/** Fields renamed since the first version, so an old definition is told the new name, not just refused. */
const RENAMED_FIELDS: Readonly<Record<string, string>> = { timeout: 'timeoutMs' }
/** Longer delays overflow timers (they would fire at once). */
export const MAX_MS = 2_147_483_647

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

/** Typed field checks; each problem is recorded with the step (if any) and the field at fault. */
export class Issues {
  readonly list: WorkflowIssue[] = []

  add(step: string | undefined, path: string, message: string): void {
    this.list.push(step === undefined ? { path, message } : { step, path, message })
  }

  unknownFields(step: string | undefined, prefix: string, value: Record<string, unknown>, known: string[]) {
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue
      const renamed = RENAMED_FIELDS[key]
      this.add(
        step,
        `${prefix}${key}`,
        renamed !== undefined && known.includes(renamed)
          ? `was renamed '${renamed}'`
          : `is not a known field (use ${known.join(', ')})`,
      )
    }
  }

  count(step: string | undefined, path: string, value: unknown, max: number): number | undefined {
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      this.add(step, path, `must be a whole number from 0 to ${max}`)
      return undefined
    }
    return value
  }

  milliseconds(
    step: string | undefined,
    path: string,
    value: unknown,
    allowZero: boolean,
  ): number | undefined {
    if (value === undefined) return undefined
    const low = allowZero ? 0 : 1
    if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > MAX_MS) {
      this.add(step, path, `must be a number of milliseconds from ${low} to ${MAX_MS}`)
      return undefined
    }
    return value
  }

  handling(step: string | undefined, path: string, value: unknown): ErrorHandling | undefined {
    if (value === undefined) return undefined
    if (!HANDLINGS.includes(value as ErrorHandling)) {
      this.add(step, path, `must be one of ${HANDLINGS.map((h) => `'${h}'`).join(', ')}`)
      return undefined
    }
    return value as ErrorHandling
  }

  fn<T>(step: string | undefined, path: string, value: unknown): T | undefined {
    if (value === undefined) return undefined
    if (typeof value !== 'function') {
      this.add(step, path, `must be a function; got ${describe(value)}`)
      return undefined
    }
    return value as T
  }
}

/** The error for a definition's problems: every issue in `details.issues`, the first five in the message. */
export function definitionError(id: unknown, issues: readonly WorkflowIssue[]): IxpError {
  const name = typeof id === 'string' && id !== '' ? `'${id.length > 64 ? `${id.slice(0, 64)}…` : id}'` : ''
  const lines = issues.map((issue) =>
    issue.step === undefined
      ? `${issue.path} ${issue.message}`
      : `step '${issue.step}': ${issue.path} ${issue.message}`,
  )
  const summary = lines.slice(0, 5).join('; ') + (lines.length > 5 ? ` (and ${lines.length - 5} more)` : '')
  return coreError(
    'INVALID_DEFINITION',
    { reason: `Invalid workflow${name ? ` ${name}` : ''}: ${summary}` },
    {
      details: {
        workflow: typeof id === 'string' ? id : undefined,
        step: issues.find((issue) => issue.step !== undefined)?.step,
        issues: issues.map((issue) => ({ ...issue })),
      },
    },
  )
}
