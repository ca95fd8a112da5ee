/**
 * `ixp validate <files…>` — checks reference-format definition files (and config modules) and reports every
 * problem with its JSON path. Exit status 1 when any file has a problem.
 */
import { basename, extname, resolve } from 'node:path'
import { createEngine, isIxpError, silentLogger } from '@ixp/core'
import type { ComponentDefinition, IntentDefinition } from '@ixp/core'
import { commandHelp, parseCommand, stringValue, type CommandSpec } from '../args.js'
import { loadConfig } from '../config/load.js'
import { displayPath, parseDefinitions, readJsonFile } from '../config/json-file.js'
import { usageError } from '../errors.js'
import { println, type CliIo } from '../io.js'
import { CONFIG_OWNER, DefinitionRegistrar } from '../serve/registrar.js'

export const validateSpec: CommandSpec = {
  name: 'validate',
  summary:
    'Check intents and components files ({"intents":[…]}, {"components":{…}}) and ixp.config.* modules; report every problem with its JSON path.',
  positionals: '<files…>',
  options: {
    format: { type: 'string', value: '<text|json>', default: 'text', description: 'Output format' },
  },
  notes: [
    'A config module is loaded and its inline definitions checked; the JSON files it names are validated too.',
    'Exit status: 0 when every file is valid, 1 when a file has a problem, 2 for a usage error.',
  ],
}

export interface Problem {
  /** JSON path of the offending value (`components.ProductCard.performance.tti`), `''` for the whole file. */
  path: string
  message: string
}

export interface FileReport {
  file: string
  valid: boolean
  intents: number
  components: number
  problems: Problem[]
  /** Not errors: things worth a look that do not stop `ixp serve`. */
  warnings: Problem[]
}

interface Checked {
  report: FileReport
  /** A config module: it names every definition of an app, so its intents' components must all be there. */
  config?: boolean
  intents: { path: string; definition: IntentDefinition }[]
  components: string[]
}

function problemsOf(error: unknown): Problem[] {
  if (isIxpError(error)) {
    const issues = error.details?.issues
    if (Array.isArray(issues) && issues.length > 0) return issues as Problem[]
    return [{ path: '', message: error.message }]
  }
  return [{ path: '', message: (error as Error)?.message ?? String(error) }]
}

/** A problem with the file as a whole, phrased without repeating its name (the report names it). */
function fileProblem(error: unknown): Problem {
  if (!isIxpError(error)) return { path: '', message: (error as Error)?.message ?? String(error) }
  const { reason, line, column } = (error.details ?? {}) as {
    reason?: string
    line?: number
    column?: number
  }
  if (error.code === 'INVALID_JSON') {
    return {
      path: '',
      message: `not valid JSON${line ? ` at line ${line}, column ${column}` : ''}: ${reason ?? error.message}`,
    }
  }
  if (error.code === 'FILE_NOT_FOUND' && reason) return { path: '', message: `file ${reason}` }
  return { path: '', message: error.message }
}

function emptyReport(file: string): FileReport {
  return { file, valid: true, intents: 0, components: 0, problems: [], warnings: [] }
}

async function checkJsonFile(file: string): Promise<Checked> {
  const checked: Checked = { report: emptyReport(file), intents: [], components: [] }
  const { report } = checked
  let content: unknown
  try {
    content = await readJsonFile(file)
  } catch (error) {
    report.problems.push(fileProblem(error))
    return checked
  }
  const fields = typeof content === 'object' && content !== null && !Array.isArray(content) ? content : {}
  const hasIntents = 'intents' in fields
  const hasComponents = 'components' in fields
  if (!hasIntents && !hasComponents) {
    report.problems.push({ path: '', message: 'must have an "intents" array or a "components" object' })
  }
  if (hasIntents) {
    try {
      const intents = parseDefinitions('intents', content, file)
      report.intents = intents.length
      checked.intents = intents.map((definition, index) => ({
        path: `intents.${index}.component`,
        definition,
      }))
    } catch (error) {
      report.problems.push(...problemsOf(error))
    }
  }
  if (hasComponents) {
    try {
      const components = parseDefinitions('components', content, file)
      report.components = components.length
      checked.components = components.map((definition) => definition.name)
    } catch (error) {
      report.problems.push(...problemsOf(error))
    }
  }
  return checked
}

/** Loads a config module and registers its inline definitions into a scratch engine; returns the files it names. */
async function checkConfigFile(file: string, cwd: string): Promise<{ checked: Checked; files: string[] }> {
  const checked: Checked = { report: emptyReport(file), intents: [], components: [], config: true }
  const { report } = checked
  let resolved
  try {
    resolved = await loadConfig(file, cwd)
  } catch (error) {
    report.problems.push(...problemsOf(error))
    return { checked, files: [] }
  }
  const engine = createEngine({ logger: silentLogger })
  const registrar = new DefinitionRegistrar(engine, cwd)
  const add = (kind: 'intents' | 'components', definitions: (IntentDefinition | ComponentDefinition)[]) => {
    definitions.forEach((definition, index) => {
      try {
        registrar.add(kind, CONFIG_OWNER, [definition], index)
      } catch (error) {
        report.problems.push(...problemsOf(error))
      }
    })
  }
  add('components', resolved.components)
  add('intents', resolved.intents)
  report.intents = engine.intents.size
  report.components = engine.components.size
  checked.intents = resolved.intents.map((definition, index) => ({
    path: `intents.${index}.component`,
    definition,
  }))
  checked.components = engine.components.list().map((definition) => definition.name)
  await engine.close()
  return { checked, files: [...resolved.componentFiles, ...resolved.intentFiles] }
}

