/**
 * Static checks of the references of parameter mappings: `$results.<step>` must name a step whose result exists
 * by then, and `$input.<key>` a key the input schema declares (when it pins its keys down).
 */
import { isObject } from '@ixp/core'
import type { Issues } from './issues.js'
import type { LocatedReference } from './mapping.js'

/** The references of one step's (or compensation's) mapping. */
export interface ActionReferences {
  step: string
  prefix: string
  references: LocatedReference[]
}

/** Where a step sits: its index and its parallel group. */
export interface StepPosition {
  index: number
  group: number
}

/** The input keys a reference may read, when the input schema pins them down. */
export function declaredInputKeys(schema: unknown): readonly string[] | undefined {
  if (!isObject(schema) || !isObject(schema.properties)) return undefined
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return undefined
  if (schema.patternProperties !== undefined) return undefined
  return Object.keys(schema.properties)
}

/** Checks the `$results` references of a step (or its compensation) against the step order and groups. */
export function checkResultReferences(
  issues: Issues,
  entry: ActionReferences,
  positions: ReadonlyMap<string, StepPosition>,
  own: StepPosition,
  compensation: boolean,
): void {
  for (const { at, text, reference } of entry.references) {
    if (reference.root !== 'results') continue
    const target = reference.path[0]
    if (target === undefined) continue
    const position = positions.get(target)
    if (!position) {
      issues.add(entry.step, at, `${text} reads step '${target}', which this workflow does not have`)
    } else if (compensation) {
      if (position.group >= own.group && target !== entry.step) {
        issues.add(
          entry.step,
          at,
          `${text} reads step '${target}', which is not guaranteed to have completed when this step is compensated (only this step and steps of earlier groups are)`,
        )
      }
    } else if (target === entry.step) {
      issues.add(entry.step, at, `${text} reads the step's own result, which does not exist yet`)
    } else if (position.index > own.index) {
      issues.add(entry.step, at, `${text} reads step '${target}', which runs after this step`)
    } else if (position.group === own.group) {
      issues.add(
        entry.step,
        at,
        `${text} reads step '${target}', which runs in the same parallel group (steps of one group cannot read each other's results)`,
      )
    }
  }
}

export function checkInputReferences(
  issues: Issues,
  step: string | undefined,
  references: readonly LocatedReference[],
  keys: readonly string[] | undefined,
): void {
  if (!keys) return
  for (const { at, text, reference } of references) {
    const first = reference.path[0]
    if (reference.root !== 'input' || first === undefined || keys.includes(first)) continue
    issues.add(
      step,
      at,
      `${text} reads input '${first}', which the input schema does not declare (it declares ${keys.length ? keys.join(', ') : 'nothing'})`,
    )
  }
}
