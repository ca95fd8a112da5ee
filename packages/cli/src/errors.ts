/**
 * The CLI's failures. Every error a command reports is an `IxpError` with one of these codes; the dispatcher
 * prints its message (and the issues it carries) on stderr and exits with the code's exit status.
 */
import { IxpError, isIxpError } from '@ixp/core'

/** CLI error codes and the exit status each produces (2 for mistakes in the command line itself). */
export const CliErrorCodes = {
  /** Unknown command or option, missing or malformed option value. */
  CLI_USAGE: 2,
  /** A file named on the command line or in the config does not exist or cannot be read. */
  FILE_NOT_FOUND: 1,
  /** A file is not valid JSON. */
  INVALID_JSON: 1,
  /** The config module could not be loaded (syntax error, missing import, throwing top level). */
  CONFIG_LOAD_FAILED: 1,
  /** The config's default export has the wrong shape. */
  CONFIG_INVALID: 1,
  /** The address is taken or not available to listen on. */
  LISTEN_FAILED: 1,
  /** `ixp init` would overwrite existing files (use `--force`). */
  INIT_TARGET_NOT_EMPTY: 1,
  /** An optional package a command needs (`@ixp/plugin-semantic`) is not installed. */
  MISSING_PACKAGE: 1,
} as const

export type CliErrorCode = keyof typeof CliErrorCodes

/** Builds a CLI error: an `IxpError` whose status is the process exit code. */
export function cliError(
  code: CliErrorCode,
  message: string,
  options: { details?: Record<string, unknown>; cause?: unknown } = {},
): IxpError {
  return new IxpError(code, message, { status: CliErrorCodes[code], expose: true, ...options })
}

export function usageError(message: string): IxpError {
  return cliError('CLI_USAGE', message)
}

/** The process exit code for an error: the CLI code's status, 1 for every engine or unexpected error. */
export function exitCodeOf(error: unknown): number {
  if (isIxpError(error) && error.code in CliErrorCodes) return CliErrorCodes[error.code as CliErrorCode]
  return 1
}
