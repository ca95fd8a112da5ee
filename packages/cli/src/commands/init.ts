/** `ixp init [dir]` — scaffolds a minimal project that runs with `npm install` and `npm start`. */
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { commandHelp, parseCommand, stringValue, type CommandSpec } from '../args.js'
import { displayPath } from '../config/json-file.js'
import { cliError, usageError } from '../errors.js'
import { projectFiles } from '../init/templates.js'
import { println, type CliIo } from '../io.js'
import { packageInfo } from '../package-info.js'

export const initSpec: CommandSpec = {
  name: 'init',
  summary: 'Create a minimal IXP project (config, an intent, a component, a test) in a directory.',
  positionals: '[dir]',
  options: {
    name: { type: 'string', value: '<name>', default: 'the directory name', description: 'npm package name' },
    force: {
      type: 'boolean',
      description: 'Write into a non-empty directory, overwriting files of the same name',
    },
  },
}

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-._~]+/g, '-')
    .replace(/^[-._]+|-+$/g, '')
  return name || 'ixp-app'
}

export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(initSpec, argv)
  if (parsed.values.help) {
    io.stdout.write(commandHelp(initSpec))
    return 0
  }
  if (parsed.positionals.length > 1) throw usageError('ixp init takes at most one directory')
  const dir = resolve(io.cwd, parsed.positionals[0] ?? '.')
  const name = stringValue(parsed, 'name') ?? packageName(dir)
  if (!NPM_NAME.test(name) || name.length > 214)
    throw usageError(`--name '${name}' is not a valid npm package name`)
  if (existsSync(dir) && readdirSync(dir).length > 0 && !parsed.values.force) {
    throw cliError('INIT_TARGET_NOT_EMPTY', { dir: displayPath(dir, io.cwd) })
  }
  const files = projectFiles({ name, range: `^${packageInfo.version}` })
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, content)
  }
  const where = dir === resolve(io.cwd) ? '.' : displayPath(dir, io.cwd)
  println(io.stdout, `Created ${name} in ${where}:`)
  for (const path of Object.keys(files)) println(io.stdout, `  ${path}`)
  println(io.stdout)
  println(io.stdout, 'Next:')
  if (where !== '.') println(io.stdout, `  cd ${where}`)
  println(io.stdout, '  npm install')
  println(io.stdout, '  npm start')
  return 0
}
