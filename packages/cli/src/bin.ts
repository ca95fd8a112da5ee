#!/usr/bin/env node
import { runCli } from './cli.js'

const code = await runCli(process.argv.slice(2))
process.exitCode = code
// Whatever still holds the event loop (a plugin's open socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2_000).unref()
