#!/usr/bin/env node
import { reportError, runCli } from './cli.js'
import { processIo } from './io.js'

// Whatever escapes a command (a plugin's stray rejection while serving) is reported like every other error:
// a message, no stack trace unless --debug, exit status 1.
const debug = process.argv.includes('--debug')
const fatal = (error: unknown) => {
  reportError(error, processIo(), debug)
  process.exit(1)
}
process.on('uncaughtException', fatal)
process.on('unhandledRejection', fatal)

const code = await runCli(process.argv.slice(2))
process.exitCode = code
// Whatever still holds the event loop (a plugin's open socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2_000).unref()
