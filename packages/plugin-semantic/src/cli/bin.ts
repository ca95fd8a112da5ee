#!/usr/bin/env node
import { runSemanticCommand } from './index.js'

runSemanticCommand(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
