/**
 * Command-line parsing on top of `node:util` `parseArgs`: each command declares its options once, and the
 * same declaration drives parsing, defaults and the `--help` text. Mistakes become `CLI_USAGE` errors.
 */
import { parseArgs } from 'node:util'
import { usageError } from './errors.js'

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Shown in the help text; booleans default to false. */
  default?: string
  /** Value placeholder in the help text, e.g. `<file>`. */
  value?: string
  description: string
  /** The option may be given several times. */
  multiple?: boolean
}

export interface CommandSpec {
  name: string
  summary: string
  /** Positional arguments as shown in the usage line, e.g. `<files…>`. */
  positionals?: string
  options: Record<string, OptionSpec>
  /** Extra lines printed after the options. */
  notes?: string[]
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
  debug: { type: 'boolean', description: 'Print stack traces and causes of errors' },
}

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

type ParseArgsOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>

/** Parses `argv` against a command's options; unknown options and missing values are usage errors. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand {
  const options: ParseArgsOptions = {}
  for (const [name, option] of Object.entries({ ...spec.options, ...GLOBAL_OPTIONS })) {
    options[name] = {
      type: option.type,
      ...(option.short ? { short: option.short } : {}),
      ...(option.multiple ? { multiple: true } : {}),
    }
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    if (!spec.positionals && positionals.length > 0 && !values.help) {
      throw usageError(`ixp ${spec.name} takes no arguments, got '${positionals[0]}'`)
    }
    return { values: values as ParsedCommand['values'], positionals }
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw usageError(
        `${error.message.replace(/\. To specify a positional.*$/s, '')} (see 'ixp ${spec.name} --help')`,
      )
    }
    throw error
  }
}

/** A string option's value, or its declared default. */
export function stringValue(parsed: ParsedCommand, name: string): string | undefined {
  const value = parsed.values[name]
  return typeof value === 'string' ? value : undefined
}

/** Parses a whole number within bounds; `what` names the option in the error. */
export function integerValue(raw: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw usageError(`${what} must be a whole number, got '${raw}'`)
  const value = Number(raw)
  if (value < min || value > max) throw usageError(`${what} must be between ${min} and ${max}, got ${value}`)
  return value
}

function optionLabel(name: string, option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : '    '
  const value = option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''
  return `${short}--${name}${value}`
}

/** The `--help` text of a command: usage, options with their defaults, notes. */
export function commandHelp(spec: CommandSpec): string {
  const entries = Object.entries({ ...spec.options, ...GLOBAL_OPTIONS })
  const labels = entries.map(([name, option]) => optionLabel(name, option))
  const width = Math.max(...labels.map((label) => label.length)) + 2
  const lines = [
    `Usage: ixp ${spec.name}${entries.length ? ' [options]' : ''}${spec.positionals ? ` ${spec.positionals}` : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...entries.map(([, option], index) => {
      const fallback = option.default === undefined ? '' : ` (default: ${option.default})`
      return `  ${labels[index]!.padEnd(width)}${option.description}${fallback}`
    }),
  ]
  if (spec.notes?.length) lines.push('', ...spec.notes)
  return `${lines.join('\n')}\n`
}