/** A JSON config names its definition files (strings) where a definitions file holds definitions. */
function looksLikeConfig(content: unknown): boolean {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return false
  const { intents, components } = content as Record<string, unknown>
  const namesFiles = (value: unknown) =>
    typeof value === 'string' || (Array.isArray(value) && value.some((item) => typeof item === 'string'))
  return (
    namesFiles(intents) ||
    namesFiles(components) ||
    Array.isArray(components) ||
    ['http', 'plugins', 'engine'].some((key) => key in content)
  )
}

async function isConfigModule(file: string): Promise<boolean> {
  if (extname(file) !== '.json' || basename(file).startsWith('ixp.config.')) return true
  try {
    return looksLikeConfig(await readJsonFile(file))
  } catch {
    // Unreadable or broken: the definitions-file path reports it.
    return false
  }
}

/** Validates files (config modules pull in the files they name) and returns one report per file. */
export async function validateFiles(files: string[], cwd: string): Promise<FileReport[]> {
  const queue = files.map((file) => resolve(cwd, file))
  const seen = new Set<string>()
  const results: Checked[] = []
  while (queue.length > 0) {
    const file = queue.shift()!
    if (seen.has(file)) continue
    seen.add(file)
    if (await isConfigModule(file)) {
      const { checked, files: named } = await checkConfigFile(file, cwd)
      results.push(checked)
      queue.push(...named)
    } else {
      results.push(await checkJsonFile(file))
    }
  }
  // Cross-file check, meaningful when components were given at all or a config (a whole app) was: an intent
  // whose component is missing cannot render, and `ixp serve` (engine.ready()) refuses to start with it.
  const known = new Set(results.flatMap((result) => result.components))
  const anyComponentSource = results.some(
    (result) => result.config || result.report.components > 0 || result.components.length > 0,
  )
  for (const { report, intents } of results) {
    if (!anyComponentSource) break
    for (const { path, definition } of intents) {
      if (typeof definition.component === 'string' && !known.has(definition.component)) {
        report.problems.push({
          path,
          message: `intent '${definition.name}' renders component '${definition.component}', which is not defined in the files given`,
        })
      }
    }
  }
  for (const { report } of results) report.valid = report.problems.length === 0
  return results.map((result) => result.report)
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

function printText(reports: FileReport[], io: CliIo): void {
  for (const report of reports) {
    const name = displayPath(report.file, io.cwd)
    const counts = [
      report.intents ? plural(report.intents, 'intent') : '',
      report.components ? plural(report.components, 'component') : '',
    ]
      .filter(Boolean)
      .join(', ')
    if (report.valid) {
      println(io.stdout, `ok    ${name}${counts ? ` (${counts})` : ''}`)
    } else {
      println(io.stdout, `FAIL  ${name} (${plural(report.problems.length, 'problem')})`)
      for (const problem of report.problems) {
        println(io.stdout, `      ${problem.path ? `${problem.path}: ` : ''}${problem.message}`)
      }
    }
    for (const warning of report.warnings)
      println(io.stdout, `      warning: ${warning.path}: ${warning.message}`)
  }
  const failed = reports.filter((report) => !report.valid)
  const problems = failed.reduce((sum, report) => sum + report.problems.length, 0)
  println(io.stdout)
  println(
    io.stdout,
    failed.length === 0
      ? `${plural(reports.length, 'file')} valid`
      : `${failed.length} of ${plural(reports.length, 'file')} invalid (${plural(problems, 'problem')})`,
  )
}

export async function validateCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(validateSpec, argv)
  if (parsed.values.help) {
    io.stdout.write(commandHelp(validateSpec))
    return 0
  }
  const format = stringValue(parsed, 'format') ?? 'text'
  if (format !== 'text' && format !== 'json')
    throw usageError(`--format must be 'text' or 'json', got '${format}'`)
  if (parsed.positionals.length === 0)
    throw usageError("ixp validate needs at least one file (see 'ixp validate --help')")
  const reports = await validateFiles(parsed.positionals, io.cwd)
  if (format === 'json') {
    const valid = reports.every((report) => report.valid)
    const files = reports.map((report) => ({ ...report, file: displayPath(report.file, io.cwd) }))
    io.stdout.write(`${JSON.stringify({ valid, files }, null, 2)}\n`)
  } else {
    printText(reports, io)
  }
  return reports.every((report) => report.valid) ? 0 : 1
}
