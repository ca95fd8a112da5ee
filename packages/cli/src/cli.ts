/**
 * The `ixp` command dispatcher: picks the command, prints help and versions, and turns every failure into a
 * message on stderr and an exit status (2 for usage errors) — a stack trace only with `--debug`.
 */
import { isIxpError } from '@ixp/core'
import { initCommand, initSpec } from './commands/init.js'
import { serveCommand, serveSpec } from './commands/serve.js'
import { semanticCommand } from './commands/semantic.js'
import { validateCommand, validateSpec } from './commands/validate.js'
import { exitCodeOf, usageError } from './errors.js'
import { println, processIo, type CliIo } from './io.js'
import { packageInfo } from './package-info.js'

type Command = (argv: string[], io: CliIo) => Promise<number>

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: { run: serveCommand, summary: serveSpec.summary },
  validate: { run: validateCommand, summary: validateSpec.summary },
  init: { run: initCommand, summary: initSpec.summary },
  semantic: {
    // --debug is ours (stack traces); the semantic CLI would refuse it as an unknown flag.
    run: (argv, io) =>
      semanticCommand(
        argv.filter((arg) => arg !== '--debug'),
        io,
      ),
    summary: 'Train, evaluate and inspect natural-language resolution (needs @ixp/plugin-semantic).',
  },
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2
  return [
    'Usage: ixp <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}${summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: ixp <command> --help)',
    '  -v, --version  Print the version',
    '      --debug    Print stack traces and causes of errors',
    '',
  ].join('\n')
}

function describeIssues(error: unknown): string[] {
  if (!isIxpError(error)) return []
  const issues = error.details?.issues
  if (!Array.isArray(issues)) return []
  return issues.map((issue: { path?: string; message?: string }) =>
    issue.path ? `  ${issue.path}: ${issue.message}` : `  ${issue.message}`,
  )
}

/** Prints an error the way every command reports failures. */
export function reportError(error: unknown, io: CliIo, debug: boolean): void {
  const message = isIxpError(error) || error instanceof Error ? error.message : String(error)
  const code = isIxpError(error) ? ` [${error.code}]` : ''
  println(io.stderr, `ixp: error${code}: ${message}`)
  for (const line of describeIssues(error)) println(io.stderr, line)
  if (debug) {
    let current: unknown = error
    while (current instanceof Error) {
      println(io.stderr, current.stack ?? String(current))
      current = current.cause
      if (current !== undefined) println(io.stderr, 'Caused by:')
    }
  } else if (!isIxpError(error) || error.status >= 500) {
    println(io.stderr, '(run with --debug for the stack trace)')
  }
}

/**
 * Runs the `ixp` command line (without the `node` and script arguments) and resolves with the exit status.
 * `ixp serve` resolves only after the server has shut down.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug')
  try {
    const [first, ...rest] = argv
    if (first === undefined) {
      io.stderr.write(mainHelp())
      return 2
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = rest[0]
      if (first === 'help' && topic && Object.hasOwn(COMMANDS, topic))
        return await COMMANDS[topic]!.run(['--help'], io)
      io.stdout.write(mainHelp())
      return 0
    }
    if (first === '--version' || first === '-v') {
      println(io.stdout, packageInfo.version)
      return 0
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined
    if (!command) {
      throw usageError(
        first.startsWith('-')
          ? `'${first}' must come after a command (see 'ixp --help')`
          : `Unknown command '${first}'; commands: ${Object.keys(COMMANDS).join(', ')}`,
      )
    }
    return await command.run(rest, io)
  } catch (error) {
    reportError(error, io, debug)
    return exitCodeOf(error)
  }
}
