/**
 * Re-reads changed definition files and swaps their definitions in a running engine. A file that cannot be
 * read or has a problem keeps its previous definitions; the problems are reported with their JSON paths.
 */
import { isIxpError } from '@ixp/core'
import type { ComponentDefinition, IntentDefinition } from '@ixp/core'
import { displayPath, readDefinitionFile, type DefinitionKind } from '../config/json-file.js'
import type { DefinitionRegistrar, SwapSummary } from './registrar.js'

/** Which kinds of definitions each watched file provides. */
export type WatchedFiles = Map<string, Set<DefinitionKind>>

export type ReloadOutcome =
  | { file: string; kind: DefinitionKind; ok: true; summary: SwapSummary }
  | {
      file: string
      kind: DefinitionKind
      ok: false
      message: string
      issues: { path: string; message: string }[]
    }

interface Parsed {
  file: string
  kind: DefinitionKind
  definitions?: (IntentDefinition | ComponentDefinition)[]
  error?: unknown
}

function failure(file: string, kind: DefinitionKind, error: unknown): ReloadOutcome {
  const issues =
    isIxpError(error) && Array.isArray(error.details?.issues)
      ? (error.details.issues as { path: string; message: string }[])
      : []
  return { file, kind, ok: false, message: (error as Error)?.message ?? String(error), issues }
}

/** Components before intents, so an intent never points at a component that is not registered yet. */
function ordered(changed: string[], watched: WatchedFiles): { file: string; kind: DefinitionKind }[] {
  const jobs: { file: string; kind: DefinitionKind }[] = []
  for (const kind of ['components', 'intents'] as const) {
    for (const file of changed) if (watched.get(file)?.has(kind)) jobs.push({ file, kind })
  }
  return jobs
}

async function parseChanged(changed: string[], watched: WatchedFiles): Promise<Parsed[]> {
  const parsed: Parsed[] = []
  for (const { file, kind } of ordered(changed, watched)) {
    try {
      parsed.push({ file, kind, definitions: await readDefinitionFile(kind, file) })
    } catch (error) {
      parsed.push({ file, kind, error })
    }
  }
  return parsed
}

/** Only checks the changed files (what a cluster primary does before telling its workers to reload). */
export async function checkChanged(changed: string[], watched: WatchedFiles): Promise<ReloadOutcome[]> {
  return (await parseChanged(changed, watched)).map(({ file, kind, definitions, error }) =>
    definitions
      ? { file, kind, ok: true as const, summary: { added: [], replaced: [], removed: [] } }
      : failure(file, kind, error),
  )
}

/** Re-reads the changed files and swaps their definitions in the registrar's engine. */
export async function reloadChanged(
  registrar: DefinitionRegistrar,
  changed: string[],
  watched: WatchedFiles,
): Promise<ReloadOutcome[]> {
  return (await parseChanged(changed, watched)).map(({ file, kind, definitions, error }) => {
    if (!definitions) return failure(file, kind, error)
    try {
      return { file, kind, ok: true as const, summary: registrar.swap(kind, file, definitions) }
    } catch (swapError) {
      return failure(file, kind, swapError)
    }
  })
}

function list(label: string, names: string[]): string | undefined {
  return names.length > 0 ? `${label} ${names.join(', ')}` : undefined
}

/** One line per outcome (plus its problems), for the server log. */
export function describeOutcome(outcome: ReloadOutcome, cwd: string): { ok: boolean; lines: string[] } {
  const name = displayPath(outcome.file, cwd)
  if (!outcome.ok) {
    return {
      ok: false,
      lines: [
        `${name} (${outcome.kind}) not reloaded, keeping the previous definitions: ${outcome.message}`,
        ...outcome.issues.map((issue) => `  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`),
      ],
    }
  }
  const { added, replaced, removed } = outcome.summary
  const changes = [list('added', added), list('replaced', replaced), list('removed', removed)].filter(Boolean)
  return {
    ok: true,
    lines: [`reloaded ${name} (${outcome.kind}): ${changes.length ? changes.join('; ') : 'no changes'}`],
  }
}
