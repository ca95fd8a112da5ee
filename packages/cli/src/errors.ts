/**
 * The CLI's failures, each code declared once with its exit status and message template. Every error a command
 * reports is an `IxpError`; the dispatcher prints its message (and the issues it carries) on stderr and exits
 * with the code's status. The engine's codes (`INVALID_DEFINITION`, …) are built with the core's `coreError`.
 */
import { coreError, defineErrors, IxpError, isIxpError } from '@ixp/core'

/** Shown to the person at the terminal, whatever the status (which is an exit status here, not HTTP's). */
const CLI_ERRORS = {
  /** Unknown command or option, missing or malformed option value, nothing to serve. Exit status 2. */
  CLI_USAGE: { status: 2, message: '{reason}', expose: true },
  /** A file named on the command line or in the config does not exist or cannot be read. */
  FILE_NOT_FOUND: { status: 1, message: '{file} {reason}', expose: true },
  /** A file is not valid JSON (`{file}` carries the line and column when known). */
  INVALID_JSON: { status: 1, message: '{file} is not valid JSON: {reason}', expose: true },
  /** The config module could not be loaded (syntax error, missing import, throwing top level). */
  CONFIG_LOAD_FAILED: { status: 1, message: 'Could not load {file}: {reason}', expose: true },
  /** The config has the wrong shape or extension, or no default export; `details.issues` lists each problem. */
  CONFIG_INVALID: { status: 1, message: '{file} {problem}', expose: true },
  /** The address is taken or not available to listen on. */
  LISTEN_FAILED: { status: 1, message: '{reason}', expose: true },
  /** `ixp init` would overwrite existing files (use `--force`). */
  INIT_TARGET_NOT_EMPTY: {
    status: 1,
    message: '{dir} is not empty; choose another directory or pass --force to write into it',
    expose: true,
  },
  /** An optional package a command needs (`@ixp/plugin-semantic`) is missing or too old. */
  MISSING_PACKAGE: { status: 1, message: '{reason}; {fix}', expose: true },
} as const

/** Builds the CLI's errors: an `IxpError` whose status is the process exit status. */
export const cliError = defineErrors(CLI_ERRORS)

/** CLI error codes and the exit status each produces (2 for mistakes in the command line itself). */
export const CliErrorCodes = cliError.statuses

export type CliErrorCode = keyof typeof CLI_ERRORS

/** `CLI_USAGE`: a mistake in the command line, explained by `reason`. */
export function usageError(reason: string): IxpError {
  return cliError('CLI_USAGE', { reason })
}

/**
 * `DUPLICATE_DEFINITION` naming the two sources (files, the config) that define one name. The core's template
 * advises `{ replace: true }`, which a config or a JSON file cannot pass, so the message is the CLI's own; the
 * status is the core's.
 */
export function definedTwice(message: string, details: Record<string, unknown>): IxpError {
  return new IxpError('DUPLICATE_DEFINITION', message, {
    status: coreError.statuses.DUPLICATE_DEFINITION,
    details,
  })
}

/** The process exit code for an error: the CLI code's status, 1 for every engine or unexpected error. */
export function exitCodeOf(error: unknown): number {
  if (isIxpError(error) && error.code in CliErrorCodes) return CliErrorCodes[error.code as CliErrorCode]
  return 1
}
