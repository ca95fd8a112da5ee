/**
 * Reads reference-format definition files (`{"intents":[…]}`, `{"components":{…}}`) with errors that name the
 * file, the line and column of a JSON syntax error, and every definition problem with its JSON path.
 */
import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { coreError, isIxpError } from '@ixp/core'
import { loadComponents, loadIntents } from '@ixp/core/reference-files'
import type { ComponentDefinition, IntentDefinition } from '@ixp/core'
import { cliError } from '../errors.js'

export type DefinitionKind = 'intents' | 'components'

/** Shows a path relative to the working directory when it is inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file)
  return rel && !rel.startsWith('..') ? rel : file
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return { line, column: position - before.lastIndexOf('\n') }
}

/** Reads a file's text; a missing or unreadable file is `FILE_NOT_FOUND`. */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read'
    throw cliError(
      'FILE_NOT_FOUND',
      { file: displayPath(file), reason },
      { cause: error, details: { file, reason } },
    )
  }
}

/** Parses JSON text; a syntax error is `INVALID_JSON` with its line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const position = /at position (\d+)/.exec(message)
    const where = position ? lineAndColumn(text, Number(position[1])) : undefined
    const at = where ? `:${where.line}:${where.column}` : ''
    const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')
    throw cliError(
      'INVALID_JSON',
      { file: `${displayPath(file)}${at}`, reason },
      { details: { file, reason, ...(where ?? {}) } },
    )
  }
}

/** Reads and parses a JSON file. */
export async function readJsonFile(file: string): Promise<unknown> {
  return parseJson(await readText(file), file)
}

/** Re-labels the core's `INVALID_DEFINITION` with the file it came from; issues keep their JSON paths. */
export function inFile(error: unknown, file: string): unknown {
  if (!isIxpError(error) || error.code !== 'INVALID_DEFINITION') return error
  const issues = (error.details?.issues as unknown[] | undefined) ?? []
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
  return coreError(
    'INVALID_DEFINITION',
    { reason: `${displayPath(file)} has ${count}` },
    { details: { file, issues }, cause: error },
  )
}

export function parseDefinitions(kind: 'intents', content: unknown, file: string): IntentDefinition[]
export function parseDefinitions(kind: 'components', content: unknown, file: string): ComponentDefinition[]
export function parseDefinitions(
  kind: DefinitionKind,
  content: unknown,
  file: string,
): IntentDefinition[] | ComponentDefinition[]
export function parseDefinitions(
  kind: DefinitionKind,
  content: unknown,
  file: string,
): IntentDefinition[] | ComponentDefinition[] {
  try {
    return kind === 'intents' ? loadIntents(content) : loadComponents(content)
  } catch (error) {
    throw inFile(error, file)
  }
}

/** Reads a reference-format file of one kind into definitions. */
export async function readDefinitionFile(kind: 'intents', file: string): Promise<IntentDefinition[]>
export async function readDefinitionFile(kind: 'components', file: string): Promise<ComponentDefinition[]>
export async function readDefinitionFile(
  kind: DefinitionKind,
  file: string,
): Promise<IntentDefinition[] | ComponentDefinition[]>
export async function readDefinitionFile(kind: DefinitionKind, file: string) {
  return parseDefinitions(kind, await readJsonFile(file), file)
}
