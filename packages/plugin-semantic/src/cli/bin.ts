#!/usr/bin/env node
import { runSemanticCommand } from './index.js'

process.exitCode = await runSemanticCommand(process.argv.slice(2))
